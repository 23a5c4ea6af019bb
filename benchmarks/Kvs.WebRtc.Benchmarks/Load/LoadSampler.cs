using System.Diagnostics;
using System.Globalization;

namespace Kvs.WebRtc.Benchmarks.Load;

/// <summary>
/// Process-wide figures of a load run, sampled on an interval: CPU share of the machine and of one core, working set,
/// managed heap, GC collections per generation, allocation rate and time paused in GC. Everything in the run (emulator,
/// master, viewers) is in this process, so the figures are those of the whole system under test.
/// </summary>
internal sealed class LoadSampler
{
    private readonly TextWriter _output;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastCpu = Process.GetCurrentProcess().TotalProcessorTime;
    private TimeSpan _lastWall = TimeSpan.Zero;
    private long _lastAllocated = GC.GetTotalAllocatedBytes();
    private TimeSpan _lastPause = GC.GetTotalPauseDuration();
    private readonly TimeSpan _startCpu = Process.GetCurrentProcess().TotalProcessorTime;
    private readonly long _startAllocated = GC.GetTotalAllocatedBytes();
    private readonly int[] _startCollections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
    private double _peakWorkingSetMb;

    public LoadSampler(TextWriter output) => _output = output;

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Prints one sample line; <paramref name="extra"/> is the run's own figures for the interval.</summary>
    public void Sample(string extra)
    {
        using var process = Process.GetCurrentProcess();
        var wall = _clock.Elapsed;
        var cpu = process.TotalProcessorTime;
        var interval = (wall - _lastWall).TotalSeconds;
        var cpuShare = (cpu - _lastCpu).TotalSeconds / Math.Max(interval, 1e-3);
        var allocated = GC.GetTotalAllocatedBytes();
        var pause = GC.GetTotalPauseDuration();
        var workingSet = process.WorkingSet64 / 1048576.0;
        _peakWorkingSetMb = Math.Max(_peakWorkingSetMb, workingSet);
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"t={wall.TotalSeconds,6:0} s  cpu {cpuShare * 100,5:0}% of a core ({cpuShare * 100 / Environment.ProcessorCount,4:0}% of {Environment.ProcessorCount})  " +
            $"ws {workingSet,6:0} MiB  heap {GC.GetTotalMemory(false) / 1048576.0,5:0} MiB  alloc {(allocated - _lastAllocated) / 1048576.0 / interval,6:0.0} MiB/s  " +
            $"gc {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}  pause {(pause - _lastPause).TotalMilliseconds,5:0} ms  {extra}"));
        _lastWall = wall;
        _lastCpu = cpu;
        _lastAllocated = allocated;
        _lastPause = pause;
    }

    /// <summary>Prints the whole run's totals.</summary>
    public void Summary(string extra)
    {
        using var process = Process.GetCurrentProcess();
        var wall = _clock.Elapsed.TotalSeconds;
        var cpu = (process.TotalProcessorTime - _startCpu).TotalSeconds;
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"summary: {wall:0} s, cpu {cpu / wall * 100:0}% of a core on average, peak ws {_peakWorkingSetMb:0} MiB, " +
            $"allocated {(GC.GetTotalAllocatedBytes() - _startAllocated) / 1048576.0 / wall:0.0} MiB/s, " +
            $"gc gen0/1/2 {GC.CollectionCount(0) - _startCollections[0]}/{GC.CollectionCount(1) - _startCollections[1]}/{GC.CollectionCount(2) - _startCollections[2]}, " +
            $"gc pause total {GC.GetTotalPauseDuration().TotalMilliseconds:0} ms; {extra}"));
    }
}
