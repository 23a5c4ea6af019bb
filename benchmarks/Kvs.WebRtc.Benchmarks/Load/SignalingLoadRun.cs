using System.Diagnostics;
using System.Globalization;
using Kvs.WebRtc.Emulator;
using Kvs.WebRtc.Signaling;
using Kvs.WebRtc.Signaling.Auth;

namespace Kvs.WebRtc.Benchmarks.Load;

/// <summary>
/// Load run (benchmarks/README.md): a viewer's <see cref="SignalingClient"/> sends ICE_CANDIDATE messages to a master's
/// through the in-process emulator (SigV4 verified) at a steady rate — by default 50,000 messages/s, the relay's goal
/// that <see cref="SignalingThroughputBenchmarks"/> checks in bursts — paced every 10 ms. Prints per interval the delivered rate,
/// relay latency p50/p99 (send call → master subscriber) and the process figures, then a summary. At most
/// <c>maxInFlight</c> sends are outstanding: when the relay falls behind, the generator offers less (the shortfall is
/// printed as "behind") instead of queuing without bound, so a run measures the sustained rate at bounded memory. The
/// overall percentiles come from a fixed-size uniform sample of every latency (reservoir sampling).
/// Run: <c>dotnet run -c Release --project benchmarks/Kvs.WebRtc.Benchmarks -- load-signaling --rate 50000 --seconds 600</c>.
/// </summary>
internal static class SignalingLoadRun
{
    private const string CandidateTail = " 1 udp 2122260223 127.0.0.1 50000 typ host";
    private const int ReservoirSize = 200_000;

    public static async Task<int> RunAsync(TextWriter output, int rate, TimeSpan duration, TimeSpan sampleEvery, int maxInFlight = 8192)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        var emulator = await KvsEmulator.StartAsync().ConfigureAwait(false);
        await using var emulatorScope = emulator.ConfigureAwait(false);
        var channelArn = emulator.CreateSignalingChannel("load-signaling");
        SignalingClientOptions Options(KvsEmulatorRole role) => new()
        {
            ChannelArn = channelArn,
            Endpoint = emulator.GetSignalingEndpoint(channelArn, role),
            Region = emulator.Region,
            Credentials = new StaticCredentialsProvider(emulator.Credentials),
        };

        var master = await SignalingClient.ConnectAsMasterAsync(Options(KvsEmulatorRole.Master)).ConfigureAwait(false);
        await using var masterScope = master.ConfigureAwait(false);
        var viewer = await SignalingClient.ConnectAsViewerAsync(Options(KvsEmulatorRole.Viewer), "load-viewer").ConfigureAwait(false);
        await using var viewerScope = viewer.ConfigureAwait(false);
        var latencies = new List<double>(Math.Min(rate * 20, 1_000_000));
        long received = 0;
        using var subscription = master.IceCandidates.Subscribe(message =>
        {
            var now = Stopwatch.GetTimestamp();
            var text = message.IceCandidate!.Candidate.AsSpan("candidate:".Length);
            var end = text.IndexOf(' ');
            if (end > 0 && long.TryParse(text[..end], NumberStyles.None, CultureInfo.InvariantCulture, out var sent))
            {
                lock (latencies)
                {
                    latencies.Add((now - sent) * 1000.0 / Stopwatch.Frequency);
                }
            }

            Interlocked.Increment(ref received);
        });

        output.WriteLine($"load-signaling: {rate} ICE_CANDIDATE messages/s viewer -> master through the emulator, {duration.TotalSeconds:0} s, at most {maxInFlight} sends in flight");
        var sampler = new LoadSampler(output);
        long sent = 0, failed = 0;
        var pending = new List<Task>();
        var tick = TimeSpan.FromMilliseconds(10);
        var nextSample = sampleEvery;
        long lastReceived = 0;
        var lastAt = TimeSpan.Zero;
        var all = new double[ReservoirSize];
        long seen = 0;
        var random = new Random(1);
        void Keep(double[] window)
        {
            foreach (var latency in window)
            {
                // Reservoir sampling (algorithm R): every latency of the run is kept with the same probability.
                var slot = seen < ReservoirSize ? seen : random.NextInt64(seen + 1);
                if (slot < ReservoirSize)
                {
                    all[slot] = latency;
                }

                seen++;
            }
        }

        long behind = 0;
        while (sampler.Elapsed < duration)
        {
            // Pacing: whatever is due by now at the target rate (catches up after a slow tick, never bursts beyond), as
            // long as fewer than maxInFlight sends are outstanding.
            var due = (long)(sampler.Elapsed.TotalSeconds * rate) - sent;
            var room = Math.Min(due, maxInFlight - pending.Count);
            behind = due - Math.Max(room, 0);
            for (var i = 0; i < room; i++)
            {
                var candidate = "candidate:" + Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture) + CandidateTail;
                pending.Add(viewer.SendIceCandidateAsync(new IceCandidatePayload(candidate, "0", 0)));
                sent++;
            }

            pending.RemoveAll(t =>
            {
                if (!t.IsCompleted)
                {
                    return false;
                }

                if (!t.IsCompletedSuccessfully)
                {
                    failed++;
                    _ = t.Exception;
                }

                return true;
            });
            if (sampler.Elapsed >= nextSample)
            {
                double[] window;
                lock (latencies)
                {
                    window = [.. latencies];
                    latencies.Clear();
                }

                Keep(window);
                Array.Sort(window);
                var now = Interlocked.Read(ref received);
                var seconds = (sampler.Elapsed - lastAt).TotalSeconds;
                sampler.Sample(string.Create(CultureInfo.InvariantCulture,
                    $"delivered {(now - lastReceived) / seconds:0}/s  latency p50 {Percentile(window, 0.5):0.0} ms p99 {Percentile(window, 0.99):0.0} ms  in flight {pending.Count}  behind {behind}  failed {failed}"));
                (lastReceived, lastAt) = (now, sampler.Elapsed);
                nextSample += sampleEvery;
            }

            await Task.Delay(tick).ConfigureAwait(false);
        }

        await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        var settle = Stopwatch.StartNew();
        while (Interlocked.Read(ref received) < sent - failed && settle.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20).ConfigureAwait(false);
        }

        lock (latencies)
        {
            Keep([.. latencies]);
        }

        var sorted = all[..(int)Math.Min(seen, ReservoirSize)];
        Array.Sort(sorted);
        sampler.Summary(string.Create(CultureInfo.InvariantCulture,
            $"sent {sent} ({sent / duration.TotalSeconds:0}/s of {rate}/s asked), delivered {Interlocked.Read(ref received)}, failed sends {failed}, latency p50 {Percentile(sorted, 0.5):0.0} ms p99 {Percentile(sorted, 0.99):0.0} ms max {(sorted.Length > 0 ? sorted[^1] : 0):0.0} ms"));
        // Where undelivered messages went, as the relay counted them: a master that does not read fast enough is closed as
        // a slow consumer (as KVS does), and what arrives for it until it reconnects waits in a bounded pending queue.
        var relay = emulator.GetStatistics();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"relay: delivered {relay.MessagesDelivered}, buffered for an absent recipient {relay.MessagesBuffered}, discarded (pending queue full) {relay.MessagesDiscarded}, expired {relay.MessagesExpired}, dropped by fault {relay.MessagesDroppedByFault}; connections accepted {relay.ConnectionsAccepted} (2 without a reconnect)"));
        return Interlocked.Read(ref received) == sent && failed == 0 ? 0 : 1;
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
