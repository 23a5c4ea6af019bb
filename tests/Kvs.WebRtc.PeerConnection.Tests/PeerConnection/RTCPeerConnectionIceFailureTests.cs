using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.PeerConnection;

/// <summary>ICE that cannot connect ends in Failed states with a typed failure (timers driven by a manual clock).</summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class RTCPeerConnectionIceFailureTests
{
    [Test]
    public async Task UnreachableRemoteCandidate_IceAndConnectionBecomeFailed_WithIceFailedError()
    {
        var ct = PeerPair.Timeout(30);
        var clock = new ManualTimeProvider();
        await using var offerer = new RTCPeerConnection(PeerPair.LoopbackConfiguration);
        await using var pc = new RTCPeerConnection(PeerPair.LoopbackConfiguration, new RTCPeerConnectionOptions { TimeProvider = clock });
        var failed = PeerPair.WaitForStateAsync(pc, RTCPeerConnectionState.Failed, ct);

        // A real offer whose only candidate points at a port nobody listens on, then end-of-candidates.
        offerer.CreateDataChannel("x");
        var offer = await offerer.CreateOfferAsync(ct);
        await pc.SetRemoteDescriptionAsync(offer, ct);
        await pc.AddIceCandidateAsync(new RTCIceCandidateInit("candidate:1 1 udp 2130706431 127.0.0.1 9 typ host", "0", 0), ct);
        await pc.AddIceCandidateAsync(new RTCIceCandidateInit(string.Empty, "0", 0), ct);
        await pc.SetLocalDescriptionAsync(await pc.CreateAnswerAsync(ct), ct);

        // Every connectivity check times out (RFC 8445 §14.3); the manual clock makes that instant.
        for (var i = 0; i < 600 && pc.ConnectionState != RTCPeerConnectionState.Failed; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(200));
            await Task.Delay(5, ct);
        }

        await failed;
        Assert.That(pc.IceConnectionState, Is.EqualTo(RTCIceConnectionState.Failed));
        Assert.That(pc.Failure?.Error, Is.EqualTo(WebRtcError.IceFailed));
    }
}
