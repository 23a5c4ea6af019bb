using Kvs.WebRtc.PeerConnection.Sdp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Sdp;

[TestFixture]
public sealed class SdpRoundTripTests
{
    private static IEnumerable<string> Samples => SdpSamples.All;

    [TestCaseSource(nameof(Samples))]
    public void ParseThenWrite_RealSample_IsByteForByteIdentical(string name)
    {
        var text = SdpSamples.Load(name);

        var written = SessionDescription.Parse(text).ToSdpString();

        Assert.That(written, Is.EqualTo(text));
    }

    [TestCaseSource(nameof(Samples))]
    public void Parse_RealSample_KeepsEveryLineInOrder(string name)
    {
        var text = SdpSamples.Load(name);
        var expected = text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');

        var sdp = SessionDescription.Parse(text);
        var actual = sdp.Lines.Select(l => $"{l.Type}={l.Value}")
            .Concat(sdp.Media.SelectMany(m => new[] { "m=" + m.MediaLine }.Concat(m.Lines.Select(l => $"{l.Type}={l.Value}"))))
            .ToArray();

        Assert.That(actual, Is.EqualTo(expected));
    }

    [TestCaseSource(nameof(Samples))]
    public void Parse_LfOnlyVersionOfSample_ParsesToSameLinesAndWritesLf(string name)
    {
        var text = SdpSamples.Load(name).Replace("\r\n", "\n", StringComparison.Ordinal);

        var sdp = SessionDescription.Parse(text);

        Assert.That(sdp.LineEnding, Is.EqualTo("\n"));
        Assert.That(sdp.ToSdpString(), Is.EqualTo(text));
    }

    [TestCaseSource(nameof(Samples))]
    public void Write_WithCrlf_ProducesCrlfTextThatParsesToTheSameModel(string name)
    {
        var original = SessionDescription.Parse(SdpSamples.Load(name));
        original.LineEnding = "\r\n";

        var crlf = original.ToSdpString();
        var reparsed = SessionDescription.Parse(crlf);

        Assert.That(crlf.Replace("\r\n", string.Empty, StringComparison.Ordinal), Does.Not.Contain('\n'));
        Assert.That(reparsed.Lines, Is.EqualTo(original.Lines));
        Assert.That(reparsed.Media.Select(m => m.MediaLine), Is.EqualTo(original.Media.Select(m => m.MediaLine)));
        Assert.That(reparsed.ToSdpString(), Is.EqualTo(crlf));
    }

    /// <summary>The example session description of RFC 8866 section 5.</summary>
    [Test]
    public void Parse_Rfc8866Example_ReadsEveryField()
    {
        const string Text =
            "v=0\r\no=jdoe 3724394400 3724394405 IN IP4 198.51.100.1\r\ns=Call to John Smith\r\ni=SDP Offer #1\r\n" +
            "u=http://www.jdoe.example.com/home.html\r\ne=Jane Doe <jane@jdoe.example.com>\r\np=+1 617 555-6011\r\n" +
            "c=IN IP4 198.51.100.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\nm=audio 49180 RTP/AVP 0\r\n" +
            "m=video 51372 RTP/AVP 99\r\nc=IN IP6 2001:db8::2\r\na=rtpmap:99 h263-1998/90000\r\n";

        var sdp = SessionDescription.Parse(Text);

        Assert.That(sdp.ToSdpString(), Is.EqualTo(Text));
        Assert.That(sdp.Origin, Is.EqualTo(new SdpOrigin("jdoe", "3724394400", 3724394405, "IN", "IP4", "198.51.100.1")));
        Assert.That(sdp.SessionName, Is.EqualTo("Call to John Smith"));
        Assert.That(sdp.Connection, Is.EqualTo(new SdpConnection("IN", "IP4", "198.51.100.1")));
        Assert.That(sdp.Media.Select(m => m.Port), Is.EqualTo(new[] { 49170, 49180, 51372 }));
        Assert.That(sdp.Media.Select(m => m.Protocol).Distinct(), Is.EqualTo(new[] { "RTP/AVP" }));
        Assert.That(sdp.Media[2].Connection, Is.EqualTo(new SdpConnection("IN", "IP6", "2001:db8::2")));
        Assert.That(sdp.Media[2].GetRtpMap(99), Is.EqualTo(new SdpRtpMap(99, "h263-1998", 90000)));
        Assert.That(sdp.Media[0].Mid, Is.Null);
        Assert.That(sdp.GetDirection(sdp.Media[0]), Is.EqualTo(SdpDirection.SendRecv));
    }

    [Test]
    public void Parse_ChromiumSample_DetectsCrlf()
    {
        var sdp = SessionDescription.Parse(SdpSamples.Load("chromium-av-offer.sdp"));

        Assert.That(sdp.LineEnding, Is.EqualTo("\r\n"));
        Assert.That(sdp.EndsWithLineEnding, Is.True);
    }

    [Test]
    public void Parse_MixedLineEndings_NormalisesToCrlf()
    {
        const string Text = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\ns=-\r\nt=0 0\n";

        var sdp = SessionDescription.Parse(Text);

        Assert.That(sdp.ToSdpString(), Is.EqualTo("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"));
    }

    [Test]
    public void Parse_NoFinalLineEnding_IsWrittenBackWithout()
    {
        const string Text = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0";

        var sdp = SessionDescription.Parse(Text);

        Assert.That(sdp.EndsWithLineEnding, Is.False);
        Assert.That(sdp.ToSdpString(), Is.EqualTo(Text));
    }

    [Test]
    public void Parse_UnknownAttributesAndOptionalLines_ArePreservedInPlace()
    {
        const string Text =
            "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=My session\r\ni=info\r\nu=http://example.com/\r\ne=a@b.c\r\np=+1 555\r\n" +
            "c=IN IP4 0.0.0.0\r\nb=AS:500\r\nt=0 0\r\nr=604800 3600 0\r\nz=2882844526 -1h\r\na=x-custom:whatever value\r\n" +
            "m=video 9 UDP/TLS/RTP/SAVPF 96\r\ni=video title\r\nb=TIAS:1000000\r\na=x-google-flag:conference\r\na=mid:v\r\n" +
            "a=rid:h send\r\na=simulcast:send h;l\r\na=rtpmap:96 VP8/90000\r\n";

        var sdp = SessionDescription.Parse(Text);

        Assert.That(sdp.ToSdpString(), Is.EqualTo(Text));
        Assert.That(sdp.GetAttribute("x-custom"), Is.EqualTo("whatever value"));
        Assert.That(sdp.Bandwidths, Is.EqualTo(new[] { new SdpBandwidth("AS", 500) }));
        Assert.That(sdp.Media[0].GetAttributes("rid"), Is.EqualTo(new[] { "h send" }));
        Assert.That(sdp.Media[0].GetAttribute("simulcast"), Is.EqualTo("send h;l"));
        Assert.That(sdp.Media[0].Bandwidths.Single().Type, Is.EqualTo("TIAS"));
    }
}
