using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection.Tests.PeerConnection;
using Kvs.WebRtc.Testing.Network;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Media;

/// <summary>
/// RTCP reports between two of our connections on the virtual network and the manual clock: sender and receiver
/// reports on the randomized interval, loss and jitter as the receiver counted them, the round-trip time from
/// LSR/DLSR, the sender's reports on the receiving side, BYE, and the typed W3C stats that show them.
/// </summary>
[TestFixture]
public sealed class RTCPeerConnectionRtcpTests
{
    private static readonly TimeSpan s_frameInterval = TimeSpan.FromMilliseconds(33);
    private static readonly TimeSpan s_oneWayDelay = TimeSpan.FromMilliseconds(25);

    [Test]
    public async Task VideoOverLossyDelayedLink_ReportsShowTheLinksLossJitterAndRoundTripTime()
    {
        const int Frames = 300; // 10 s
        await using var pair = new VirtualPeerPair(seed: 33);
        var track = new EncodedFrameTrack(RTCRtpCodec.H264) { TimeProvider = pair.Time };
        pair.A.AddTrack(track, "camera");
        var trackEvent = RTCPeerConnectionMediaTests.NextTrackAsync(pair.B, CancellationToken.None);
        await pair.NegotiateAsync(pair.A);
        await trackEvent.WaitAsync(VirtualPeerPair.SettleLimit);
        await pair.ConnectAsync(TimeSpan.FromSeconds(10));

        pair.HostA.Uplink.Conditions = new LinkConditions { LossRate = 0.05, Delay = s_oneWayDelay, Jitter = TimeSpan.FromMilliseconds(3) };
        pair.HostB.Uplink.Conditions = new LinkConditions { Delay = s_oneWayDelay };
        var sentBefore = pair.HostA.Uplink.Counters.Sent;
        var dropsBefore = pair.HostA.Uplink.Counters.DroppedBy(DropReason.Loss);
        var reportsBefore = pair.A.RtcpReportsSent;
        var fractions = new List<double>();
        var lastReports = 0L;
        for (var i = 0; i < Frames; i++)
        {
            var data = i == 0 ? SyntheticH264.KeyFrame(3000, 1) : SyntheticH264.Delta(500 + (i * 53 % 1800), 1 + i);
            await track.WriteFrameAsync(new EncodedFrame(data, s_frameInterval * i, i == 0));
            await pair.RunForAsync(s_frameInterval);
            if (RemoteInbound(pair.A) is { } remote && remote.ReportsReceived != lastReports)
            {
                lastReports = remote.ReportsReceived;
                fractions.Add(remote.FractionLost);
            }
        }

        var reportsWhileStreaming = pair.A.RtcpReportsSent - reportsBefore;
        var sentDuringLoss = pair.HostA.Uplink.Counters.Sent - sentBefore;
        var linkDrops = pair.HostA.Uplink.Counters.DroppedBy(DropReason.Loss) - dropsBefore;
        pair.HostA.Uplink.Conditions = new LinkConditions { Delay = s_oneWayDelay };
        var streamingEnded = pair.Time.GetUtcNow();
        await pair.RunForAsync(TimeSpan.FromSeconds(3)); // a last RR of B covers every packet

        var outbound = pair.A.GetStats().Stats.OfType<RTCOutboundRtpStreamStats>().Single();
        var remoteInbound = RemoteInbound(pair.A)!;
        var statsB = pair.B.GetStats().Stats;
        var inbound = statsB.OfType<RTCInboundRtpStreamStats>().Single();
        var remoteOutbound = statsB.OfType<RTCRemoteOutboundRtpStreamStats>().Single();
        var mediaLost = outbound.PacketsSent - inbound.PacketsReceived;
        using (Assert.EnterMultipleScope())
        {
            // Reports every 1 s on average (video), randomized in [0.5, 1.5] s.
            Assert.That(reportsWhileStreaming, Is.InRange(6, 16));

            // The receiver's count of loss is the link's: every media packet the link dropped, and nothing else.
            Assert.That(mediaLost, Is.GreaterThan(0));
            Assert.That(mediaLost, Is.LessThanOrEqualTo(linkDrops));
            Assert.That(linkDrops - mediaLost, Is.LessThanOrEqualTo(sentDuringLoss - outbound.PacketsSent), "the other drops were RTCP or STUN");
            Assert.That(inbound.PacketsLost, Is.InRange(mediaLost - 2, mediaLost), "RFC 3550 A.3 cannot see a loss after the highest sequence number");
            Assert.That(remoteInbound.PacketsLost, Is.EqualTo(inbound.PacketsLost), "the sender sees what the receiver counted");
            Assert.That(fractions, Has.Count.GreaterThanOrEqualTo(6));
            Assert.That(fractions.Average(), Is.EqualTo((double)mediaLost / outbound.PacketsSent).Within(0.03));

            // Jitter of the link (uniform ±3 ms) as the receiver measured it, in seconds, and as the sender learned it.
            Assert.That(inbound.Jitter, Is.InRange(0.0002, 0.005));
            Assert.That(remoteInbound.Jitter, Is.InRange(0.0002, 0.005));

            // RTT = both one-way delays (the RR's DLSR removes the receiver's holding time); the SR's way has ±3 ms of jitter.
            Assert.That(remoteInbound.RoundTripTime, Is.EqualTo(2 * s_oneWayDelay.TotalSeconds).Within(0.0031));
            Assert.That(remoteInbound.RoundTripTimeMeasurements, Is.GreaterThanOrEqualTo(6));
            Assert.That(remoteInbound.TotalRoundTripTime / remoteInbound.RoundTripTimeMeasurements, Is.EqualTo(0.050).Within(0.002));

            // The receiver kept the sender's SRs: remote-outbound counts and wall clock.
            Assert.That(remoteOutbound.LocalId, Is.EqualTo(inbound.Id));
            Assert.That(inbound.RemoteId, Is.EqualTo(remoteOutbound.Id));
            Assert.That(remoteOutbound.PacketsSent, Is.InRange(outbound.PacketsSent - 60, outbound.PacketsSent));
            Assert.That(remoteOutbound.BytesSent, Is.InRange(1, outbound.BytesSent));
            Assert.That(remoteOutbound.ReportsSent, Is.GreaterThanOrEqualTo(8));
            // SRs continue while the stream is idle for at most two intervals (RFC 3550 §6.4), then A is a receiver only.
            Assert.That(remoteOutbound.RemoteTimestamp, Is.InRange(streamingEnded - TimeSpan.FromSeconds(0.1), streamingEnded + TimeSpan.FromSeconds(2)));

            // The typed objects are linked by id and carry the stream's identity.
            Assert.That(outbound.RemoteId, Is.EqualTo(remoteInbound.Id));
            Assert.That(remoteInbound.LocalId, Is.EqualTo(outbound.Id));
            Assert.That(inbound.Ssrc, Is.EqualTo(outbound.Ssrc));
            Assert.That(outbound.Ssrc, Is.EqualTo(pair.A.GetSenders().Single().Ssrc));
            Assert.That(outbound.Kind, Is.EqualTo(MediaStreamTrackKind.Video));
            Assert.That(outbound.FramesSent, Is.EqualTo(Frames));
            Assert.That(outbound.KeyFramesEncoded, Is.GreaterThanOrEqualTo(1));
            Assert.That(inbound.FramesReceived + inbound.FramesDropped, Is.LessThanOrEqualTo(Frames));
            Assert.That(inbound.NackCount, Is.GreaterThan(0), "losses made the receiver send NACKs");
            Assert.That(outbound.NackCount, Is.EqualTo(inbound.NackCount), "every NACK crossed the clean link back");
            Assert.That(inbound.RetransmittedPacketsReceived, Is.GreaterThan(0).And.LessThanOrEqualTo(outbound.RetransmittedPacketsSent), "repairs sent as RTX arrived (the lossy link may lose some)");
            Assert.That(outbound.PliCount, Is.EqualTo(inbound.PliCount), "every PLI crossed the clean link back");
            Assert.That(inbound.Mid, Is.EqualTo(outbound.Mid).And.Not.Null);
            var codec = statsB.OfType<RTCCodecStats>().Single(c => c.Id == inbound.CodecId);
            Assert.That(codec.MimeType, Is.EqualTo("video/H264"));
            Assert.That(codec.ClockRate, Is.EqualTo(90000));
            Assert.That(inbound.LastPacketReceivedTimestamp, Is.LessThan(pair.Time.GetUtcNow()).And.GreaterThan(pair.Time.GetUtcNow() - TimeSpan.FromSeconds(4)));
        }
    }

    [Test]
    public async Task StopAndClose_SendByeForEachSenderThatSent()
    {
        await using var pair = new VirtualPeerPair(seed: 34);
        var video = new EncodedFrameTrack(RTCRtpCodec.H264) { TimeProvider = pair.Time };
        var audio = new EncodedFrameTrack(RTCRtpCodec.Opus) { TimeProvider = pair.Time };
        var videoSender = pair.A.AddTrack(video, "s");
        pair.A.AddTrack(audio, "s");
        await pair.NegotiateAsync(pair.A);
        await pair.ConnectAsync(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 30; i++)
        {
            await video.WriteFrameAsync(new EncodedFrame(i == 0 ? SyntheticH264.KeyFrame(2000, 1) : SyntheticH264.Delta(400, i + 1), s_frameInterval * i, i == 0));
            await audio.WriteFrameAsync(new EncodedFrame(new byte[80], TimeSpan.FromMilliseconds(20 * i), false));
            await pair.RunForAsync(TimeSpan.FromMilliseconds(20));
        }

        await pair.RunForAsync(TimeSpan.FromSeconds(2));
        Assert.That(pair.B.RtcpByesReceived, Is.Zero);

        pair.A.GetTransceivers().Single(t => t.Sender == videoSender).Stop();
        await pair.RunForAsync(TimeSpan.FromMilliseconds(100));
        Assert.That(pair.B.RtcpByesReceived, Is.EqualTo(1));

        pair.A.Close();
        await pair.RunForAsync(TimeSpan.FromMilliseconds(100));
        Assert.That(pair.B.RtcpByesReceived, Is.EqualTo(2), "close says BYE for the audio sender only (video already did)");
    }

    [Test]
    public async Task RtcpReportIntervalInfinite_SendsNoReports()
    {
        await using var pair = new VirtualPeerPair(seed: 35);
        await using var quiet = new RTCPeerConnection(null, new RTCPeerConnectionOptions { RtcpReportInterval = Timeout.InfiniteTimeSpan, TimeProvider = pair.Time });
        Assert.That(quiet.RtcpReportsSent, Is.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new RTCPeerConnection(null, new RTCPeerConnectionOptions { RtcpReportInterval = TimeSpan.FromSeconds(-2) }));
    }

    [Test]
    public async Task AudioOnly_ReportsEveryFiveSecondsOnAverage()
    {
        await using var pair = new VirtualPeerPair(seed: 36);
        var audio = new EncodedFrameTrack(RTCRtpCodec.Opus) { TimeProvider = pair.Time };
        pair.A.AddTrack(audio, "s");
        await pair.NegotiateAsync(pair.A);
        await pair.ConnectAsync(TimeSpan.FromSeconds(10));
        var before = pair.A.RtcpReportsSent;
        for (var i = 0; i < 1500; i++) // 30 s of 20 ms packets
        {
            await audio.WriteFrameAsync(new EncodedFrame(new byte[60], TimeSpan.FromMilliseconds(20 * i), false));
            await pair.RunForAsync(TimeSpan.FromMilliseconds(20));
        }

        Assert.That(pair.A.RtcpReportsSent - before, Is.InRange(4, 10));
        var remoteInbound = pair.A.GetStats().Stats.OfType<RTCRemoteInboundRtpStreamStats>().Single();
        Assert.That(remoteInbound.Kind, Is.EqualTo(MediaStreamTrackKind.Audio));
        Assert.That(remoteInbound.RoundTripTime, Is.Not.Null);
        var inbound = pair.B.GetStats().Stats.OfType<RTCInboundRtpStreamStats>().Single();
        Assert.That(inbound.FramesReceived, Is.Null, "frame counters are video-only");
        Assert.That(inbound.PacketsReceived, Is.EqualTo(1500));
        Assert.That(inbound.PacketsLost, Is.Zero);
    }

    private static RTCRemoteInboundRtpStreamStats? RemoteInbound(RTCPeerConnection pc) =>
        pc.GetStats().Stats.OfType<RTCRemoteInboundRtpStreamStats>().SingleOrDefault();
}
