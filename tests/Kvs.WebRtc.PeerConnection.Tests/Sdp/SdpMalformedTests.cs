using System.Diagnostics;
using System.Text;
using Kvs.WebRtc.PeerConnection.Sdp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Sdp;

[TestFixture]
public sealed class SdpMalformedTests
{
    private const string Head = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

    [TestCase("", 0)]
    [TestCase("o=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", 1)]
    [TestCase("v=1\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", 1)]
    [TestCase("v=0\r\no=- x 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", 2)]
    [TestCase("v=0\r\no=- 1 2 IN IP4\r\ns=-\r\nt=0 0\r\n", 2)]
    [TestCase("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0\r\n", 4)]
    [TestCase("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n", 0)]
    [TestCase("v=0\r\nv=0\r\n", 2)]
    [TestCase(Head + "x\r\n", 5)]
    [TestCase(Head + "a\r\n", 5)]
    [TestCase(Head + "A=foo\r\n", 5)]
    [TestCase(Head + "=foo\r\n", 5)]
    [TestCase(Head + "\r\na=foo\r\n", 5)]
    [TestCase(Head + "a=fo\0o\r\n", 5)]
    [TestCase(Head + "a=foo\rbar\r\n", 5)]
    [TestCase(Head + "a=bad name\r\n", 5)]
    [TestCase(Head + "a=:value\r\n", 5)]
    [TestCase(Head + "c=IN IP4\r\n", 5)]
    [TestCase(Head + "b=AS\r\n", 5)]
    [TestCase(Head + "y=unknown\r\n", 5)]
    [TestCase(Head + "o=- 1 2 IN IP4 127.0.0.1\r\n", 5)]
    [TestCase(Head + "m=audio\r\n", 5)]
    [TestCase(Head + "m=audio 9 UDP/TLS/RTP/SAVPF\r\n", 5)]
    [TestCase(Head + "m=audio x UDP/TLS/RTP/SAVPF 0\r\n", 5)]
    [TestCase(Head + "m=audio 70000 UDP/TLS/RTP/SAVPF 0\r\n", 5)]
    [TestCase(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\nt=0 0\r\n", 6)]
    [TestCase(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\ns=-\r\n", 6)]
    [TestCase(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=rtpmap:128 PCMU/8000\r\n", 6)]
    [TestCase(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=rtpmap:0 PCMU\r\n", 6)]
    [TestCase(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=rtpmap:0 PCMU/x\r\n", 6)]
    [TestCase(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid\r\n", 6)]
    [TestCase(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:\r\n", 6)]
    [TestCase(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=ice-ufrag:\r\n", 6)]
    [TestCase(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=ice-pwd:a b\r\n", 6)]
    [TestCase(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=fingerprint:sha-256\r\n", 6)]
    [TestCase(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=fingerprint:sha-256 AB:CD:E\r\n", 6)]
    [TestCase(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=fingerprint:sha-256 AB:CG\r\n", 6)]
    [TestCase(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=setup:client\r\n", 6)]
    [TestCase(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=rtcp:x\r\n", 6)]
    [TestCase(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=rtcp-fb:x nack\r\n", 6)]
    [TestCase(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=rtcp-fb:0\r\n", 6)]
    [TestCase(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=extmap:0 urn:x\r\n", 6)]
    [TestCase(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=extmap:1/sideways urn:x\r\n", 6)]
    [TestCase(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=ssrc:4294967296 cname:x\r\n", 6)]
    [TestCase(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=ssrc:1\r\n", 6)]
    [TestCase(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=ssrc-group:FID 1 x\r\n", 6)]
    [TestCase(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=msid:\r\n", 6)]
    [TestCase(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=msid:a b c\r\n", 6)]
    [TestCase(Head + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=sctp-port:65536\r\n", 6)]
    [TestCase(Head + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=max-message-size:-1\r\n", 6)]
    [TestCase(Head + "m=application 9 DTLS/SCTP 5000\r\na=sctpmap:5000\r\n", 6)]
    [TestCase(Head + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=candidate:\r\n", 6)]
    [TestCase(Head + "a=group\r\n", 5)]
    public void Parse_MalformedInput_ThrowsSdpParseExceptionWithLineNumber(string text, int expectedLine)
    {
        var e = Assert.Throws<SdpParseException>(() => SessionDescription.Parse(text));

        Assert.That(e!.LineNumber, Is.EqualTo(expectedLine));
        Assert.That(e.Reason, Is.Not.Empty);
    }

    [Test]
    public void Parse_Null_ThrowsSdpParseException() =>
        Assert.Throws<SdpParseException>(() => SessionDescription.Parse(null!));

    [Test]
    public void Parse_MalformedIcePwd_ExceptionDoesNotContainTheValue()
    {
        var e = Assert.Throws<SdpParseException>(() => SessionDescription.Parse(Head + "a=ice-pwd:SECRETpart1 SECRETpart2\r\n"));

        Assert.That(e!.Message, Does.Not.Contain("SECRET"));
        Assert.That(e.LineNumber, Is.EqualTo(5));
    }

    [Test]
    public void Parse_TooLong_IsRejected()
    {
        var text = Head + string.Concat(Enumerable.Repeat("a=x-pad:" + new string('p', 1000) + "\r\n", (SdpLimits.MaxLength / 1000) + 1));

        var e = Assert.Throws<SdpParseException>(() => SessionDescription.Parse(text));

        Assert.That(e!.Reason, Does.Contain("length"));
    }

    [Test]
    public void Parse_TooManyLines_IsRejected()
    {
        var text = Head + string.Concat(Enumerable.Repeat("a=x\r\n", SdpLimits.MaxLines));

        var e = Assert.Throws<SdpParseException>(() => SessionDescription.Parse(text));

        Assert.That(e!.LineNumber, Is.EqualTo(SdpLimits.MaxLines + 1));
    }

    [Test]
    public void Parse_LineTooLong_IsRejected()
    {
        var text = Head + "a=x-long:" + new string('l', SdpLimits.MaxLineLength) + "\r\n";

        var e = Assert.Throws<SdpParseException>(() => SessionDescription.Parse(text));

        Assert.That(e!.LineNumber, Is.EqualTo(5));
    }

    [Test]
    public void Parse_TooManyMediaSections_IsRejected()
    {
        var text = Head + string.Concat(Enumerable.Repeat("m=audio 9 UDP/TLS/RTP/SAVPF 0\r\n", SdpLimits.MaxMediaSections + 1));

        var e = Assert.Throws<SdpParseException>(() => SessionDescription.Parse(text));

        Assert.That(e!.LineNumber, Is.EqualTo(4 + SdpLimits.MaxMediaSections + 1));
    }

    [Test]
    public void Parse_TrailingBlankLines_AreTolerated()
    {
        var sdp = SessionDescription.Parse(Head + "\r\n\r\n");

        Assert.That(sdp.Lines, Has.Count.EqualTo(4));
    }

    [Test]
    public void TryParse_Malformed_ReturnsFalseWithReason()
    {
        var ok = SessionDescription.TryParse("garbage", out var description, out var error);

        Assert.That(ok, Is.False);
        Assert.That(description, Is.Null);
        Assert.That(error!.LineNumber, Is.EqualTo(1));
    }

    /// <summary>
    /// Seeded random mutations of every real sample (flips, deletions, duplications, insertions of CR/LF/NUL/non-ASCII,
    /// truncation, line swaps) only ever throw <see cref="SdpParseException"/>; whatever parses writes out and re-parses
    /// to the same text, and every typed accessor can be read.
    /// </summary>
    [TestCaseSource(typeof(SdpSamples), nameof(SdpSamples.All))]
    public void Parse_RandomMutations_OnlyThrowSdpParseException(string name)
    {
        var original = SdpSamples.Load(name);
        var random = new Random(name.Length * 7919 + 17);
        var stopwatch = Stopwatch.StartNew();
        var parsed = 0;
        const int Iterations = 1500;
        for (var i = 0; i < Iterations; i++)
        {
            var mutated = Mutate(original, random);
            SessionDescription? sdp;
            try
            {
                sdp = SessionDescription.Parse(mutated);
            }
            catch (SdpParseException)
            {
                continue;
            }

            parsed++;
            var written = sdp.ToSdpString();
            Assert.That(SessionDescription.Parse(written).ToSdpString(), Is.EqualTo(written), $"iteration {i}");
            ReadEverything(sdp);
        }

        Assert.That(parsed, Is.GreaterThan(0), "some mutations should still be valid SDP");
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)), "parsing must not hang");
    }

    private static string Mutate(string text, Random random)
    {
        var sb = new StringBuilder(text);
        var count = random.Next(1, 4);
        for (var k = 0; k < count && sb.Length > 0; k++)
        {
            var pos = random.Next(sb.Length);
            switch (random.Next(8))
            {
                case 0:
                    sb[pos] = (char)random.Next(0, 128);
                    break;
                case 1:
                    sb.Remove(pos, Math.Min(random.Next(1, 40), sb.Length - pos));
                    break;
                case 2:
                    var len = Math.Min(random.Next(1, 80), sb.Length - pos);
                    sb.Insert(random.Next(sb.Length), sb.ToString(pos, len));
                    break;
                case 3:
                    sb.Insert(pos, "\r\n\0\u00e9\ud83d\ude00 :/="[random.Next(10)]);
                    break;
                case 4:
                    sb.Length = pos;
                    break;
                case 5:
                    sb[pos] = char.IsDigit(sb[pos]) ? (char)('0' + random.Next(10)) : sb[pos];
                    sb.Insert(pos, random.Next(100000).ToString(System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case 6:
                    var lines = sb.ToString().Split('\n');
                    if (lines.Length > 2)
                    {
                        var a = random.Next(lines.Length);
                        var b = random.Next(lines.Length);
                        (lines[a], lines[b]) = (lines[b], lines[a]);
                        sb.Clear().Append(string.Join('\n', lines));
                    }

                    break;
                default:
                    sb.Insert(pos, new string(' ', random.Next(1, 4)));
                    break;
            }
        }

        return sb.ToString();
    }

    private static void ReadEverything(SessionDescription sdp)
    {
        _ = sdp.Version;
        _ = sdp.Origin;
        _ = sdp.SessionName;
        _ = sdp.Timing;
        _ = sdp.Groups;
        _ = sdp.BundleGroup;
        _ = sdp.MsidSemantic;
        _ = sdp.IceLite;
        _ = sdp.Connection;
        _ = sdp.Bandwidths;
        _ = sdp.ToString();
        foreach (var m in sdp.Media)
        {
            _ = m.Media;
            _ = m.Port;
            _ = m.Protocol;
            _ = m.Formats;
            _ = m.PayloadTypes;
            _ = m.IsDataChannel;
            _ = m.Mid;
            _ = m.Rtcp;
            _ = m.RtcpMux;
            _ = m.RtcpRsize;
            _ = m.SctpPort;
            _ = m.MaxMessageSize;
            _ = m.SctpMap;
            _ = m.RtpMaps;
            _ = m.Fmtps.Select(f => f.GetParameters()).ToList();
            _ = m.RtcpFeedbacks;
            _ = m.Ssrcs;
            _ = m.SsrcGroups;
            _ = m.Msids;
            _ = m.Candidates;
            _ = m.EndOfCandidates;
            _ = m.ExtMaps;
            _ = m.Bandwidths;
            _ = m.Connection;
            _ = m.ToString();
            _ = sdp.GetIceUfrag(m);
            _ = sdp.GetIcePwd(m);
            _ = sdp.GetFingerprints(m).Select(f => f.GetBytes()).ToList();
            _ = sdp.GetSetup(m);
            _ = sdp.GetDirection(m);
            _ = sdp.GetIceOptions(m);
        }
    }
}
