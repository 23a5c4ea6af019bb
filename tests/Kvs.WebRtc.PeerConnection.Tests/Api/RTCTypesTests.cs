using Kvs.WebRtc.PeerConnection.Dtls;
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

    [Test]
    public void WebRtcException_FromDtls_CarriesTheAlertSentOrReceived()
    {
        var received = WebRtcException.FromDtls(new DtlsException(DtlsError.AlertReceived, "peer said no", DtlsAlertDescription.HandshakeFailure));
        var sent = WebRtcException.FromDtls(new DtlsException(DtlsError.NegotiationFailed, "no common suite", DtlsAlertDescription.HandshakeFailure));
        var mismatch = WebRtcException.FromDtls(new DtlsException(DtlsError.FingerprintMismatch, "not the SDP's", DtlsAlertDescription.BadCertificate));

        Assert.Multiple(() =>
        {
            Assert.That(received.Error, Is.EqualTo(WebRtcError.DtlsFailed));
            Assert.That(received.ReceivedAlert, Is.EqualTo(DtlsAlertDescription.HandshakeFailure));
            Assert.That(received.SentAlert, Is.Null);
            Assert.That(received.Message, Does.Contain("peer said no"));
            Assert.That(sent.Error, Is.EqualTo(WebRtcError.DtlsFailed));
            Assert.That(sent.SentAlert, Is.EqualTo(DtlsAlertDescription.HandshakeFailure));
            Assert.That(sent.ReceivedAlert, Is.Null);
            Assert.That(mismatch.Error, Is.EqualTo(WebRtcError.FingerprintMismatch));
            Assert.That(mismatch.SentAlert, Is.EqualTo(DtlsAlertDescription.BadCertificate));
        });
    }

    [Test]
    public void Configuration_Snapshot_CopiesEveryPropertyAndTheLists()
    {
        var config = new RTCConfiguration
        {
            IceServers = [new RTCIceServer { Urls = ["stun:127.0.0.1:3478"] }],
            IceTransportPolicy = RTCIceTransportPolicy.Relay,
            IncludeLoopbackCandidates = true,
            EnableIpv6 = false,
            HostAddresses = [System.Net.IPAddress.Loopback],
        };

        var copy = config.Snapshot();

        Assert.Multiple(() =>
        {
            Assert.That(typeof(RTCConfiguration).GetProperties().Where(p => p.CanWrite).Select(p => p.Name), Is.EquivalentTo(new[]
            {
                nameof(RTCConfiguration.IceServers), nameof(RTCConfiguration.IceTransportPolicy), nameof(RTCConfiguration.IncludeLoopbackCandidates),
                nameof(RTCConfiguration.EnableIpv6), nameof(RTCConfiguration.HostAddresses),
            }), "a new property must be copied by Snapshot and listed here");
            Assert.That(copy.IceServers, Is.EqualTo(config.IceServers).AsCollection.And.Not.SameAs(config.IceServers));
            Assert.That(copy.IceTransportPolicy, Is.EqualTo(RTCIceTransportPolicy.Relay));
            Assert.That(copy.IncludeLoopbackCandidates, Is.True);
            Assert.That(copy.EnableIpv6, Is.False);
            Assert.That(copy.HostAddresses, Is.EqualTo(config.HostAddresses).AsCollection.And.Not.SameAs(config.HostAddresses));
        });
    }

    [Test]
    public void PeerConnectionOptions_Snapshot_CopiesEveryPublicProperty()
    {
        var options = new RTCPeerConnectionOptions
        {
            TimeProvider = TimeProvider.System,
            LoggerFactory = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
            RtcpReportInterval = TimeSpan.FromSeconds(3),
            Nack = new RTCNackOptions { Enabled = false, MaxRetransmissionShare = 0.5, MinRetransmissionBitrate = 1, MaxRetries = 3, MaxAge = TimeSpan.FromSeconds(1) },
            Pacing = new RTCPacingOptions { Enabled = false, PacingFactor = 3, MaxQueueDelay = TimeSpan.FromSeconds(1) },
        };

        var copy = options.Snapshot();

        Assert.Multiple(() =>
        {
            Assert.That(typeof(RTCPeerConnectionOptions).GetProperties().Where(p => p.CanWrite).Select(p => p.Name), Is.EquivalentTo(new[]
            {
                nameof(RTCPeerConnectionOptions.TimeProvider), nameof(RTCPeerConnectionOptions.MeterFactory), nameof(RTCPeerConnectionOptions.LoggerFactory),
                nameof(RTCPeerConnectionOptions.Certificate), nameof(RTCPeerConnectionOptions.RtcpReportInterval), nameof(RTCPeerConnectionOptions.Nack),
                nameof(RTCPeerConnectionOptions.Pacing),
            }), "a new property must be copied by Snapshot and listed here");
            Assert.That(copy.TimeProvider, Is.SameAs(options.TimeProvider));
            Assert.That(copy.LoggerFactory, Is.SameAs(options.LoggerFactory));
            Assert.That(copy.RtcpReportInterval, Is.EqualTo(TimeSpan.FromSeconds(3)));
            Assert.That(copy.Nack, Is.Not.SameAs(options.Nack));
            Assert.That(copy.Nack!.Enabled, Is.False);
            Assert.That(copy.Nack.MaxRetransmissionShare, Is.EqualTo(0.5));
            Assert.That(copy.Nack.MinRetransmissionBitrate, Is.EqualTo(1));
            Assert.That(copy.Nack.MaxRetries, Is.EqualTo(3));
            Assert.That(copy.Nack.MaxAge, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(copy.Pacing, Is.Not.SameAs(options.Pacing));
            Assert.That(copy.Pacing!.Enabled, Is.False);
            Assert.That(copy.Pacing.PacingFactor, Is.EqualTo(3));
            Assert.That(copy.Pacing.MaxQueueDelay, Is.EqualTo(TimeSpan.FromSeconds(1)));
        });
    }

    [TestCase(nameof(RTCNackOptions.MaxRetries))]
    [TestCase(nameof(RTCPacingOptions.PacingFactor))]
    [TestCase(nameof(RTCPeerConnectionOptions.RtcpReportInterval))]
    public void PeerConnection_OptionOutOfRange_ArgumentExceptionNamesTheProperty(string property)
    {
        var options = property switch
        {
            nameof(RTCNackOptions.MaxRetries) => new RTCPeerConnectionOptions { Nack = new RTCNackOptions { MaxRetries = 0 } },
            nameof(RTCPacingOptions.PacingFactor) => new RTCPeerConnectionOptions { Pacing = new RTCPacingOptions { PacingFactor = 0.5 } },
            _ => new RTCPeerConnectionOptions { RtcpReportInterval = TimeSpan.FromSeconds(-2) },
        };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new RTCPeerConnection(null, options));
        Assert.That(error!.ParamName, Is.EqualTo(property));
    }
}
