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
/// relay latency p50/p99 (send call → master subscriber) and the process figures, then a summary.
/// Run: <c>dotnet run -c Release --project benchmarks/Kvs.WebRtc.Benchmarks -- load-signaling --rate 50000 --seconds 600</c>.
/// </summary>
internal static class SignalingLoadRun
{
    private const string CandidateTail = " 1 udp 2122260223 127.0.0.1 50000 typ host";

    public static async Task<int> RunAsync(TextWriter output, int rate, TimeSpan duration, TimeSpan sampleEvery)
    {
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
        var latencies = new List<double>(rate * 20);
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

        output.WriteLine($"load-signaling: {rate} ICE_CANDIDATE messages/s viewer -> master through the emulator, {duration.TotalSeconds:0} s");
        var sampler = new LoadSampler(output);
        long sent = 0, failed = 0;
        var pending = new List<Task>();
        var tick = TimeSpan.FromMilliseconds(10);
        var nextSample = sampleEvery;
        long lastReceived = 0;
        var lastAt = TimeSpan.Zero;
        var all = new List<double>();
        while (sampler.Elapsed < duration)
        {
            // Pacing: whatever is due by now at the target rate (catches up after a slow tick, never bursts beyond).
            var due = (long)(sampler.Elapsed.TotalSeconds * rate) - sent;
            for (var i = 0; i < due; i++)
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

                all.AddRange(window);
                Array.Sort(window);
                var now = Interlocked.Read(ref received);
                var seconds = (sampler.Elapsed - lastAt).TotalSeconds;
                sampler.Sample(string.Create(CultureInfo.InvariantCulture,
                    $"delivered {(now - lastReceived) / seconds:0}/s  latency p50 {Percentile(window, 0.5):0.0} ms p99 {Percentile(window, 0.99):0.0} ms  in flight {pending.Count}  failed {failed}"));
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
            all.AddRange(latencies);
        }

        var sorted = all.ToArray();
        Array.Sort(sorted);
        sampler.Summary(string.Create(CultureInfo.InvariantCulture,
            $"sent {sent}, delivered {Interlocked.Read(ref received)}, failed sends {failed}, latency p50 {Percentile(sorted, 0.5):0.0} ms p99 {Percentile(sorted, 0.99):0.0} ms max {(sorted.Length > 0 ? sorted[^1] : 0):0.0} ms"));
        return Interlocked.Read(ref received) == sent && failed == 0 ? 0 : 1;
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
