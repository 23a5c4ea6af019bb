using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.PeerConnection;

/// <summary>
/// <see cref="RTCPeerConnection.SetConfiguration"/> (W3C setConfiguration): the ICE servers may be replaced (fresh TURN
/// credentials before an ICE restart); everything else is fixed at creation and a change is refused with a typed error.
/// </summary>
[TestFixture]
public sealed class RTCPeerConnectionSetConfigurationTests
{
    private static RTCConfiguration WithTurn(string user, string credential) => new()
    {
        IceServers = [new RTCIceServer { Urls = ["turn:127.0.0.1:3478?transport=udp"], Username = user, Credential = credential }],
        IncludeLoopbackCandidates = true,
        EnableIpv6 = false,
    };

    [Test]
    public async Task SetConfiguration_NewIceServers_AcceptedBeforeAndAfterIceStarted()
    {
        await using var connection = new RTCPeerConnection(WithTurn("user-1", "secret-1"));
        connection.SetConfiguration(WithTurn("user-2", "secret-2"));
        connection.CreateDataChannel("c");
        var offer = await connection.CreateOfferAsync();
        await connection.SetLocalDescriptionAsync(offer);

        Assert.DoesNotThrow(() => connection.SetConfiguration(WithTurn("user-3", "secret-3")));
    }

    [Test]
    public async Task SetConfiguration_OtherPropertyChanged_ThrowsInvalidParameter_ConfigurationUnchanged()
    {
        await using var connection = new RTCPeerConnection(WithTurn("user-1", "secret-1"));
        var relayOnly = WithTurn("user-2", "secret-2");
        relayOnly.IceTransportPolicy = RTCIceTransportPolicy.Relay;
        var ipv6 = WithTurn("user-2", "secret-2");
        ipv6.EnableIpv6 = true;

        var policy = Assert.Throws<WebRtcException>(() => connection.SetConfiguration(relayOnly));
        var family = Assert.Throws<WebRtcException>(() => connection.SetConfiguration(ipv6));

        Assert.Multiple(() =>
        {
            Assert.That(policy!.Error, Is.EqualTo(WebRtcError.InvalidParameter));
            Assert.That(family!.Error, Is.EqualTo(WebRtcError.InvalidParameter));
            Assert.That(policy.Message, Does.Not.Contain("secret"), "no credential in the message");
        });
    }

    [Test]
    public async Task SetConfiguration_TurnWithoutCredential_ThrowsArgumentException()
    {
        await using var connection = new RTCPeerConnection(WithTurn("user-1", "secret-1"));
        var bad = new RTCConfiguration
        {
            IceServers = [new RTCIceServer { Urls = ["turn:127.0.0.1:3478"] }],
            IncludeLoopbackCandidates = true,
            EnableIpv6 = false,
        };

        Assert.Throws<ArgumentException>(() => connection.SetConfiguration(bad));
    }

    [Test]
    public async Task SetConfiguration_AfterClose_ThrowsClosed()
    {
        await using var connection = new RTCPeerConnection(WithTurn("user-1", "secret-1"));
        connection.Close();

        var error = Assert.Throws<WebRtcException>(() => connection.SetConfiguration(WithTurn("user-2", "secret-2")));
        Assert.That(error!.Error, Is.EqualTo(WebRtcError.Closed));
    }
}
