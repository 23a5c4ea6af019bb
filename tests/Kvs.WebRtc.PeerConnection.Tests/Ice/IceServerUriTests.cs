using NUnit.Framework;
using System.Net;
using Kvs.WebRtc.PeerConnection.Ice;

namespace Kvs.WebRtc.PeerConnection.Tests.Ice;

[TestFixture]
public sealed class IceServerUriTests
{
    [TestCase("stun:stun.example.com", "Stun", "stun.example.com", 3478, "Udp")]
    [TestCase("stun:192.0.2.1:19302", "Stun", "192.0.2.1", 19302, "Udp")]
    [TestCase("stuns:stun.example.com", "Stuns", "stun.example.com", 5349, "Tcp")]
    [TestCase("turn:turn.example.com", "Turn", "turn.example.com", 3478, "Udp")]
    [TestCase("turn:turn.example.com:443?transport=tcp", "Turn", "turn.example.com", 443, "Tcp")]
    [TestCase("TURN:[2001:db8::1]:3479?transport=UDP", "Turn", "2001:db8::1", 3479, "Udp")]
    [TestCase("turns:turn.example.com?transport=tcp", "Turns", "turn.example.com", 5349, "Tcp")]
    [TestCase("turns:35-90-63-38.t-ae7dd61a.kinesisvideo.us-west-2.amazonaws.com:443?transport=tcp", "Turns", "35-90-63-38.t-ae7dd61a.kinesisvideo.us-west-2.amazonaws.com", 443, "Tcp")]
    public void TryParse_ValidUri_ReadsParts(string text, string scheme, string host, int port, string transport)
    {
        Assert.That(IceServerUri.TryParse(text, out var uri), Is.True);
        Assert.That(uri, Is.EqualTo(new IceServerUri(Enum.Parse<IceServerScheme>(scheme), host, port, Enum.Parse<IceTransportProtocol>(transport))));
        Assert.That(IceServerUri.TryParse(uri!.ToString(), out var again), Is.True);
        Assert.That(again, Is.EqualTo(uri));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("http://example.com")]
    [TestCase("stun:")]
    [TestCase("stun://example.com")]
    [TestCase("stun:example.com?transport=udp")]
    [TestCase("turn:example.com?transport=sctp")]
    [TestCase("turn:example.com?foo=bar")]
    [TestCase("turns:example.com?transport=udp")]
    [TestCase("turn:example.com:0")]
    [TestCase("turn:example.com:65536")]
    [TestCase("turn:example.com:")]
    [TestCase("turn:[2001:db8::1")]
    [TestCase("turn:[not-v6]:3478")]
    [TestCase("turn:exa mple.com")]
    [TestCase("turn:user@example.com")]
    public void TryParse_InvalidUri_ReturnsFalse(string? text)
    {
        Assert.That(IceServerUri.TryParse(text, out var uri), Is.False);
        Assert.That(uri, Is.Null);
    }

    [Test]
    public void ToRelayServer_TurnsUri_TlsWithCredentialsAndRedactedToString()
    {
        Assert.That(IceServerUri.TryParse("turns:turn.example.com:443?transport=tcp", out var uri), Is.True);
        var server = uri!.ToRelayServer("user", "s3cret-pass");

        Assert.That(server, Is.EqualTo(new IceRelayServer("turn.example.com", 443, IceRelayProtocol.Tls, "user", "s3cret-pass")));
        Assert.That(server.ToString(), Does.Not.Contain("s3cret-pass"));
    }

    [TestCase("turn:127.0.0.1", "Udp")]
    [TestCase("turn:127.0.0.1?transport=tcp", "Tcp")]
    public void ToRelayServer_TurnTransport_MapsProtocol(string text, string expected)
    {
        Assert.That(IceServerUri.TryParse(text, out var uri), Is.True);
        Assert.That(uri!.ToRelayServer("u", "p").Protocol.ToString(), Is.EqualTo(expected));
    }

    [Test]
    public void ToRelayServer_StunUri_Throws()
    {
        Assert.That(IceServerUri.TryParse("stun:127.0.0.1", out var uri), Is.True);
        Assert.Throws<InvalidOperationException>(() => uri!.ToRelayServer("u", "p"));
    }

    [Test]
    public void TryGetUdpStunEndPoint_IpLiteral_ReturnsEndPoint_HostNameOrTls_Null()
    {
        Assert.That(IceServerUri.TryParse("stun:192.0.2.1:19302", out var literal), Is.True);
        Assert.That(IceServerUri.TryParse("stun:stun.example.com", out var name), Is.True);
        Assert.That(IceServerUri.TryParse("stuns:192.0.2.1", out var tls), Is.True);

        Assert.That(literal!.TryGetUdpStunEndPoint(), Is.EqualTo(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 19302)));
        Assert.That(name!.TryGetUdpStunEndPoint(), Is.Null);
        Assert.That(tls!.TryGetUdpStunEndPoint(), Is.Null);
    }

    [Test]
    public void TryParse_RandomMutations_NeverThrowsAndRoundTripsWhatParses()
    {
        string[] seeds = ["stun:stun.example.com:19302", "turn:[2001:db8::1]:3479?transport=udp", "turns:turn.example.com:443?transport=tcp"];
        const string alphabet = ":?=[]/.@ 0123456789abcdefghijklmnopqrstuvwxyzTURNS\u00e9\0";
        var random = new Random(7065);
        var parsed = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var chars = seeds[i % seeds.Length].ToCharArray();
            for (var e = random.Next(1, 4); e > 0; e--)
            {
                chars[random.Next(chars.Length)] = alphabet[random.Next(alphabet.Length)];
            }

            var text = new string(chars, 0, random.Next(4) == 0 ? random.Next(chars.Length + 1) : chars.Length);
            if (IceServerUri.TryParse(text, out var uri))
            {
                parsed++;
                Assert.That(IceServerUri.TryParse(uri!.ToString(), out var again), Is.True, text);
                Assert.That(again, Is.EqualTo(uri), text);
            }
        }

        Assert.That(parsed, Is.GreaterThan(0));
    }
}
