using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection.Tests.PeerConnection;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Media;

/// <summary>
/// The connection's send pacer, ours to ours on the virtual network with the manual clock: a large key frame leaves
/// spread at the pacing rate (2.5 × the 2 Mbit/s target before any feedback), audio written behind it leaves at once,
/// pacing off sends the frame as one burst, and a queue over its delay bound drops the oldest video and asks for a key frame.
/// </summary>
[TestFixture]
public sealed class RTCPeerConnectionPacingTests
{
    private const int KeyFrameBytes = 200_000;
    private static readonly TimeSpan s_step = TimeSpan.FromMilliseconds(10);

    [Test]
    public async Task KeyFrameOf200KB_At2MbitTarget_LeavesSpreadOverTime_AndAudioIsNotDelayedBehindIt()
    {
        await using var pair = new VirtualPeerPair(seed: 7);
        var (video, audio, remote) = await ConnectAsync(pair);
        var a = VirtualPeerPair.TransportOf(pair.A);
        var b = VirtualPeerPair.TransportOf(pair.B);
        Assert.That(pair.A.TargetBitrate, Is.Null, "no feedback yet: the pacer's target is the uninformed 2 Mbit/s");

        var sentBefore = a.SrtpCounters.PacketsSent;
        var receivedBefore = b.SrtpCounters.PacketsReceived;
        await video.WriteFrameAsync(new EncodedFrame(SyntheticH264.KeyFrame(KeyFrameBytes, 1), TimeSpan.Zero, true));
        var afterVideo = a.PacerCounters;
        var sentAtOnce = a.SrtpCounters.PacketsSent - sentBefore;

        await audio.WriteFrameAsync(OpusFrame(1), TimeSpan.FromMilliseconds(20));
        var audioLeft = a.SrtpCounters.PacketsSent - sentBefore - sentAtOnce;
        var queueAfterAudio = a.PacerCounters.QueuedPackets;

        // Step the clock 10 ms at a time: how many packets reach B per step, until the queue is empty.
        var perStep = new List<long>();
        var last = b.SrtpCounters.PacketsReceived;
        for (var i = 0; i < 200 && (a.PacerCounters.QueuedPackets > 0 || perStep.Count < 5); i++)
        {
            await pair.RunForAsync(s_step);
            var now = b.SrtpCounters.PacketsReceived;
            perStep.Add(now - last);
            last = now;
        }

        await pair.RunForAsync(TimeSpan.FromMilliseconds(100));
        var steps = perStep.FindLastIndex(n => n > 0) + 1;
        var sender = pair.A.GetSenders().First(s => s.Track == video);
        await TestContext.Out.WriteLineAsync(
            $"key frame {KeyFrameBytes} bytes = {afterVideo.QueuedPackets + sentAtOnce} packets, pacing {afterVideo.PacingRateBps / 1000} kbit/s: " +
            $"{sentAtOnce} at once, then per 10 ms at B: {string.Join(" ", perStep.Take(steps))}; audio left at once: {audioLeft}");
        Assert.Multiple(() =>
        {
            Assert.That(afterVideo.PacingRateBps, Is.EqualTo(5_000_000), "2.5 × 2 Mbit/s");
            Assert.That(afterVideo.QueuedPackets, Is.GreaterThan(150), "the frame was queued, not sent as one burst");
            Assert.That(sentAtOnce, Is.LessThan(10), "only the burst budget left at once");
            Assert.That(audioLeft, Is.EqualTo(1), "the audio packet left at once, ahead of the queued video");
            Assert.That(queueAfterAudio, Is.EqualTo(afterVideo.QueuedPackets), "audio bypasses the pacer queue");
            Assert.That(steps * s_step, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(250)), "1.6 Mbit at 5 Mbit/s takes ~320 ms");
            Assert.That(steps * s_step, Is.LessThan(TimeSpan.FromMilliseconds(600)));
            Assert.That(perStep.Max(), Is.LessThanOrEqualTo(10), "≤ 5 Mbit/s × 10 ms (~5 packets) plus the burst budget per step");
            Assert.That(a.PacerCounters.Dropped, Is.Zero);
            Assert.That(b.SrtpCounters.PacketsReceived - receivedBefore, Is.EqualTo(a.SrtpCounters.PacketsSent - sentBefore), "every packet arrived");
            Assert.That(remote.PacketsReceived, Is.EqualTo(sender.PacketsSent));
        });
    }

    [Test]
    public async Task KeyFrameOf200KB_WithPacingOff_LeavesAtOnce()
    {
        await using var pair = new VirtualPeerPair(seed: 7, pacing: new RTCPacingOptions { Enabled = false });
        var (video, _, _) = await ConnectAsync(pair);
        var a = VirtualPeerPair.TransportOf(pair.A);
        var sentBefore = a.SrtpCounters.PacketsSent;
        await video.WriteFrameAsync(new EncodedFrame(SyntheticH264.KeyFrame(KeyFrameBytes, 1), TimeSpan.Zero, true));
        Assert.That(a.PacingEnabled, Is.False);
        Assert.That(a.PacerCounters.QueuedPackets, Is.Zero);
        Assert.That(a.SrtpCounters.PacketsSent - sentBefore, Is.GreaterThan(150), "the whole frame left in the write");
    }

    [Test]
    public async Task KeyFrame_QueueOverItsDelayBound_DropsTheOldestVideo_AndAsksForAKeyFrame()
    {
        await using var pair = new VirtualPeerPair(seed: 7, pacing: new RTCPacingOptions { MaxQueueDelay = TimeSpan.FromMilliseconds(50) });
        var (video, _, _) = await ConnectAsync(pair);
        var a = VirtualPeerPair.TransportOf(pair.A);
        await pair.RunForAsync(TimeSpan.FromSeconds(1)); // past the rate limit of the request made when the track was bound
        var requests = video.KeyFrameRequests;
        await video.WriteFrameAsync(new EncodedFrame(SyntheticH264.KeyFrame(KeyFrameBytes, 1), TimeSpan.Zero, true));
        var counters = a.PacerCounters;
        Assert.Multiple(() =>
        {
            // 50 ms at 5 Mbit/s holds ~31 KB: the rest of the 200 KB frame is dropped, oldest first.
            Assert.That(counters.Dropped, Is.GreaterThan(100));
            Assert.That(counters.QueuedBytes, Is.LessThanOrEqualTo(5_000_000 / 8 / 20 + 1500));
            Assert.That(video.KeyFrameRequests, Is.EqualTo(requests + 1), "the sender asks its track for a key frame");
            Assert.That(((IRtpPacketSink)a).PacerDroppedPackets, Is.EqualTo(counters.Dropped));
        });
    }

    [Test]
    public void Options_OutOfRange_Throw()
    {
        Assert.That(() => new RTCPeerConnection(options: new RTCPeerConnectionOptions { Pacing = new RTCPacingOptions { PacingFactor = 0.5 } }),
            Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new RTCPeerConnection(options: new RTCPeerConnectionOptions { Pacing = new RTCPacingOptions { MaxQueueDelay = TimeSpan.Zero } }),
            Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    private static async Task<(EncodedFrameTrack Video, EncodedFrameTrack Audio, RemoteMediaTrack Remote)> ConnectAsync(VirtualPeerPair pair)
    {
        var video = new EncodedFrameTrack(RTCRtpCodec.H264) { TimeProvider = pair.Time };
        var audio = new EncodedFrameTrack(RTCRtpCodec.Opus) { TimeProvider = pair.Time };
        pair.A.AddTrack(video, "camera");
        pair.A.AddTrack(audio, "camera");
        var videoAtB = new TaskCompletionSource<RemoteMediaTrack>(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.B.Track += (_, e) =>
        {
            if (e.Track.Kind == MediaStreamTrackKind.Video)
            {
                videoAtB.TrySetResult(e.Track);
            }
        };
        await pair.NegotiateAsync(pair.A);
        var remote = await videoAtB.Task.WaitAsync(VirtualPeerPair.SettleLimit);
        await pair.ConnectAsync(TimeSpan.FromSeconds(10));
        return (video, audio, remote);
    }

    private static byte[] OpusFrame(int seed)
    {
        var opus = new byte[80];
        opus[0] = 11 << 3;
        opus[1] = (byte)seed;
        return opus;
    }
}
