using BenchmarkDotNet.Running;
using Kvs.WebRtc.Benchmarks.Media;
using Kvs.WebRtc.Benchmarks.PeerConnection;

namespace Kvs.WebRtc.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project benchmarks/Kvs.WebRtc.Benchmarks -- --filter '*'</c> runs
/// BenchmarkDotNet; <c>-- peerconnection</c> runs <see cref="PeerConnectionMeasurements"/> and <c>-- media-fanout [seconds]</c>
/// <see cref="MediaFanOutMeasurements"/> (one pass each, plain output).
/// </summary>
public static class Program
{
    /// <summary>Runs the measurements or the benchmarks selected on the command line.</summary>
    public static async Task Main(string[] args)
    {
        if (args is ["peerconnection", ..])
        {
            await PeerConnectionMeasurements.RunAsync(Console.Out).ConfigureAwait(false);
            return;
        }

        if (args is ["media-fanout", ..])
        {
            var seconds = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10;
            MediaFanOutMeasurements.Run(Console.Out, seconds);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
