using System.Diagnostics;
using System.Globalization;

namespace Kvs.WebRtc.Benchmarks.Media;

/// <summary>
/// The rows of <see cref="H264FanOutBenchmarks"/> as one plain pass, with what BenchmarkDotNet cannot show: the
/// writing thread's own CPU time (Linux <c>/proc/thread-self/schedstat</c>; wall time also counts the time the
/// viewers' receive threads and other processes hold the cores) and its own allocations. Also the run to attach
/// <c>perf</c> to. Run with <c>dotnet run -c Release --project benchmarks/Kvs.WebRtc.Benchmarks -- media-fanout [seconds]</c>.
/// </summary>
public static class MediaFanOutMeasurements
{
    /// <summary>Connects the 10 viewers, runs each row for <paramref name="seconds"/> after a 1 s warm-up, prints one line per row.</summary>
    public static void Run(TextWriter output, double seconds = 10)
    {
        var benchmarks = new H264FanOutBenchmarks();
        benchmarks.Setup();
        try
        {
            (string Name, Action Gop)[] rows =
            [
                ("WriteFrameAsync to 10 viewers", benchmarks.WriteFrameToTenViewers),
                ("SRTP protect x10 alone", () => benchmarks.ProtectForTenViewers()),
                ("SRTP protect x10 + sendto, raw UDP", () => benchmarks.ProtectAndSendForTenViewers()),
                ("SRTP protect x10 + sendto with UDP GSO", () => benchmarks.ProtectAndSendWithGsoForTenViewers()),
            ];
            foreach (var (name, gop) in rows)
            {
                Measure(gop, 1);
                var (wall, cpu, allocated) = Measure(gop, seconds);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name}: wall {wall:F1} µs/frame, writer thread on CPU {cpu:F1} µs/frame = {cpu * SyntheticH264Stream.FramesPerSecond / 1e4:F2} % of one core at {SyntheticH264Stream.FramesPerSecond} fps, writer allocated {allocated:F1} B/frame"));
            }
        }
        finally
        {
            benchmarks.Cleanup();
        }
    }

    private static (double WallMicroseconds, double CpuMicroseconds, double Allocated) Measure(Action gop, double seconds)
    {
        var frames = 0L;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var cpu = ThreadCpuNanoseconds();
        var start = Stopwatch.GetTimestamp();
        var deadline = start + (long)(seconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            gop();
            frames += SyntheticH264Stream.GopLength;
        }

        var wall = Stopwatch.GetElapsedTime(start).TotalMicroseconds / frames;
        return (wall, (ThreadCpuNanoseconds() - cpu) / 1e3 / frames, (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)frames);
    }

    // Linux: nanoseconds the calling thread spent on a CPU (first field of /proc/thread-self/schedstat); NaN elsewhere.
    private static double ThreadCpuNanoseconds()
    {
        try
        {
            var text = File.ReadAllText("/proc/thread-self/schedstat");
            return double.Parse(text.AsSpan(0, text.IndexOf(' ', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return double.NaN;
        }
        catch (UnauthorizedAccessException)
        {
            return double.NaN;
        }
    }
}
