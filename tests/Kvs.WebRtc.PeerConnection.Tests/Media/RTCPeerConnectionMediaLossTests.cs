using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection.Tests.PeerConnection;
using Kvs.WebRtc.Testing.Network;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Media;

/// <summary>
/// Video over a lossy virtual link, on the manual clock: what the receiver gets is whole frames only, losses are counted
/// and answered with PLI, and the sender's key frame restores the stream. NACK/RTX is turned off here so that lost
/// packets stay lost (loss recovery is tested in <see cref="RTCPeerConnectionNackTests"/>).
/// </summary>
[TestFixture]
public sealed class RTCPeerConnectionMediaLossTests
{
    private static readonly TimeSpan s_frameInterval = TimeSpan.FromMilliseconds(33);

    [Test]
    public async Task H264OverFivePercentLoss_OnlyWholeFramesArrive_LossesAskForKeyFrames_AndTheStreamRecoversWhenLossEnds()
    {
        const int LossyFrames = 150;
        const int CleanFrames = 60;
        await using var pair = new VirtualPeerPair(seed: 21, nack: new RTCNackOptions { Enabled = false });
        var track = new EncodedFrameTrack(RTCRtpCodec.H264) { TimeProvider = pair.Time };
        var raised = 0;
        track.KeyFrameRequested += (_, _) => Interlocked.Increment(ref raised);
        pair.A.AddTrack(track, "camera");
        var trackEvent = RTCPeerConnectionMediaTests.NextTrackAsync(pair.B, CancellationToken.None);
        await pair.NegotiateAsync(pair.A);
        var remote = (await trackEvent.WaitAsync(VirtualPeerPair.SettleLimit)).Track;
        await pair.ConnectAsync(TimeSpan.FromSeconds(10));
        var requestsBeforeMedia = track.KeyFrameRequests;

        // Media A → B loses 5%; B's RTCP (PLI) comes back on a clean link.
        pair.HostA.Uplink.Conditions = new LinkConditions { LossRate = 0.05, Delay = TimeSpan.FromMilliseconds(20), Jitter = TimeSpan.FromMilliseconds(2) };
        pair.HostB.Uplink.Conditions = new LinkConditions { Delay = TimeSpan.FromMilliseconds(20) };
        var sent = new List<(byte[] Data, bool IsKeyFrame)>();
        var received = new List<EncodedFrame>();
        await using var reader = remote.ReadFramesAsync().GetAsyncEnumerator();
        var answered = -1L;
        for (var i = 0; i < LossyFrames + CleanFrames; i++)
        {
            if (i == LossyFrames)
            {
                pair.HostA.Uplink.Conditions = new LinkConditions { Delay = TimeSpan.FromMilliseconds(20) };
            }

            // The "encoder": a key frame first and whenever the track was asked for one since the last (read on this
            // thread: the count moves when the PLI is processed, the event follows on the pool).
            var requests = track.KeyFrameRequests;
            var isKey = requests != answered;
            answered = requests;
            var data = isKey ? SyntheticH264.KeyFrame(4000 + i, 1000 + i) : SyntheticH264.Delta(600 + (i * 37 % 2400), 1000 + i);
            sent.Add((data, isKey));
            await track.WriteFrameAsync(new EncodedFrame(data, s_frameInterval * i, isKey));
            await pair.RunForAsync(s_frameInterval);
            await DrainAsync(remote, reader, received);
        }

        await pair.RunForAsync(TimeSpan.FromMilliseconds(200));
        await DrainAsync(remote, reader, received);

        // Every frame that arrived is one that was sent, whole and byte-identical, in sending order, once.
        var indexes = received.Select(f => sent.FindIndex(s => s.Data.AsSpan().SequenceEqual(f.Data.Span))).ToList();
        Assert.That(indexes, Has.None.EqualTo(-1), "no frame arrived that was not sent byte for byte");
        Assert.That(indexes, Is.Ordered.Ascending.And.Unique);
        Assert.That(received.Select(f => f.IsKeyFrame), Is.EqualTo(indexes.Select(i => sent[i].IsKeyFrame)));
        Assert.That(received[0].IsKeyFrame, Is.True);
        Assert.That(remote.FramesReceived, Is.EqualTo(received.Count));
        Assert.That(remote.FramesOverflowed, Is.Zero);

        // Loss made frames incomplete: dropped and counted, never delivered.
        Assert.That(pair.HostA.Uplink.Counters.DroppedBy(DropReason.Loss), Is.GreaterThan(0));
        Assert.That(received, Has.Count.LessThan(sent.Count));
        Assert.That(remote.FramesDropped, Is.GreaterThan(0));

        // The receiver sent PLI, the track raised KeyFrameRequested, and the writer's key frames answered it.
        Assert.That(track.KeyFrameRequests, Is.GreaterThan(requestsBeforeMedia), "PLI reached the sender");
        Assert.That(sent.Skip(1).Count(s => s.IsKeyFrame), Is.GreaterThan(0));
        Assert.That(indexes.Skip(1).Any(i => sent[i].IsKeyFrame), Is.True, "a requested key frame arrived");
        await pair.SettleAsync(() => Volatile.Read(ref raised) == track.KeyFrameRequests, "KeyFrameRequested events");

        // After the loss period the stream runs whole again: the last second of frames all arrived.
        var lastSecond = Enumerable.Range(LossyFrames + CleanFrames - 30, 30);
        Assert.That(indexes, Is.SupersetOf(lastSecond));
    }

    // Frames the receive path has published (counted on this thread) are in the track's buffer: read exactly those.
    private static async Task DrainAsync(RemoteMediaTrack remote, IAsyncEnumerator<EncodedFrame> reader, List<EncodedFrame> received)
    {
        while (received.Count < remote.FramesReceived)
        {
            Assert.That(await reader.MoveNextAsync().AsTask().WaitAsync(VirtualPeerPair.SettleLimit), Is.True);
            received.Add(reader.Current);
        }
    }
}
