using Kvs.WebRtc.PeerConnection.Media;
using NUnit.Framework;
using static Kvs.WebRtc.PeerConnection.Tests.PeerConnection.TransportObjectsTestHelpers;

namespace Kvs.WebRtc.PeerConnection.Tests.PeerConnection;

/// <summary><see cref="RTCIceTransport"/> of two connected peer connections on 127.0.0.1.</summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class RTCIceTransportTests
{
    [Test]
    public async Task Connected_ReportsRolesCandidatesSelectedPairAndUsernameFragmentsButNoPassword()
    {
        var ct = PeerPair.Timeout(30);
        await using var pair = new PeerPair();
        await pair.OpenChannelAsync("ice", null, ct);
        await PeerPair.WaitForStateAsync(pair.A, RTCPeerConnectionState.Connected, ct);
        var iceA = pair.A.Sctp!.Transport.IceTransport;
        var iceB = pair.B.Sctp!.Transport.IceTransport;
        await PollAsync(() => iceA.GetSelectedCandidatePair() is not null && iceA.GatheringState == RTCIceGatheringState.Complete, "pair selected, gathering complete", ct);

        Assert.That(iceA.Role, Is.EqualTo(RTCIceRole.Controlling), "the offerer controls");
        Assert.That(iceB.Role, Is.EqualTo(RTCIceRole.Controlled));
        Assert.That(iceA.Component, Is.EqualTo(RTCIceComponent.Rtp));
        Assert.That(iceA.State, Is.EqualTo(RTCIceConnectionState.Connected).Or.EqualTo(RTCIceConnectionState.Completed));
        var sdpA = pair.A.LocalDescription!.Sdp;
        var sdpB = pair.B.LocalDescription!.Sdp;
        Assert.That(iceA.GetLocalParameters().UsernameFragment, Is.EqualTo(Attribute(sdpA, "ice-ufrag")));
        Assert.That(iceA.GetRemoteParameters()!.UsernameFragment, Is.EqualTo(Attribute(sdpB, "ice-ufrag")));

        var locals = iceA.GetLocalCandidates();
        Assert.That(locals, Is.Not.Empty);
        Assert.That(locals.Select(c => (c.Type, c.Address, c.Protocol, c.SdpMid)), Has.All.EqualTo((RTCIceCandidateType.Host, "127.0.0.1", RTCIceProtocol.Udp, "0")));
        Assert.That(locals[0].ToInit().Candidate, Does.StartWith("candidate:"));
        Assert.That(iceA.GetRemoteCandidates().Select(c => c.Port), Is.SupersetOf(iceB.GetLocalCandidates().Select(c => c.Port).Take(1)));
        var selected = iceA.GetSelectedCandidatePair()!;
        Assert.That(locals.Select(c => c.Port), Does.Contain(selected.Local.Port));
        // The remote side is prflx when B's check reached A before B's trickled candidate did (a race under load; RFC 8445 §7.3.1.3).
        Assert.That(pair.A.GetStats().SelectedCandidatePair, Does.Contain($":{selected.Local.Port} host -> ").And.Match($@":{selected.Remote.Port} (host|prflx)$"));

        var password = Attribute(sdpA, "ice-pwd");
        var texts = new[] { iceA.ToString(), iceA.GetLocalParameters().ToString(), iceA.GetRemoteParameters()!.ToString(), selected.ToString() }
            .Concat(locals.Select(c => c.ToString()));
        Assert.That(texts, Has.None.Contains(password).And.None.Contains(Attribute(sdpB, "ice-pwd")));
        Assert.That(typeof(RTCIceParameters).GetProperties().Select(p => p.Name), Is.EquivalentTo(new[] { nameof(RTCIceParameters.UsernameFragment) }));

        pair.A.Close();
        Assert.That(iceA.State, Is.EqualTo(RTCIceConnectionState.Closed));
    }

    [Test]
    public async Task StateEvents_ReachTheApplicationBeforeThePeerConnectionsOwnEvents()
    {
        var ct = PeerPair.Timeout(30);
        await using var pair = new PeerPair();
        pair.A.AddTransceiver(MediaStreamTrackKind.Video);
        pair.A.CreateDataChannel("order");
        var events = new List<string>();
        void Record(string what)
        {
            lock (events)
            {
                events.Add(what);
            }
        }

        RTCDtlsTransport? dtls = null;
        await pair.NegotiateAsync(
            pair.A,
            answer =>
            {
                // After A's SetLocalDescription(offer): its sender has the transport, before any check could run.
                dtls = pair.A.GetTransceivers()[0].Sender.Transport!;
                dtls.IceTransport.StateChanged += (s, _) => Record("ice " + ((RTCIceTransport)s!).State);
                dtls.StateChanged += (s, _) => Record("dtls " + ((RTCDtlsTransport)s!).State);
                pair.A.IceConnectionStateChanged += (_, _) => Record("pc-ice " + pair.A.IceConnectionState);
                pair.A.ConnectionStateChanged += (_, _) => Record("pc " + pair.A.ConnectionState);
                return answer;
            },
            ct);
        await PeerPair.WaitForStateAsync(pair.A, RTCPeerConnectionState.Connected, ct);
        await PollAsync(() => { lock (events) { return events.Contains("pc Connected"); } }, "connected recorded", ct);

        List<string> seen;
        lock (events)
        {
            seen = [.. events];
        }

        Assert.That(seen.IndexOf("ice Connected"), Is.GreaterThanOrEqualTo(0).And.LessThan(seen.IndexOf("pc-ice Connected")), string.Join(", ", seen));
        Assert.That(seen.IndexOf("dtls Connected"), Is.GreaterThanOrEqualTo(0).And.LessThan(seen.IndexOf("pc Connected")), string.Join(", ", seen));
        Assert.That(seen.IndexOf("dtls Connecting"), Is.LessThan(seen.IndexOf("dtls Connected")));
        Assert.That(dtls!.State, Is.EqualTo(RTCDtlsTransportState.Connected));
    }
}
