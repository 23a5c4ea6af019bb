using NUnit.Framework;
using System.Net;
using Kvs.WebRtc.PeerConnection.Ice;

namespace Kvs.WebRtc.PeerConnection.Tests.Ice;

[TestFixture]
public sealed class IceCandidateTests
{
    private static readonly string[] s_chromiumLines =
    [
        "candidate:1467250027 1 udp 2122260223 192.168.0.196 46243 typ host generation 0 ufrag EsAw network-id 1 network-cost 10",
        "candidate:435653019 1 udp 1845501695 203.0.113.4 53988 typ srflx raddr 192.168.0.196 rport 46243 generation 0 ufrag EsAw network-id 1",
        "candidate:2230460395 1 tcp 1518280447 192.168.0.196 9 typ host tcptype active generation 0 ufrag EsAw network-id 1",
        "candidate:3745890120 1 udp 41885439 198.51.100.7 55000 typ relay raddr 203.0.113.4 rport 53988 generation 0",
        "candidate:1 1 udp 2113937151 2001:db8::5 7000 typ host",
        "candidate:prflx1 2 UDP 1862270975 10.0.0.1 1 typ prflx",
    ];

    [TestCaseSource(nameof(s_chromiumLines))]
    public void TryParse_ThenToString_RoundTripsExactly(string line)
    {
        Assert.That(IceCandidate.TryParse(line, out var candidate, out var error), Is.True, error.ToString());
        Assert.That(candidate!.ToString(), Is.EqualTo(line.Replace(" UDP ", " udp ", StringComparison.Ordinal)));
    }

    [Test]
    public void TryParse_ChromiumHostLine_ReadsEveryField()
    {
        var c = IceCandidate.Parse("a=" + s_chromiumLines[0] + "\r\n");
        Assert.Multiple(() =>
        {
            Assert.That(c.Foundation, Is.EqualTo("1467250027"));
            Assert.That(c.Component, Is.EqualTo(1));
            Assert.That(c.Protocol, Is.EqualTo(IceTransportProtocol.Udp));
            Assert.That(c.Priority, Is.EqualTo(2122260223u));
            Assert.That(c.EndPoint, Is.EqualTo(IPEndPoint.Parse("192.168.0.196:46243")));
            Assert.That(c.Type, Is.EqualTo(IceCandidateType.Host));
            Assert.That(c.Generation, Is.EqualTo(0));
            Assert.That(c.Ufrag, Is.EqualTo("EsAw"));
            Assert.That(c.NetworkId, Is.EqualTo("1"));
            Assert.That(c.NetworkCost, Is.EqualTo(10));
            Assert.That(c.ToSdpAttribute(), Is.EqualTo("a=" + s_chromiumLines[0]));
        });
    }

    [Test]
    public void TryParse_SrflxAndTcp_ReadsRelatedAddressAndTcpType()
    {
        var srflx = IceCandidate.Parse(s_chromiumLines[1]);
        var tcp = IceCandidate.Parse(s_chromiumLines[2]);
        Assert.Multiple(() =>
        {
            Assert.That(srflx.Type, Is.EqualTo(IceCandidateType.ServerReflexive));
            Assert.That(srflx.RelatedAddress, Is.EqualTo("192.168.0.196"));
            Assert.That(srflx.RelatedPort, Is.EqualTo(46243));
            Assert.That(tcp.Protocol, Is.EqualTo(IceTransportProtocol.Tcp));
            Assert.That(tcp.TcpType, Is.EqualTo(IceTcpType.Active));
        });
    }

    [Test]
    public void TryParse_MdnsHostName_ParsedAndFlagged()
    {
        var c = IceCandidate.Parse("candidate:2 1 udp 2122260223 8f3b0c1e-7f2c-4b7a-9d7e-1234567890ab.local 51234 typ host generation 0");
        Assert.That(c.IsMdns, Is.True);
        Assert.That(c.EndPoint, Is.Null);
    }

    [TestCase(null, "BadLength")]
    [TestCase("", "BadLength")]
    [TestCase("a=foo:1 1 udp 1 1.2.3.4 5 typ host", "MissingPrefix")]
    [TestCase("candidate:1 1 udp 1 1.2.3.4 5 typ", "TooFewFields")]
    [TestCase("candidate:1 1 udp 1 1.2.3.4", "TooFewFields")]
    [TestCase("candidate:fo!o 1 udp 1 1.2.3.4 5 typ host", "BadFoundation")]
    [TestCase("candidate:123456789012345678901234567890123 1 udp 1 1.2.3.4 5 typ host", "BadFoundation")]
    [TestCase("candidate:1 0 udp 1 1.2.3.4 5 typ host", "BadComponent")]
    [TestCase("candidate:1 257 udp 1 1.2.3.4 5 typ host", "BadComponent")]
    [TestCase("candidate:1 -1 udp 1 1.2.3.4 5 typ host", "BadComponent")]
    [TestCase("candidate:1 1 sctp 1 1.2.3.4 5 typ host", "UnsupportedTransport")]
    [TestCase("candidate:1 1 udp 0 1.2.3.4 5 typ host", "BadPriority")]
    [TestCase("candidate:1 1 udp 2147483648 1.2.3.4 5 typ host", "BadPriority")]
    [TestCase("candidate:1 1 udp 99999999999999999999 1.2.3.4 5 typ host", "BadPriority")]
    [TestCase("candidate:1 1 udp +5 1.2.3.4 5 typ host", "BadPriority")]
    [TestCase("candidate:1 1 udp 1 1.2.3 5 typ host", "BadAddress")]
    [TestCase("candidate:1 1 udp 1 a/b 5 typ host", "BadAddress")]
    [TestCase("candidate:1 1 udp 1 1.2.3.4 65536 typ host", "BadPort")]
    [TestCase("candidate:1 1 udp 1 1.2.3.4 -5 typ host", "BadPort")]
    [TestCase("candidate:1 1 udp 1 1.2.3.4 5 type host", "BadType")]
    [TestCase("candidate:1 1 udp 1 1.2.3.4 5 typ nat", "BadType")]
    [TestCase("candidate:1 1 udp 1 1.2.3.4 5 typ srflx raddr", "BadRelatedAddress")]
    [TestCase("candidate:1 1 udp 1 1.2.3.4 5 typ srflx raddr 1.2.3.4 rport 70000", "BadRelatedAddress")]
    [TestCase("candidate:1 1 tcp 1 1.2.3.4 5 typ host tcptype sideways", "BadTcpType")]
    [TestCase("candidate:1 1 udp 1 1.2.3.4 5 typ host generation", "BadExtension")]
    public void TryParse_HostileInput_RejectedWithReason(string? line, string expected)
    {
        Assert.That(IceCandidate.TryParse(line, out var candidate, out var error), Is.False);
        Assert.That(error.ToString(), Is.EqualTo(expected));
        Assert.That(candidate, Is.Null);
    }

    [Test]
    public void TryParse_OverlongLineOrTooManyExtensions_Rejected()
    {
        var longLine = "candidate:1 1 udp 1 1.2.3.4 5 typ host x " + new string('y', 1100);
        var manyExtensions = "candidate:1 1 udp 1 1.2.3.4 5 typ host" + string.Concat(Enumerable.Range(0, 17).Select(i => $" k{i} v"));

        Assert.That(IceCandidate.TryParse(longLine, out _, out var e1), Is.False);
        Assert.That(e1, Is.EqualTo(IceCandidateParseError.BadLength));
        Assert.That(IceCandidate.TryParse(manyExtensions, out _, out var e2), Is.False);
        Assert.That(e2, Is.EqualTo(IceCandidateParseError.BadExtension));
    }

    [Test]
    public void TryParse_RandomMutations_NeverThrows()
    {
        var random = new Random(8839);
        const string alphabet = " :.0123456789abcdefghijklmnopqrstuvwxyz-+/\t\r\n\0\u00e9[]";
        var parsed = 0;
        for (var i = 0; i < 30_000; i++)
        {
            var chars = s_chromiumLines[i % s_chromiumLines.Length].ToCharArray();
            var edits = random.Next(1, 4);
            for (var e = 0; e < edits; e++)
            {
                chars[random.Next(chars.Length)] = alphabet[random.Next(alphabet.Length)];
            }

            var text = new string(chars, 0, random.Next(3) == 0 ? random.Next(chars.Length + 1) : chars.Length);
            if (IceCandidate.TryParse(text, out var c, out _))
            {
                parsed++;
                // Whatever parses must format to something that parses to the same candidate fields.
                Assert.That(IceCandidate.TryParse(c!.ToString(), out var again, out _), Is.True, text);
                Assert.That(again!.ToString(), Is.EqualTo(c.ToString()));
            }
        }

        Assert.That(parsed, Is.GreaterThan(0));
    }
}
