using Kvs.WebRtc.Internal;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Internal;

/// <summary><see cref="SdpMediaSections"/>: the session layer's own reading of SDP media sections.</summary>
[TestFixture]
public sealed class SdpMediaSectionsTests
{
    private const string Answer =
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" +
        "m=video 9/2 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n" +
        "m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:1\r\n" +
        "m=application 9 DTLS/SCTP 5000\n";

    [Test]
    public void TryParse_ThreeSections_ReadsKindPortProtocolFormatsAndMid()
    {
        Assert.That(SdpMediaSections.TryParse(Answer, out var sections), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(sections.Select(s => s.Media), Is.EqualTo(new[] { "video", "application", "application" }));
            Assert.That(sections.Select(s => s.Port), Is.EqualTo(new[] { 9, 0, 9 }));
            Assert.That(sections[0].Formats, Is.EqualTo(new[] { "96", "97" }));
            Assert.That(sections.Select(s => s.Mid), Is.EqualTo(new[] { "0", "1", null }));
            Assert.That(sections.Select(s => s.IsDataChannel), Is.EqualTo(new[] { false, true, true }));
            Assert.That(sections.Select(s => s.IsRejected), Is.EqualTo(new[] { false, true, false }));
        });
    }

    [TestCase("v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF\r\n")]
    [TestCase("v=0\r\nm=video x UDP/TLS/RTP/SAVPF 96\r\n")]
    [TestCase("v=0\r\nm=video 70000 UDP/TLS/RTP/SAVPF 96\r\n")]
    [TestCase("v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\u0007\r\n")]
    public void TryParse_MalformedMediaLine_FalseAndNoSections(string sdp)
    {
        Assert.Multiple(() =>
        {
            Assert.That(SdpMediaSections.TryParse(sdp, out var sections), Is.False);
            Assert.That(sections, Is.Empty);
        });
    }

    [Test]
    public void TryParse_NoMediaLines_TrueAndEmpty()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SdpMediaSections.TryParse("not sdp", out var sections), Is.True);
            Assert.That(sections, Is.Empty);
        });
    }
}
