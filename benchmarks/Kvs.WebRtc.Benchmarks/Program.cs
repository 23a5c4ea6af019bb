using System.Globalization;
using BenchmarkDotNet.Running;
using Kvs.WebRtc.Benchmarks.Media;
using Kvs.WebRtc.Benchmarks.PeerConnection;

namespace Kvs.WebRtc.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project benchmarks/Kvs.WebRtc.Benchmarks -- --filter '*'</c> runs the
/// BenchmarkDotNet classes; four console modes print end-to-end figures instead (one pass each, plain output):
/// <c>-- peerconnection</c> (<see cref="PeerConnectionMeasurements"/>), <c>-- media-fanout [seconds]</c>
/// (<see cref="MediaFanOutMeasurements"/>), <c>-- memory-per-viewer [seconds]</c> (<see cref="MemoryPerViewerMeasurements"/>) and <c>-- --fanout 1,5,10 [--seconds 5]</c> (<see cref="FanoutMeasurements"/>:
/// one master sending data-channel messages to N viewers). Two load runs (benchmarks/README.md): <c>-- load-viewers</c>
/// (<see cref="Load.ViewerLoadRun"/>) and <c>-- load-signaling</c> (<see cref="Load.SignalingLoadRun"/>).
/// </summary>
public static class Program
{
    /// <summary>Runs the benchmarks or the measurement selected on the command line.</summary>
    public static async Task<int> Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is ["peerconnection", ..])
        {
            await PeerConnectionMeasurements.RunAsync(Console.Out).ConfigureAwait(false);
            return 0;
        }

        if (args is ["media-fanout", ..])
        {
            var duration = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 10;
            MediaFanOutMeasurements.Run(Console.Out, duration);
            return 0;
        }

        if (args is ["memory-per-viewer", ..])
        {
            var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 6;
            await MemoryPerViewerMeasurements.RunAsync(Console.Out, seconds).ConfigureAwait(false);
            return 0;
        }

        if (args is ["--fanout", var list, ..])
        {
            var counts = list.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            var seconds = 5.0;
            var index = Array.IndexOf(args, "--seconds");
            if (index >= 0 && index + 1 < args.Length)
            {
                seconds = double.Parse(args[index + 1], CultureInfo.InvariantCulture);
            }

            await FanoutMeasurements.RunAsync(Console.Out, counts, TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
            return 0;
        }

        if (args is ["load-viewers", ..])
        {
            // Load run (benchmarks/README.md): --viewers N --seconds S --sample-seconds I
            return await Load.ViewerLoadRun.RunAsync(Console.Out, Option(args, "--viewers", 10), TimeSpan.FromSeconds(Option(args, "--seconds", 600)),
                TimeSpan.FromSeconds(Option(args, "--sample-seconds", 10))).ConfigureAwait(false);
        }

        if (args is ["load-signaling", ..])
        {
            // Load run (benchmarks/README.md): --rate MSGS_PER_S --seconds S --sample-seconds I
            return await Load.SignalingLoadRun.RunAsync(Console.Out, Option(args, "--rate", 50_000), TimeSpan.FromSeconds(Option(args, "--seconds", 600)),
                TimeSpan.FromSeconds(Option(args, "--sample-seconds", 10)), Option(args, "--max-in-flight", 8192)).ConfigureAwait(false);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
