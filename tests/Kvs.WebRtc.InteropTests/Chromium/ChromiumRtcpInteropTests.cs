using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.Media;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Testing;
using Kvs.WebRtc.Testing.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.Chromium;

/// <summary>
/// Our RTCP reports against Chromium (libwebrtc), judged by both sides' <c>getStats()</c>: Chromium's
/// <c>remote-outbound-rtp</c> shows the sender reports we send for our video and audio, and our
/// <c>remote-inbound-rtp</c> gets a round-trip time from the LSR/DLSR of Chromium's receiver reports.
/// </summary>
[TestFixture]
[Category("Interop")]
[CancelAfter(90_000)]
public sealed class ChromiumRtcpInteropTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(15);

    private static readonly RTCConfiguration s_configuration = new()
    {
        IncludeLoopbackCandidates = true, EnableIpv6 = false, HostAddresses = [System.Net.IPAddress.Loopback],
    };

    [Test]
    public async Task OurVideoAndOpusToChromium_ChromiumShowsOurSenderReports_AndItsReceiverReportsGiveUsARoundTripTime(CancellationToken cancellationToken)
    {
        await using var page = await ChromiumPage.LaunchAsync(cancellationToken);
        await using var chromium = await ChromiumMediaPeer.CreateAsync(page, "viewer", cancellationToken);
        await using var ours = new RTCPeerConnection(s_configuration);
        var video = new EncodedFrameTrack(RTCRtpCodec.H264);
        var audio = new EncodedFrameTrack(RTCRtpCodec.Opus);
        var videoSender = ours.AddTransceiver(video, new RTCRtpTransceiverInit { Direction = RTCRtpTransceiverDirection.SendOnly, StreamIds = ["camera"] }).Sender;
        var audioSender = ours.AddTransceiver(audio, new RTCRtpTransceiverInit { Direction = RTCRtpTransceiverDirection.SendOnly, StreamIds = ["camera"] }).Sender;
        var offer = await OfferWithCandidatesAsync(ours, cancellationToken);
        var answer = await chromium.AnswerAsync(offer, cancellationToken);
        await ours.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Answer, answer), cancellationToken);
        await PeerConnectionWaits.WaitForStateAsync(ours, RTCPeerConnectionState.Connected, cancellationToken);

        var sent = await MediaStreaming.StreamInRealTimeAsync(video, MediaStreaming.H264Frames(), audio, OggOpusReader.ReadFile(TestMedia.OpusOggPath).Packets,
            cancellationToken);
        var remoteVideo = await ChromiumMediaPeer.WaitForAsync(c => chromium.GetRemoteOutboundRtpStatsAsync("video", c),
            s => s.Exists && s.ReportsSent >= 2 && s.PacketsSent > 0, s_wait, "Chromium remote-outbound-rtp (video) from our SRs", cancellationToken: cancellationToken);
        var remoteAudio = await ChromiumMediaPeer.WaitForAsync(c => chromium.GetRemoteOutboundRtpStatsAsync("audio", c),
            s => s.Exists && s.ReportsSent >= 1 && s.PacketsSent > 0, s_wait, "Chromium remote-outbound-rtp (audio) from our SRs", cancellationToken: cancellationToken);
        var remoteInbound = await ChromiumMediaPeer.WaitForAsync(_ => Task.FromResult(RemoteInbound(ours, videoSender.Ssrc)),
            s => s?.RoundTripTime is not null, s_wait, "our remote-inbound-rtp (video) with a round-trip time from Chromium's RRs",
            cancellationToken: cancellationToken);
        var stats = ours.GetStats().Stats;
        var outbound = stats.OfType<RTCOutboundRtpStreamStats>().Single(s => s.Ssrc == videoSender.Ssrc);
        var audioRemoteInbound = RemoteInbound(ours, audioSender.Ssrc);
        var now = DateTimeOffset.UtcNow;
        await TestContext.Out.WriteLineAsync($"sent {sent} frames; Chromium remote-outbound video {remoteVideo}, audio {remoteAudio}; our remote-inbound "
            + $"rtt {remoteInbound!.RoundTripTime * 1000:F2} ms, lost {remoteInbound.PacketsLost}, jitter {remoteInbound.Jitter * 1000:F2} ms, reports {remoteInbound.ReportsReceived}");

        Assert.Multiple(() =>
        {
            Assert.That(remoteVideo.Ssrc, Is.EqualTo(videoSender.Ssrc));
            Assert.That(remoteVideo.PacketsSent, Is.InRange(1, outbound.PacketsSent));
            Assert.That(remoteVideo.BytesSent, Is.InRange(1, outbound.BytesSent));
            Assert.That(DateTimeOffset.FromUnixTimeMilliseconds((long)remoteVideo.RemoteTimestamp), Is.EqualTo(now).Within(TimeSpan.FromSeconds(20)));
            Assert.That(remoteAudio.Ssrc, Is.EqualTo(audioSender.Ssrc));
            Assert.That(remoteInbound.RoundTripTime, Is.InRange(0.0, 0.2), "loopback");
            Assert.That(remoteInbound.LocalId, Is.EqualTo(outbound.Id));
            Assert.That(remoteInbound.PacketsLost, Is.Zero, "loopback");
            Assert.That(audioRemoteInbound?.ReportsReceived, Is.GreaterThanOrEqualTo(1), "Chromium reports on our audio too");
        });
    }

    [Test]
    public async Task ChromiumSendsItsFakeCamera_OurReceiverReportsGiveChromiumARoundTripTime_AndWeKeepItsSenderReports(CancellationToken cancellationToken)
    {
        await using var page = await ChromiumPage.LaunchAsync(cancellationToken);
        await using var chromium = await ChromiumMediaPeer.CreateAsync(page, "camera", cancellationToken);
        await using var ours = new RTCPeerConnection(s_configuration);
        var offer = await chromium.CreateOfferAsync(new ChromiumOfferOptions
        {
            Audio = ChromiumMediaDirection.SendOnly, Video = ChromiumMediaDirection.SendOnly, VideoSource = ChromiumVideoSource.FakeCamera, VideoCodec = "VP8",
        }, cancellationToken);
        await ours.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Offer, offer), cancellationToken);
        var gathered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ours.IceCandidate += (_, e) =>
        {
            if (e.Candidate is null)
            {
                gathered.TrySetResult();
            }
        };
        await ours.SetLocalDescriptionAsync(await ours.CreateAnswerAsync(cancellationToken), cancellationToken);
        await gathered.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        await chromium.SetRemoteAnswerAsync(ours.LocalDescription!.Sdp, cancellationToken);
        await PeerConnectionWaits.WaitForStateAsync(ours, RTCPeerConnectionState.Connected, cancellationToken);

        var chromiumView = await ChromiumMediaPeer.WaitForAsync(c => chromium.GetRemoteInboundRtpStatsAsync("video", c),
            s => s.Exists && s.RoundTripTimeMeasurements >= 2, s_wait, "Chromium remote-inbound-rtp (video) with RTTs from our RRs",
            cancellationToken: cancellationToken);
        var chromiumOutbound = await chromium.GetOutboundRtpStatsAsync("video", cancellationToken);
        var inbound = await ChromiumMediaPeer.WaitForAsync(_ => Task.FromResult(ours.GetStats().Stats.OfType<RTCInboundRtpStreamStats>()
            .SingleOrDefault(s => s.Kind == MediaStreamTrackKind.Video)), s => s?.RemoteId is not null, s_wait, "our inbound-rtp (video) linked to Chromium's SRs",
            cancellationToken: cancellationToken);
        var remoteOutbound = ours.GetStats().Stats.OfType<RTCRemoteOutboundRtpStreamStats>().Single(s => s.Id == inbound!.RemoteId);
        await TestContext.Out.WriteLineAsync($"Chromium remote-inbound {chromiumView}; our inbound: packets {inbound!.PacketsReceived}, lost {inbound.PacketsLost}, "
            + $"jitter {inbound.Jitter * 1000:F2} ms; Chromium's SR: packets {remoteOutbound.PacketsSent}, reports {remoteOutbound.ReportsSent}");

        Assert.Multiple(() =>
        {
            Assert.That(chromiumView.Ssrc, Is.EqualTo(chromiumOutbound.Ssrc));
            Assert.That(chromiumView.RoundTripTime, Is.InRange(0.0, 0.2), "loopback (libwebrtc rounds to whole milliseconds)");
            Assert.That(chromiumView.PacketsLost, Is.Zero, "loopback");
            Assert.That(inbound.Ssrc, Is.EqualTo(chromiumOutbound.Ssrc));
            Assert.That(inbound.Jitter, Is.InRange(0.0, 0.05));
            Assert.That(remoteOutbound.ReportsSent, Is.GreaterThanOrEqualTo(1));
            Assert.That(remoteOutbound.PacketsSent, Is.GreaterThan(0));
            Assert.That(remoteOutbound.RemoteTimestamp, Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromSeconds(20)));
        });
    }

    private static RTCRemoteInboundRtpStreamStats? RemoteInbound(RTCPeerConnection pc, uint ssrc) =>
        pc.GetStats().Stats.OfType<RTCRemoteInboundRtpStreamStats>().SingleOrDefault(s => s.Ssrc == ssrc);

    private static async Task<string> OfferWithCandidatesAsync(RTCPeerConnection pc, CancellationToken ct)
    {
        var gathered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pc.IceCandidate += (_, e) =>
        {
            if (e.Candidate is null)
            {
                gathered.TrySetResult();
            }
        };
        await pc.SetLocalDescriptionAsync(await pc.CreateOfferAsync(ct), ct);
        await gathered.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        return pc.LocalDescription!.Sdp;
    }
}
