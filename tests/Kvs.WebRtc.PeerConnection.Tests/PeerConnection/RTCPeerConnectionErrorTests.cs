using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.PeerConnection;

/// <summary>Bad input is rejected with typed errors and leaves the connection usable; a wrong fingerprint fails it.</summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed partial class RTCPeerConnectionErrorTests
{
    // A Chromium-style offer with audio, video and data (the shape KVS masters and browsers send).
    private const string ChromiumStyleOffer =
        "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1 2\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS\r\n" +
        "m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\na=ice-ufrag:AbCd\r\na=ice-pwd:0123456789abcdefghijklmn\r\n" +
        "a=ice-options:trickle\r\na=fingerprint:sha-256 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08\r\n" +
        "a=setup:actpass\r\na=mid:0\r\na=recvonly\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\na=rtpmap:0 PCMU/8000\r\n" +
        "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\na=ice-ufrag:AbCd\r\na=ice-pwd:0123456789abcdefghijklmn\r\n" +
        "a=ice-options:trickle\r\na=fingerprint:sha-256 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08\r\n" +
        "a=setup:actpass\r\na=mid:1\r\na=recvonly\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\n" +
        "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:AbCd\r\na=ice-pwd:0123456789abcdefghijklmn\r\n" +
        "a=ice-options:trickle\r\na=fingerprint:sha-256 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08\r\n" +
        "a=setup:actpass\r\na=mid:2\r\na=sctp-port:5000\r\na=max-message-size:262144\r\n";

    [Test]
    public async Task Offer_HasBundleDataSectionTrickleFingerprintActpassSctpPort()
    {
        await using var pc = new RTCPeerConnection(PeerPair.LoopbackConfiguration);
        var offer = await pc.CreateOfferAsync();
        Assert.That(offer.Type, Is.EqualTo(RTCSdpType.Offer));
        Assert.That(offer.Sdp, Does.Contain("a=group:BUNDLE 0\r\n"));
        Assert.That(offer.Sdp, Does.Contain("m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"));
        Assert.That(offer.Sdp, Does.Contain("a=ice-options:trickle"));
        Assert.That(offer.Sdp, Does.Contain("a=fingerprint:" + pc.LocalFingerprint));
        Assert.That(offer.Sdp, Does.Contain("a=setup:actpass"));
        Assert.That(offer.Sdp, Does.Contain("a=sctp-port:5000"));
        Assert.That(offer.Sdp, Does.Contain("a=max-message-size:262144"));
        Assert.That(offer.Sdp, Does.Match("a=ice-ufrag:[A-Za-z0-9+/]{4,}"));
        Assert.That(offer.Sdp, Does.Match("a=ice-pwd:[A-Za-z0-9+/]{22,}"));
    }

    [Test]
    public async Task RecvOnlyAudioVideoOffer_WithoutLocalTracks_AnswersInactiveKeepsMidsAndAcceptsDataActive()
    {
        await using var pc = new RTCPeerConnection(PeerPair.LoopbackConfiguration);
        await pc.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Offer, ChromiumStyleOffer));
        var answer = await pc.CreateAnswerAsync();
        Assert.That(answer.Sdp, Does.Contain("m=audio 9 UDP/TLS/RTP/SAVPF 111"));
        Assert.That(answer.Sdp, Does.Contain("m=video 9 UDP/TLS/RTP/SAVPF"));
        Assert.That(answer.Sdp, Does.Contain("m=application 9 UDP/DTLS/SCTP webrtc-datachannel"));
        Assert.That(answer.Sdp, Does.Contain("a=inactive"), "the peer only receives and we have no track to send");
        Assert.That(answer.Sdp, Does.Not.Contain("a=ssrc:"), "nothing is sent, so no SSRC is announced");
        var mids = MidRegex().Matches(answer.Sdp).Select(m => m.Groups[1].Value).ToArray();
        Assert.That(mids, Is.EqualTo(new[] { "0", "1", "2" }));
        Assert.That(answer.Sdp, Does.Contain("a=group:BUNDLE 0 1 2\r\n"));
        Assert.That(answer.Sdp, Does.Contain("a=setup:active"));
        await pc.SetLocalDescriptionAsync(answer);
        Assert.That(pc.SignalingState, Is.EqualTo(RTCSignalingState.Stable));
        Assert.That(pc.GetTransceivers().Select(t => (t.Mid, t.Kind, t.CurrentDirection)), Is.EqualTo(new[]
        {
            ("0", MediaStreamTrackKind.Audio, (RTCRtpTransceiverDirection?)RTCRtpTransceiverDirection.Inactive),
            ("1", MediaStreamTrackKind.Video, RTCRtpTransceiverDirection.Inactive),
        }));
    }

    [Test]
    public async Task OfferWithSetupActive_IsAnsweredPassive()
    {
        await using var pc = new RTCPeerConnection(PeerPair.LoopbackConfiguration);
        await pc.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Offer, ChromiumStyleOffer.Replace("a=setup:actpass", "a=setup:active", StringComparison.Ordinal)));
        var answer = await pc.CreateAnswerAsync();
        Assert.That(answer.Sdp, Does.Contain("a=setup:passive"));
    }

    [TestCase("")]
    [TestCase("this is not sdp")]
    [TestCase("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:0\r\n")]
    public async Task MalformedOrIncompleteRemoteSdp_ThrowsInvalidSessionDescription_AndConnectionStaysUsable(string sdp)
    {
        var ct = PeerPair.Timeout();
        await using var pair = new PeerPair();
        var error = Assert.ThrowsAsync<WebRtcException>(() => pair.B.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Offer, sdp), ct));
        Assert.That(error!.Error, Is.EqualTo(WebRtcError.InvalidSessionDescription));
        Assert.That(pair.B.SignalingState, Is.EqualTo(RTCSignalingState.Stable));

        var (local, remote) = await pair.OpenChannelAsync("after-error", null, ct);
        var next = PeerPair.NextMessageAsync(remote, ct);
        local.Send("ok");
        Assert.That((await next).Text, Is.EqualTo("ok"));
    }

    [Test]
    public async Task RandomlyMutatedOffers_NeverThrowAnythingButWebRtcException()
    {
        await using var pc = new RTCPeerConnection(PeerPair.LoopbackConfiguration);
        var random = new Random(42);
        var chars = "\r\n :=/0aZ9-".ToCharArray();
        for (var i = 0; i < 300; i++)
        {
            var text = ChromiumStyleOffer.ToCharArray();
            for (var m = 0; m < 1 + random.Next(4); m++)
            {
                text[random.Next(text.Length)] = chars[random.Next(chars.Length)];
            }

            try
            {
                await pc.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Offer, new string(text)));
                await pc.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Rollback, string.Empty));
            }
            catch (WebRtcException ex)
            {
                Assert.That(ex.Error, Is.AnyOf(WebRtcError.InvalidSessionDescription, WebRtcError.InvalidState));
            }
        }

        Assert.That(pc.SignalingState, Is.EqualTo(RTCSignalingState.Stable));
    }

    [Test]
    public async Task DescriptionInWrongState_ThrowsInvalidState()
    {
        await using var pair = new PeerPair();
        var offer = await pair.A.CreateOfferAsync();
        var answerError = Assert.ThrowsAsync<WebRtcException>(() => pair.A.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Answer, offer.Sdp)));
        Assert.That(answerError!.Error, Is.EqualTo(WebRtcError.InvalidState));
        var createAnswerError = Assert.ThrowsAsync<WebRtcException>(() => pair.A.CreateAnswerAsync());
        Assert.That(createAnswerError!.Error, Is.EqualTo(WebRtcError.InvalidState));
        var candidateError = Assert.ThrowsAsync<WebRtcException>(() => pair.A.AddIceCandidateAsync(new RTCIceCandidateInit("candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host", "0")));
        Assert.That(candidateError!.Error, Is.EqualTo(WebRtcError.InvalidState));
    }

    [TestCase("candidate:garbage", "0", WebRtcError.InvalidCandidate)]
    [TestCase("candidate:1 1 udp notanumber 127.0.0.1 5000 typ host", "0", WebRtcError.InvalidCandidate)]
    [TestCase("candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host", "unknown-mid", WebRtcError.InvalidCandidate)]
    [TestCase("hello", "0", WebRtcError.InvalidCandidate)]
    public async Task BadCandidate_ThrowsTypedError_AndConnectionStillConnects(string candidate, string mid, WebRtcError expected)
    {
        var ct = PeerPair.Timeout();
        await using var pair = new PeerPair();
        var remoteTask = PeerPair.NextRemoteChannelAsync(pair.B, ct);
        var local = pair.A.CreateDataChannel("c");
        await pair.NegotiateAsync(pair.A, ct: ct);
        var error = Assert.ThrowsAsync<WebRtcException>(() => pair.B.AddIceCandidateAsync(new RTCIceCandidateInit(candidate, mid), ct));
        Assert.That(error!.Error, Is.EqualTo(expected));
        await PeerPair.WaitOpenAsync(local, ct);
        var remote = await remoteTask;
        var next = PeerPair.NextMessageAsync(remote, ct);
        local.Send("fine");
        Assert.That((await next).Text, Is.EqualTo("fine"));
    }

    [Test]
    public async Task AddIceCandidate_AcceptsAttributeFormAndEndOfCandidates()
    {
        await using var pair = new PeerPair();
        var offer = await pair.A.CreateOfferAsync();
        await pair.B.SetRemoteDescriptionAsync(offer);
        Assert.DoesNotThrowAsync(() => pair.B.AddIceCandidateAsync(new RTCIceCandidateInit("a=candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host", "0")));
        Assert.DoesNotThrowAsync(() => pair.B.AddIceCandidateAsync(new RTCIceCandidateInit("candidate:2 1 udp 2130706431 127.0.0.1 5001 typ host", null, 0)));
        Assert.DoesNotThrowAsync(() => pair.B.AddIceCandidateAsync(new RTCIceCandidateInit(string.Empty, "0")));
    }

    [Test]
    public async Task FingerprintMismatch_FailsTheConnectionWithTypedErrorAndAWarning()
    {
        var ct = PeerPair.Timeout(30);
        using var logs = new CapturingLoggerProvider();
        await using var pair = new PeerPair(new RTCPeerConnectionOptions { LoggerFactory = logs });
        pair.A.CreateDataChannel("never");
        var failedA = PeerPair.WaitForStateAsync(pair.A, RTCPeerConnectionState.Failed, ct);

        // The answer carries a fingerprint that is not B's certificate: A (DTLS server) must reject B's certificate.
        await pair.NegotiateAsync(pair.A, sdp => FingerprintRegex().Replace(sdp, "a=fingerprint:sha-256 " + string.Join(':', Enumerable.Repeat("AB", 32))), ct);
        await failedA;
        Assert.That(pair.A.Failure, Is.Not.Null);
        Assert.That(pair.A.Failure!.Error, Is.EqualTo(WebRtcError.FingerprintMismatch));
        Assert.That(logs.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message),
            Has.Some.Contains("does not match the fingerprint").And.Some.Contains("man-in-the-middle"));
    }

    [GeneratedRegex("a=mid:(\\S+)")]
    private static partial Regex MidRegex();

    [GeneratedRegex("a=fingerprint:sha-256 [0-9A-F:]+")]
    private static partial Regex FingerprintRegex();
}
