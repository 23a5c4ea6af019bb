using System.Diagnostics;
using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.Chromium;

/// <summary>
/// Chromium receiving our H.264 through 5 % packet loss, judged by its own <c>getStats()</c>: it NACKs, our RTX
/// repairs (paced, ahead of the queued video), and the picture keeps moving. The loss is our sender's test seam
/// (<see cref="RTCPeerConnectionOptions.OutgoingMediaLossRate"/>: RTP and RTX dropped at random after SRTP, RTCP
/// untouched), so the test runs on plain loopback; the kernel-level variant of the same loss is
/// <c>NetworkNamespace/KernelPacketLossTests</c> (ours to ours: Chromium does not run in that namespace here).
/// </summary>
[TestFixture]
[Category("Interop")]
[CancelAfter(120_000)]
public sealed class ChromiumMediaLossInteropTests
{
    private const int Loops = 2; // the 5 s clip twice: 10 s, 300 frames, a key frame every second
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(15);

    private static readonly RTCConfiguration s_configuration = new()
    {
        IncludeLoopbackCandidates = true, EnableIpv6 = false, HostAddresses = [System.Net.IPAddress.Loopback],
    };

    [Test]
    public async Task OurH264ThroughFivePercentLoss_ChromiumNacks_NoFreezeOver500Ms_FewPlis_AndDecodesAtLeast95Percent(CancellationToken cancellationToken)
    {
        await using var page = await ChromiumPage.LaunchAsync(cancellationToken);
        await using var chromium = await ChromiumMediaPeer.CreateAsync(page, "viewer", cancellationToken);
        // The test clip is 320x240 at ~40 kbit/s: 15 % of it (~750 B/s) could not resend a lost 1,200-byte key-frame
        // packet in time; the default options' floor (RTCNackOptions.MinRetransmissionBitrate) keeps it repairable.
        await using var ours = new RTCPeerConnection(s_configuration, new RTCPeerConnectionOptions
        {
            OutgoingMediaLossRate = 0.05, OutgoingMediaLossSeed = 11,
        });
        var video = new EncodedFrameTrack(RTCRtpCodec.H264);
        var sender = ours.AddTransceiver(video, new RTCRtpTransceiverInit { Direction = RTCRtpTransceiverDirection.SendOnly, StreamIds = ["camera"] }).Sender;
        var offer = await OfferWithCandidatesAsync(ours, cancellationToken);
        var answer = await chromium.AnswerAsync(offer, cancellationToken);
        await ours.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Answer, answer), cancellationToken);
        await PeerConnectionWaits.WaitForStateAsync(ours, RTCPeerConnectionState.Connected, cancellationToken);

        var clip = MediaStreaming.H264Frames();
        var length = clip[^1].Timestamp + (clip[^1].Timestamp / (clip.Count - 1));
        var frames = Enumerable.Range(0, Loops).SelectMany(loop => clip.Select(f => (f.Data, f.Timestamp + (length * loop), f.IsKeyFrame))).ToList();
        var sent = await MediaStreaming.StreamInRealTimeAsync(video, frames, null, [], cancellationToken);
        // The last NACKs, retransmissions and freezes settle (Chromium's stats update about once a second).
        var settle = Stopwatch.StartNew();
        var stats = await chromium.GetInboundVideoStatsAsync(cancellationToken);
        while (settle.Elapsed < TimeSpan.FromSeconds(2) || (stats.FramesDecoded < sent * 95 / 100 && settle.Elapsed < s_wait))
        {
            await Task.Delay(200, cancellationToken);
            stats = await chromium.GetInboundVideoStatsAsync(cancellationToken);
        }

        var dropped = ours.TransportForTests.OutgoingMediaLossDropped;
        var responder = sender.NackResponder;
        await TestContext.Out.WriteLineAsync($"sent {sent} frames, {sender.PacketsSent} packets, dropped {dropped} by the loss seam; " +
            $"we got {sender.NackCount} NACKs, resent {sender.RetransmittedPacketsSent} (over budget {responder?.RetransmissionsOverBudget}, " +
            $"not found {responder?.RetransmissionsNotFound}, RTX {responder?.RtxSsrc is not null}), key frame requests {video.KeyFrameRequests}; Chromium: {stats}");

        Assert.Multiple(() =>
        {
            Assert.That(dropped, Is.GreaterThan(sender.PacketsSent / 50), "about 5 % of the packets were lost");
            Assert.That(stats.NackCount, Is.GreaterThan(0), "Chromium NACKed the lost packets");
            Assert.That(sender.RetransmittedPacketsSent, Is.GreaterThan(0), "and we resent them");
            Assert.That(stats.TotalFreezesDuration, Is.LessThan(0.5), "no freeze over 500 ms (all freezes together stay under it)");
            Assert.That(stats.PliCount, Is.LessThanOrEqualTo(5), "a handful of PLIs at most: NACK/RTX repaired the rest");
            Assert.That(stats.FramesDecoded, Is.GreaterThanOrEqualTo(sent * 95 / 100));
        });
    }

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
