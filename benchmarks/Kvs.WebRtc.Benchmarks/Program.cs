using BenchmarkDotNet.Running;
using Kvs.WebRtc.Benchmarks.PeerConnection;

namespace Kvs.WebRtc.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project benchmarks/Kvs.WebRtc.Benchmarks -- --filter '*'</c> runs
/// BenchmarkDotNet; <c>-- peerconnection</c> runs <see cref="PeerConnectionMeasurements"/> (one pass, plain output).
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

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
