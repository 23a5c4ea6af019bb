using Kvs.WebRtc.Sessions;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Sessions;

/// <summary><see cref="ViewerRefusal"/>: the refusing answer is valid SDP that rejects every offered section and names its reason.</summary>
[TestFixture]
public sealed class ViewerRefusalTests
{
    private const string Offer =
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n" +
        "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=ice-ufrag:abcd\r\na=ice-pwd:secretsecretsecretsecret12\r\na=rtpmap:96 VP8/90000\r\na=recvonly\r\n" +
        "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=sctp-port:5000\r\n";

    [Test]
    public void CreateAnswerSdp_Offer_RejectsEverySectionKeepsMidsAndCarriesTheReason()
    {
        var sdp = ViewerRefusal.CreateAnswerSdp(Offer, KvsSessionException.ViewerLimitReached);

        var lines = sdp.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Multiple(() =>
        {
            Assert.That(lines.Where(l => l.StartsWith("m=", StringComparison.Ordinal)), Is.EqualTo(new[] { "m=video 0 UDP/TLS/RTP/SAVPF 96", "m=application 0 UDP/DTLS/SCTP webrtc-datachannel" }));
            Assert.That(lines.Where(l => l.StartsWith("a=mid:", StringComparison.Ordinal)), Is.EqualTo(new[] { "a=mid:0", "a=mid:1" }));
            Assert.That(sdp, Does.EndWith("\r\n").And.StartWith("v=0\r\n"));
            Assert.That(sdp, Does.Not.Contain("ice-pwd"), "nothing of the offer's credentials is echoed");
            Assert.That(ViewerRefusal.TryGetReason(sdp, out var reason), Is.True);
            Assert.That(reason, Is.EqualTo(KvsSessionException.ViewerLimitReached));
        });
    }

    [Test]
    public void CreateAnswerSdp_MalformedOffer_StillARecognizableRefusal()
    {
        var sdp = ViewerRefusal.CreateAnswerSdp("not sdp", "busy");
        Assert.That(ViewerRefusal.TryGetReason(sdp, out var reason) ? reason : null, Is.EqualTo("busy"));
    }

    [Test]
    public void TryGetReason_OrdinaryAnswer_False()
    {
        Assert.That(ViewerRefusal.TryGetReason(Offer, out _), Is.False);
    }

    [Test]
    public void TryGetReason_HostileReason_IsPrintableAndBounded()
    {
        var sdp = "v=0\r\na=" + ViewerRefusal.AttributeName + ":" + new string('x', 5000) + "\u0007\u00e9\r\n";
        Assert.That(ViewerRefusal.TryGetReason(sdp, out var reason), Is.True);
        Assert.That(reason, Has.Length.LessThanOrEqualTo(200).And.Match("^[ -~]+$"));
    }
}
