using System.Diagnostics;
using System.Globalization;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.PeerConnection.Dtls;

namespace Kvs.WebRtc.Benchmarks.PeerConnection;

/// <summary>
/// A master sending 1 KiB data-channel messages to N viewers: one master-side <see cref="RTCPeerConnection"/> per viewer,
/// ours↔ours over 127.0.0.1. Run with
/// <c>dotnet run -c Release --project benchmarks/Kvs.WebRtc.Benchmarks -- --fanout 1,5,10 [--seconds 5]</c>.
/// </summary>
/// <remarks>
/// <para>The viewers live in the same process (each is the answering <see cref="RTCPeerConnection"/> of a
/// <see cref="LoopbackPeers"/> pair and only counts what it receives), so the memory figures include them; their part is
/// bounded by the SCTP receive window (512 KiB per connection), which is why the sender side dominates any growth.</para>
/// <para>On a shared machine the wall-clock rate follows the load of other processes; the rate per CPU-second of this
/// process (viewers included) is the steadier figure for comparing two builds.</para>
/// <para>Two ways of sending per N: <c>awaited</c> (one loop per viewer awaiting every <c>SendAsync</c>, reusing one
/// buffer) and <c>fire-and-forget</c> (one loop per viewer calling <c>SendAsync</c> with a fresh 1 KiB array per
/// message and never awaiting it, as an echo handler that discards the task does). Reported: messages delivered to the
/// viewers per second (aggregate), messages the sender could not queue (typed buffer-full errors), the live GC heap at the
/// end of the run while the senders are still running (after a full collection: what the queues really hold), the peak
/// GC heap sampled every 20 ms (garbage included, so it depends on the GC's allocation budget), the largest <see cref="RTCDataChannel.BufferedAmount"/> seen on any channel, and the peak
/// working set of the process. A run stops early when the heap passes 1.5 GiB so a sender without back-pressure cannot
/// exhaust the machine.</para>
/// </remarks>
public static class FanoutMeasurements
{
    private const int MessageSize = 1024;
    private const long HeapGuard = 1536L * 1024 * 1024;

    /// <summary>Runs both modes for every viewer count and prints one line per figure.</summary>
    public static async Task RunAsync(TextWriter output, IReadOnlyList<int> viewerCounts, TimeSpan duration)
    {
        using var certificateA = DtlsCertificate.Generate();
        using var certificateB = DtlsCertificate.Generate();
        foreach (var fireAndForget in new[] { false, true })
        {
            foreach (var viewers in viewerCounts)
            {
                var result = await MeasureAsync(certificateA, certificateB, viewers, fireAndForget, duration).ConfigureAwait(false);
                output.WriteLine(result);
            }
        }

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak working set of the whole run: {process.PeakWorkingSet64 / (1024.0 * 1024.0):F1} MiB"));
    }

    private static async Task<string> MeasureAsync(DtlsCertificate certificateA, DtlsCertificate certificateB, int viewers, bool fireAndForget, TimeSpan duration)
    {
        using var setup = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var pairs = new List<LoopbackPeers>();
        try
        {
            for (var i = 0; i < viewers; i++)
            {
                pairs.Add(await LoopbackPeers.ConnectAsync(certificateA, certificateB, null, setup.Token).ConfigureAwait(false));
            }

            long delivered = 0;
            long refused = 0;
            foreach (var pair in pairs)
            {
                pair.Receiver.MessageReceived += (_, _) => Interlocked.Increment(ref delivered);
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var baseline = HeapBytes();
            var peakHeap = baseline;
            var peakCommitted = GC.GetGCMemoryInfo().TotalCommittedBytes;
            long peakBuffered = 0;
            var stop = new CancellationTokenSource();
            var abortedAt = TimeSpan.Zero;
            using var self = Process.GetCurrentProcess();
            var cpuAtStart = self.TotalProcessorTime;
            var start = Stopwatch.GetTimestamp();
            var sampler = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var heap = HeapBytes();
                    peakHeap = Math.Max(peakHeap, heap);
                    peakCommitted = Math.Max(peakCommitted, GC.GetGCMemoryInfo().TotalCommittedBytes);
                    foreach (var pair in pairs)
                    {
                        peakBuffered = Math.Max(peakBuffered, pair.Sender.BufferedAmount);
                    }

                    if (heap > HeapGuard)
                    {
                        abortedAt = Stopwatch.GetElapsedTime(start);
                        await stop.CancelAsync().ConfigureAwait(false);
                        break;
                    }

                    await Task.Delay(20, CancellationToken.None).ConfigureAwait(false);
                }
            });
            var senders = pairs.Select(pair => Task.Run(() => fireAndForget
                ? FloodAsync(pair.Sender, () => Interlocked.Increment(ref refused), stop.Token)
                : AwaitedAsync(pair.Sender, stop.Token))).ToArray();
            var countAtStart = Interlocked.Read(ref delivered);
            try
            {
                await Task.Delay(duration, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The heap guard stopped the run.
            }

            var elapsed = Stopwatch.GetElapsedTime(start);
            var count = Interlocked.Read(ref delivered) - countAtStart;

            // Live memory while the senders still run (queues at their fullest): garbage is not counted.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var live = GC.GetTotalMemory(false);
            self.Refresh();
            var cpu = self.TotalProcessorTime - cpuAtStart;
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(senders).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await sampler.ConfigureAwait(false);
            stop.Dispose();
            using var process = Process.GetCurrentProcess();
            process.Refresh();
            var mode = fireAndForget ? "fire-and-forget" : "awaited";
            var guard = abortedAt > TimeSpan.Zero ? string.Create(CultureInfo.InvariantCulture, $" STOPPED: heap passed {HeapGuard >> 20} MiB after {abortedAt.TotalSeconds:F1} s") : string.Empty;
            return string.Create(CultureInfo.InvariantCulture,
                $"fanout N={viewers,2} {mode,-15}: {count / elapsed.TotalSeconds,8:F0} msg/s delivered ({count / elapsed.TotalSeconds / viewers:F0} per viewer; {count / Math.Max(cpu.TotalSeconds, 0.001):F0} per CPU-second, process CPU {cpu.TotalSeconds / elapsed.TotalSeconds:F2} cores), refused {Interlocked.Read(ref refused)}, live heap at the end {live / 1048576.0:F1} MiB, peak heap {peakHeap / 1048576.0:F1} MiB incl. garbage (baseline {baseline / 1048576.0:F1}, peak committed {peakCommitted / 1048576.0:F1}), peak bufferedAmount {peakBuffered / 1048576.0:F2} MiB, working set {process.WorkingSet64 / 1048576.0:F0} MiB{guard}");
        }
        finally
        {
            foreach (var pair in pairs)
            {
                await pair.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Bytes in the GC heap now (the sum over generations; <see cref="GC.GetTotalMemory(bool)"/> can misreport under DATAS).</summary>
    private static long HeapBytes()
    {
        var heap = GC.GetTotalMemory(false);
        return heap > 0 ? heap : GC.GetGCMemoryInfo().HeapSizeBytes;
    }

    private static async Task AwaitedAsync(RTCDataChannel channel, CancellationToken cancellationToken)
    {
        var payload = new byte[MessageSize];
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await channel.SendAsync(payload, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended.
        }
    }

    private static async Task FloodAsync(RTCDataChannel channel, Action onRefused, CancellationToken cancellationToken)
    {
        var i = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var pending = channel.SendAsync(new byte[MessageSize], CancellationToken.None);
                if (pending.IsCompleted)
                {
                    pending.GetAwaiter().GetResult();
                }
                else
                {
                    _ = pending.AsTask(); // fire and forget: nobody awaits it
                }
            }
            catch (WebRtcException)
            {
                onRefused(); // a typed "buffer full": the caller outran the network
            }
            catch (InvalidOperationException)
            {
                onRefused();
            }

            if (++i % 64 == 0)
            {
                await Task.Yield();
            }
        }
    }
}
