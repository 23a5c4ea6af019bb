using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Api;

public sealed class RTCTypesTests
{
    [TestCase("offer", RTCSdpType.Offer)]
    [TestCase("ANSWER", RTCSdpType.Answer)]
    [TestCase("PrAnswer", RTCSdpType.Pranswer)]
    [TestCase("rollback", RTCSdpType.Rollback)]
    public void ParseType_WireName_RoundTripsThroughTypeName(string name, RTCSdpType expected)
    {
        var type = RTCSessionDescription.ParseType(name);
        Assert.That(type, Is.EqualTo(expected));
        Assert.That(RTCSessionDescription.ToTypeName(type), Is.EqualTo(name.ToLowerInvariant()));
    }

    [Test]
    public void ParseType_UnknownName_ThrowsArgumentException() =>
        Assert.Throws<ArgumentException>(() => RTCSessionDescription.ParseType("answr"));

    [Test]
    public void SessionDescription_ToString_DoesNotPrintTheSdp()
    {
        var description = new RTCSessionDescription(RTCSdpType.Offer, "v=0\r\na=ice-pwd:secretpasswordvalue123\r\n");
        Assert.That(description.ToString(), Does.Not.Contain("secretpasswordvalue123").And.Contain("offer"));
    }

    [Test]
    public void IceServer_ToString_RedactsCredential()
    {
        var server = new RTCIceServer { Urls = ["turn:127.0.0.1:3478"], Username = "user", Credential = "hunter2-turn-secret" };
        Assert.That(server.ToString(), Does.Not.Contain("hunter2-turn-secret").And.Contain("user").And.Contain("turn:127.0.0.1:3478"));
    }

    [TestCase("")]
    [TestCase("  ")]
    public void IceCandidateInit_EmptyCandidate_IsEndOfCandidates(string candidate) =>
        Assert.That(new RTCIceCandidateInit(candidate).IsEndOfCandidates, Is.True);

    [Test]
    public void IceCandidateInit_RealCandidate_IsNotEndOfCandidates() =>
        Assert.That(new RTCIceCandidateInit("candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host", "0", 0).IsEndOfCandidates, Is.False);

    [Test]
    public void Configuration_Validate_AcceptsStunAndAuthenticatedTurn()
    {
        var config = new RTCConfiguration
        {
            IceServers =
            [
                new RTCIceServer { Urls = ["stun:127.0.0.1:3478"] },
                new RTCIceServer { Urls = ["turn:127.0.0.1:3478?transport=udp", "turns:localhost:5349"], Username = "u", Credential = "p" },
            ],
        };
        Assert.DoesNotThrow(config.Validate);
    }

    [TestCase("turn:127.0.0.1:3478", null, null, "without a user name")]
    [TestCase("http://127.0.0.1", null, null, "scheme")]
    [TestCase("", null, null, "scheme")]
    public void Configuration_Validate_RejectsUnusableServer(string url, string? user, string? credential, string reason)
    {
        var config = new RTCConfiguration { IceServers = [new RTCIceServer { Urls = [url], Username = user, Credential = credential }] };
        var ex = Assert.Throws<ArgumentException>(config.Validate);
        Assert.That(ex!.Message, Does.Contain(reason).And.Contain("IceServers[0]"));
    }

    [Test]
    public void Configuration_Validate_RejectsServerWithoutUrls()
    {
        var config = new RTCConfiguration { IceServers = [new RTCIceServer { Urls = [] }] };
        Assert.Throws<ArgumentException>(config.Validate);
    }

    [Test]
    public void WebRtcException_CarriesErrorCode()
    {
        var inner = new InvalidOperationException("x");
        var ex = new WebRtcException(WebRtcError.FingerprintMismatch, "mismatch", inner);
        Assert.That(ex.Error, Is.EqualTo(WebRtcError.FingerprintMismatch));
        Assert.That(ex.InnerException, Is.SameAs(inner));
        Assert.That(ex, Is.InstanceOf<IOException>());
    }
}
