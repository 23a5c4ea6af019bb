using System.Buffers.Binary;
using System.Diagnostics;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection.Rtcp;
using Kvs.WebRtc.PeerConnection.Tests.Congestion;
using Kvs.WebRtc.PeerConnection.Tests.PeerConnection;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Media;

/// <summary>
/// A peer that floods our sender with hostile RTCP (authenticated SRTCP, so it passes every check below the media
/// layer), on the virtual network and the manual clock: PLI/FIR floods, transport-wide feedback with absurd counts and
/// deltas, compounds with bogus lengths. The sender stays bounded: coalesced key-frame requests, no packets sent in
/// answer, an estimate within its limits, malformed datagrams dropped whole and logged once per interval.
/// </summary>
[TestFixture]
public sealed class RTCPeerConnectionHostileRtcpTests
{
    private static readonly TimeSpan s_frameInterval = TimeSpan.FromMilliseconds(33);
    private static readonly TimeSpan s_step = TimeSpan.FromMilliseconds(10);

    [Test]
    public async Task PliAndFirFlood_KeyFrameRequestsStayCoalesced_AndNothingIsSentInAnswer()
    {
        await using var pair = new VirtualPeerPair(seed: 61);
        var track = new EncodedFrameTrack(RTCRtpCodec.H264) { TimeProvider = pair.Time };
        var remote = await ConnectAsync(pair, track);
        await track.WriteFrameAsync(new EncodedFrame(SyntheticH264.KeyFrame(5000, 1), TimeSpan.Zero, true));
        await pair.RunUntilAsync(() => remote.FramesReceived == 1, TimeSpan.FromSeconds(1), "the first key frame");
        await pair.RunForAsync(TimeSpan.FromSeconds(1)); // past the key-frame request rate limit

        var ssrc = pair.A.GetSenders()[0].Ssrc;
        var hostile = VirtualPeerPair.TransportOf(pair.B);
        var requestsBefore = track.KeyFrameRequests;
        var sentBefore = pair.HostA.Uplink.Counters.Sent;
        var reportsBefore = pair.A.RtcpReportsSent;
        const int Steps = 200; // 2 s
        const int PerStep = 20; // 2,000 PLIs and 2,000 FIRs per second
        var pli = new byte[RtcpFeedback.CommonLength];
        RtcpFeedback.WriteCommon(pli, RtcpPacketType.PayloadSpecificFeedback, RtcpFeedbackFormat.PictureLossIndication, pli.Length, 0x4242, ssrc);
        var fir = new byte[RtcpFullIntraRequest.GetSize(1)];
        byte firSequence = 0;
        for (var step = 0; step < Steps; step++)
        {
            for (var i = 0; i < PerStep; i++)
            {
                RtcpFullIntraRequest.Write(fir, 0x4242, [new RtcpFirEntry(ssrc, firSequence++)]);
                Assert.That(hostile.TrySendRtcp(pli), Is.True);
                Assert.That(hostile.TrySendRtcp(fir), Is.True);
            }

            await pair.RunForAsync(s_step);
        }

        var outbound = pair.A.GetStats().Stats.OfType<RTCOutboundRtpStreamStats>().Single();
        var requests = track.KeyFrameRequests - requestsBefore;
        var sent = pair.HostA.Uplink.Counters.Sent - sentBefore;
        var reports = pair.A.RtcpReportsSent - reportsBefore;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(outbound.PliCount, Is.EqualTo(Steps * PerStep), "every PLI was counted");
            Assert.That(outbound.FirCount, Is.EqualTo(Steps * PerStep), "every FIR was counted");
            Assert.That(requests, Is.InRange(1, 5), "8,000 requests in 2 s reach the application at most every 500 ms");
            Assert.That(sent - reports, Is.LessThanOrEqualTo(4), "no packet in answer: only the periodic reports (and consent checks) left");
            Assert.That(pair.A.RtcpPacketsMalformed, Is.Zero);
        }
    }

    [Test]
    public async Task TransportFeedbackWithAbsurdCountsAndDeltas_NoFailure_EstimateWithinLimits_StreamUnaffected()
    {
        await using var pair = new VirtualPeerPair(seed: 62);
        var track = new EncodedFrameTrack(RTCRtpCodec.H264) { TimeProvider = pair.Time };
        var remote = await ConnectAsync(pair, track);
        var frame = 0;
        async Task StreamAsync(int frames, Action? perFrame = null)
        {
            for (var end = frame + frames; frame < end; frame++)
            {
                var data = frame == 0 ? SyntheticH264.KeyFrame(8000, 1) : SyntheticH264.Delta(1500 + (frame * 37 % 1000), frame);
                await track.WriteFrameAsync(new EncodedFrame(data, s_frameInterval * frame, frame == 0));
                perFrame?.Invoke();
                await pair.RunForAsync(s_frameInterval);
            }
        }

        await StreamAsync(60); // 2 s: the peer's own feedback gave an estimate
        Assert.That(pair.A.TargetBitrate, Is.Not.Null);
        var hostile = VirtualPeerPair.TransportOf(pair.B);
        var transportA = VirtualPeerPair.TransportOf(pair.A);
        var (_, malformedBefore) = transportA.BandwidthFeedbackCounters;
        var random = new Random(62);
        var absurd = 0;
        var sentBefore = pair.HostA.Uplink.Counters.Sent;
        var outboundBefore = pair.A.GetStats().Stats.OfType<RTCOutboundRtpStreamStats>().Single().PacketsSent;
        var reportsBefore = pair.A.RtcpReportsSent;
        var stopwatch = Stopwatch.StartNew();
        await StreamAsync(90, () =>
        {
            // ~30 hostile feedbacks per frame (~900/s): 65,535 "lost" statuses from anywhere, wild arrival deltas,
            // a status count the chunks do not cover, the largest reference time.
            for (var i = 0; i < 10; i++)
            {
                var baseSeq = (ushort)random.Next(65536);
                Assert.That(hostile.TrySendRtcp(AllLostFeedback(baseSeq)), Is.True);
                Assert.That(hostile.TrySendRtcp(WildDeltasFeedback(baseSeq, random)), Is.True);
                Assert.That(hostile.TrySendRtcp(TruncatedFeedback(baseSeq)), Is.True);
                absurd += 3;
            }
        });
        stopwatch.Stop();

        var (_, malformed) = transportA.BandwidthFeedbackCounters;
        var outbound = pair.A.GetStats().Stats.OfType<RTCOutboundRtpStreamStats>().Single();
        var sent = pair.HostA.Uplink.Counters.Sent - sentBefore;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(absurd, Is.EqualTo(2700));
            Assert.That(malformed - malformedBefore, Is.EqualTo(900), "every truncated feedback was rejected by the parser");
            Assert.That(pair.A.TargetBitrate, Is.InRange(30_000, 10_000_000), "clamped to the estimator's limits");
            Assert.That(remote.FramesReceived, Is.EqualTo(150), "the stream went on");
            Assert.That(sent - (outbound.PacketsSent - outboundBefore) - (pair.A.RtcpReportsSent - reportsBefore), Is.LessThanOrEqualTo(5),
                "nothing was sent in answer (but a consent check)");
            Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)), "bounded work per feedback (each is capped at the send history)");
            Assert.That(pair.A.RtcpPacketsMalformed, Is.Zero, "the compounds themselves were well formed");
        }
    }

    [Test]
    public async Task CompoundWithBogusLength_DroppedWholeCountedAndLoggedOncePerInterval()
    {
        var log = new CapturingLoggerProvider();
        await using var pair = new VirtualPeerPair(seed: 63, loggerFactoryA: log);
        var track = new EncodedFrameTrack(RTCRtpCodec.H264) { TimeProvider = pair.Time };
        var remote = await ConnectAsync(pair, track);
        await track.WriteFrameAsync(new EncodedFrame(SyntheticH264.KeyFrame(5000, 1), TimeSpan.Zero, true));
        await pair.RunUntilAsync(() => remote.FramesReceived == 1, TimeSpan.FromSeconds(1), "the first key frame");

        var ssrc = pair.A.GetSenders()[0].Ssrc;
        var hostile = VirtualPeerPair.TransportOf(pair.B);

        // A valid PLI followed by a packet whose length field claims 1 KiB of the 8 bytes left: the PLI must not count.
        var bogus = new byte[RtcpFeedback.CommonLength + 8];
        RtcpFeedback.WriteCommon(bogus, RtcpPacketType.PayloadSpecificFeedback, RtcpFeedbackFormat.PictureLossIndication, RtcpFeedback.CommonLength, 0x4242, ssrc);
        bogus[RtcpFeedback.CommonLength] = 0x80;
        bogus[RtcpFeedback.CommonLength + 1] = (byte)RtcpPacketType.ReceiverReport;
        BinaryPrimitives.WriteUInt16BigEndian(bogus.AsSpan(RtcpFeedback.CommonLength + 2), 255);
        for (var i = 0; i < 1000; i++)
        {
            Assert.That(hostile.TrySendRtcp(bogus), Is.True);
            if (i % 100 == 99)
            {
                await pair.RunForAsync(TimeSpan.FromMilliseconds(100));
            }
        }

        await pair.RunForAsync(TimeSpan.FromMilliseconds(100));
        int Logged() => log.Entries.Count(e => e.EventId.Id == 5820);
        var afterFlood = pair.A.GetStats().Stats.OfType<RTCOutboundRtpStreamStats>().Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(pair.A.RtcpPacketsMalformed, Is.EqualTo(1000));
            Assert.That(afterFlood.PliCount, Is.Zero, "nothing of a malformed compound is used");
            Assert.That(Logged(), Is.EqualTo(1), "logged once for the whole flood");
        }

        await pair.RunForAsync(RTCPeerConnection.MalformedRtcpLogInterval);
        Assert.That(hostile.TrySendRtcp(bogus), Is.True);
        Assert.That(hostile.TrySendRtcp(bogus.AsSpan(0, RtcpFeedback.CommonLength)), Is.True, "the PLI alone is fine");
        await pair.RunForAsync(TimeSpan.FromMilliseconds(100));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Logged(), Is.EqualTo(2), "once more after the interval");
            Assert.That(log.Entries.Last(e => e.EventId.Id == 5820).Message, Does.Contain("Dropped 1000 malformed").And.Contain("1001 in all"));
            Assert.That(pair.A.RtcpPacketsMalformed, Is.EqualTo(1001));
            Assert.That(pair.A.GetStats().Stats.OfType<RTCOutboundRtpStreamStats>().Single().PliCount, Is.EqualTo(1));
        }
    }

    private static async Task<RemoteMediaTrack> ConnectAsync(VirtualPeerPair pair, EncodedFrameTrack track)
    {
        pair.A.AddTrack(track, "camera");
        var trackEvent = RTCPeerConnectionMediaTests.NextTrackAsync(pair.B, CancellationToken.None);
        await pair.NegotiateAsync(pair.A);
        var args = await trackEvent.WaitAsync(VirtualPeerPair.SettleLimit);
        await pair.ConnectAsync(TimeSpan.FromSeconds(10));
        return args.Track;
    }

    // 65,535 "not received" statuses in nine run-length chunks (28 bytes for the whole range of sequence numbers).
    private static byte[] AllLostFeedback(ushort baseSeq)
    {
        const int Count = 65_535;
        var packet = FeedbackHeader(baseSeq, Count, chunkBytes: 18, deltaBytes: 0, referenceTime: 0xFFFFFF);
        var remaining = Count;
        for (var c = 0; c < 9; c++)
        {
            var run = Math.Min(remaining, 8191);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(20 + (c * 2)), (ushort)run); // symbol 0: not received
            remaining -= run;
        }

        return packet;
    }

    // 200 received packets whose arrival times jump by up to ±8 s each (large deltas).
    private static byte[] WildDeltasFeedback(ushort baseSeq, Random random)
    {
        var arrival = 60_000_000L;
        var received = new List<(ushort, long)>();
        for (var i = 0; i < 200; i++)
        {
            arrival = Math.Max(0, arrival + random.Next(-8_000_000, 8_000_000));
            received.Add(((ushort)(baseSeq + i), arrival));
        }

        return FeedbackFactory.Build(baseSeq, received, (byte)random.Next(256));
    }

    // A status count of 100 but a single one-status chunk and no deltas: the parser must reject it.
    private static byte[] TruncatedFeedback(ushort baseSeq)
    {
        var packet = FeedbackHeader(baseSeq, 100, chunkBytes: 2, deltaBytes: 0, referenceTime: 1);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(20), (ushort)((1 << 13) | 100)); // 100 "received, small delta": 100 delta bytes missing
        return packet;
    }

    private static byte[] FeedbackHeader(ushort baseSeq, int count, int chunkBytes, int deltaBytes, int referenceTime)
    {
        var length = (20 + chunkBytes + deltaBytes + 3) / 4 * 4;
        var packet = new byte[length];
        packet[0] = (byte)(0x80 | RtcpFeedbackFormat.TransportWideCc);
        packet[1] = (byte)RtcpPacketType.TransportFeedback;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)((length / 4) - 1));
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), 0x4242);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(12), baseSeq);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(14), (ushort)count);
        packet[16] = (byte)(referenceTime >> 16);
        packet[17] = (byte)(referenceTime >> 8);
        packet[18] = (byte)referenceTime;
        return packet;
    }
}
