using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection.Rtp;
using Kvs.WebRtc.PeerConnection.Tests.PeerConnection;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Media;

/// <summary>
/// Transport-wide congestion control between two of our connections: header extensions written per connection on
/// send (mid, abs-send-time, one transport-wide sequence counter across SSRCs), the send history, and TWCC feedback
/// from the receiver (on by default, off by option); and the batch send path with extensions staying allocation-free
/// and GSO-batched.
/// </summary>
[TestFixture]
public sealed class RTCPeerConnectionTransportCcTests
{
    [TestCase(true)]
    [TestCase(false)]
    public async Task VideoAndAudio_OnTheVirtualNetwork_EveryPacketCarriesOurExtensionsAndOneTransportSequence_FeedbackFlowsUnlessDisabled(bool feedback)
    {
        await using var pair = new VirtualPeerPair(seed: 3);
        pair.B.TransportForTests.TransportFeedbackEnabled = feedback;
        var video = new EncodedFrameTrack(RTCRtpCodec.H264) { TimeProvider = pair.Time };
        var audio = new EncodedFrameTrack(RTCRtpCodec.Opus) { TimeProvider = pair.Time };
        pair.A.AddTrack(video);
        pair.A.AddTrack(audio);
        var tracks = new List<RTCTrackEventArgs>();
        pair.B.Track += (_, e) =>
        {
            lock (tracks)
            {
                tracks.Add(e);
            }
        };

        await pair.NegotiateAsync(pair.A);
        await pair.ConnectAsync(TimeSpan.FromSeconds(10));
        await pair.SettleAsync(() => { lock (tracks) { return tracks.Count == 2; } }, "both tracks announced");
        RemoteMediaTrack remoteVideo, remoteAudio;
        lock (tracks)
        {
            remoteVideo = tracks.Single(t => t.Track.Kind == MediaStreamTrackKind.Video).Track;
            remoteAudio = tracks.Single(t => t.Track.Kind == MediaStreamTrackKind.Audio).Track;
        }

        var firstVideo = remoteVideo.ReadRtpAsync().AsTask();
        var firstAudio = remoteAudio.ReadRtpAsync().AsTask();
        var frames = SyntheticH264.Sequence(count: 30, keyFrameInterval: 15, seed: 9);
        var opus = new byte[80];
        opus[0] = 11 << 3;
        for (var i = 0; i < frames.Count; i++)
        {
            await video.WriteFrameAsync(new EncodedFrame(frames[i].Data, TimeSpan.FromMilliseconds(i * 33), frames[i].IsKeyFrame));
            await audio.WriteFrameAsync(opus, TimeSpan.FromMilliseconds(20));
            await pair.RunForAsync(TimeSpan.FromMilliseconds(33));
        }

        await pair.RunForAsync(TimeSpan.FromMilliseconds(300));
        var videoPackets = await DrainAsync(remoteVideo, firstVideo);
        var audioPackets = await DrainAsync(remoteAudio, firstAudio);

        var videoMid = pair.A.GetTransceivers().Single(t => t.Kind == MediaStreamTrackKind.Video).Mid;
        var audioMid = pair.A.GetTransceivers().Single(t => t.Kind == MediaStreamTrackKind.Audio).Mid;
        var sequences = new List<int>();
        foreach (var (packets, mid) in new[] { (videoPackets, videoMid), (audioPackets, audioMid) })
        {
            Assert.That(packets, Is.Not.Empty);
            foreach (var packet in packets)
            {
                var bytes = packet.Packet.Span;
                Assert.That(RtpHeader.TryParse(bytes, out var header) && header.HasOneByteExtensions, Is.True);
                Assert.That(header.TryGetExtension(bytes, 1, out var midValue) && SdesItemExtension.ValueEquals(midValue, mid), Is.True, "mid on every packet");
                Assert.That(header.TryGetExtension(bytes, 2, out var abs) && AbsSendTimeExtension.TryRead(abs, out _), Is.True, "abs-send-time");
                Assert.That(header.TryGetExtension(bytes, 3, out var seq) && TransportSequenceNumberExtension.TryRead(seq, out var s), Is.True, "transport-wide sequence");
                TransportSequenceNumberExtension.TryRead(seq, out var sequence);
                sequences.Add(sequence);
            }
        }

        sequences.Sort();
        Assert.That(sequences, Is.EqualTo(Enumerable.Range(sequences[0], sequences.Count)), "one counter across both SSRCs, no gap, no repeat");
        Assert.That(pair.A.TransportSendHistory.RecordedCount, Is.EqualTo(sequences.Count));
        Assert.That(pair.A.TransportSendHistory.TryGet((ushort)sequences[^1], out var size, out var sent) && size > 0 && sent > 0, Is.True);

        var (feedbackSent, recorded) = pair.B.TransportForTests.TransportFeedbackCounters;
        if (feedback)
        {
            Assert.That(recorded, Is.EqualTo(sequences.Count), "every packet recorded for feedback");
            Assert.That(feedbackSent, Is.InRange(10, 40), "about one per 50 ms over ~1.3 s");
        }
        else
        {
            Assert.That((feedbackSent, recorded), Is.EqualTo((0L, 0L)));
        }
    }

    [Test]
    public async Task TrySendRtpBatch_WithHeaderExtensions_AfterWarmUp_AllocatesNothing_KeepsSegmentBatches_AndRecordsEveryPacket()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        // The direct batch path (pacing off): 1,500 packets written at once would otherwise wait in the pacer.
        await using var pair = new PeerPair(new RTCPeerConnectionOptions { Pacing = new RTCPacingOptions { Enabled = false } });
        pair.A.AddTrack(new EncodedFrameTrack(RTCRtpCodec.H264));
        await pair.NegotiateAsync(pair.A, ct: cts.Token);
        await PeerPair.WaitForStateAsync(pair.A, RTCPeerConnectionState.Connected, cts.Token);
        var transport = pair.A.TransportForTests;
        var ssrc = pair.A.GetTransceivers()[0].Model.SendSsrc;
        var packets = new byte[15][];
        var lengths = new int[15];
        for (var i = 0; i < packets.Length; i++)
        {
            lengths[i] = i == packets.Length - 1 ? 400 : 1212;
            packets[i] = new byte[lengths[i]];
            packets[i][0] = 0x80;
            packets[i][3] = (byte)i;
        }

        for (var i = 0; i < 100; i++)
        {
            Assert.That(transport.TrySendRtpBatch(packets, lengths, packets.Length, 102, ssrc, out _), Is.EqualTo(packets.Length));
        }

        long recorded, batches, allocated;
        ushort next;
        using (transport.Loop.Enter())
        {
            // This thread owns the loop: sends that met it busy during the warm-up are done, and every send below runs
            // inline (the steady-state path), none queued behind a received packet.
            recorded = transport.SendHistory.RecordedCount;
            batches = transport.SegmentBatchesSent;
            next = transport.NextTransportSequenceNumber;
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100; i++)
            {
                transport.TrySendRtpBatch(packets, lengths, packets.Length, 102, ssrc, out _);
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.That(allocated, Is.Zero);
        Assert.That(transport.SendHistory.RecordedCount - recorded, Is.EqualTo(1500));
        Assert.That(transport.NextTransportSequenceNumber, Is.EqualTo((ushort)(next + 1500)));
        Assert.That(transport.SegmentBatchesSent - batches, OperatingSystem.IsLinux() ? Is.GreaterThanOrEqualTo(100) : Is.Zero,
            "the 14 equal packets of each batch still leave in one socket call");
    }

    private static async Task<List<RtpPacketData>> DrainAsync(RemoteMediaTrack track, Task<RtpPacketData> first)
    {
        var packets = new List<RtpPacketData> { await first.WaitAsync(VirtualPeerPair.SettleLimit) };
        while (packets.Count < track.PacketsReceived)
        {
            packets.Add(await track.ReadRtpAsync().AsTask().WaitAsync(VirtualPeerPair.SettleLimit));
        }

        return packets;
    }
}
