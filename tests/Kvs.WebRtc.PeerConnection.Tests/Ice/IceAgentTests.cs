using Kvs.WebRtc.PeerConnection.Ice;
using Kvs.WebRtc.PeerConnection.Stun;
using NUnit.Framework;
using static Kvs.WebRtc.PeerConnection.Tests.Ice.IceAgentHarness;

namespace Kvs.WebRtc.PeerConnection.Tests.Ice;

[TestFixture]
public sealed class IceAgentTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(20);

    private static (IceAgentHarness Net, IceAgent A, IceAgent B) Pair(IceRole roleA = IceRole.Controlling, IceRole roleB = IceRole.Controlled,
        ulong? tieA = null, ulong? tieB = null, IceAgentOptions? options = null)
    {
        var net = new IceAgentHarness();
        var a = new IceAgent(roleA, options: options, tieBreaker: tieA);
        var b = new IceAgent(roleB, options: options, tieBreaker: tieB);
        net.Add(a, Ep("10.0.0.1:1000"), Ep("[2001:db8::1]:1000"));
        net.Add(b, Ep("10.0.0.2:2000"), Ep("[2001:db8::2]:2000"));
        a.SetLocalGatheringDone();
        b.SetLocalGatheringDone();
        return (net, a, b);
    }

    private static bool BothConnected(IceAgent a, IceAgent b) =>
        a.SelectedPair is not null && b.SelectedPair is not null
        && a.State is IceConnectionState.Connected or IceConnectionState.Completed
        && b.State is IceConnectionState.Connected or IceConnectionState.Completed;

    [Test]
    public void Connect_ControllingAndControlled_SelectTheSameNominatedPair()
    {
        var (net, a, b) = Pair();
        Signal(a, b);
        Signal(b, a);

        Assert.That(net.Pump(s_limit, () => BothConnected(a, b)), Is.True, "both sides connect");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(a.SelectedPair!.LocalBase, Is.EqualTo(b.SelectedPair!.RemoteEndPoint));
            Assert.That(a.SelectedPair.RemoteEndPoint, Is.EqualTo(b.SelectedPair.LocalBase));
            // IPv6 host candidates have the higher local preference (RFC 8421), so the IPv6 pair wins.
            Assert.That(a.SelectedPair.LocalBase, Is.EqualTo(Ep("[2001:db8::1]:1000")));
            Assert.That(a.Pairs.Single(p => p.Matches(a.SelectedPair.LocalBase, a.SelectedPair.RemoteEndPoint)).Nominated, Is.True);
            Assert.That(b.Pairs.Single(p => p.Matches(b.SelectedPair.LocalBase, b.SelectedPair.RemoteEndPoint)).Nominated, Is.True);
            Assert.That(net.Events[a].OfType<IceStateChanged>().Select(e => e.State), Does.Contain(IceConnectionState.Checking).And.Contain(IceConnectionState.Connected));
            Assert.That(net.Events[b].OfType<IceSelectedPairChanged>().Count(), Is.EqualTo(1));
        }
    }

    [Test]
    public void Connect_WithEndOfCandidates_ReachesCompleted()
    {
        var (net, a, b) = Pair();
        Signal(a, b);
        Signal(b, a);

        Assert.That(net.Pump(s_limit, () => a.State == IceConnectionState.Completed && b.State == IceConnectionState.Completed), Is.True);
    }

    [Test]
    public void Connect_ControlledOffersFirst_RolesFromConstructorAreKept()
    {
        var (net, a, b) = Pair(IceRole.Controlled, IceRole.Controlling);
        Signal(b, a);
        Signal(a, b);

        Assert.That(net.Pump(s_limit, () => BothConnected(a, b)), Is.True);
        Assert.That((a.Role, b.Role), Is.EqualTo((IceRole.Controlled, IceRole.Controlling)));
        Assert.That(a.Counters.RoleConflicts + b.Counters.RoleConflicts, Is.Zero);
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Connect_BothClaimTheSameRole_ConflictResolvedByTieBreaker(bool bothControlling)
    {
        var both = bothControlling ? IceRole.Controlling : IceRole.Controlled;
        var (net, a, b) = Pair(both, both, tieA: 1000, tieB: 2000);
        Signal(a, b);
        Signal(b, a);

        Assert.That(net.Pump(s_limit, () => BothConnected(a, b)), Is.True);
        using (Assert.EnterMultipleScope())
        {
            // RFC 8445 §7.3.1.1: the larger tie-breaker ends up controlling.
            Assert.That(b.Role, Is.EqualTo(IceRole.Controlling));
            Assert.That(a.Role, Is.EqualTo(IceRole.Controlled));
            Assert.That(a.Counters.RoleConflicts + b.Counters.RoleConflicts, Is.GreaterThan(0));
        }
    }

    [Test]
    public void Connect_PeerBehindNatWithoutSignalledCandidates_LearnsPeerReflexiveCandidate()
    {
        var net = new IceAgentHarness();
        var a = new IceAgent(IceRole.Controlling);
        var b = new IceAgent(IceRole.Controlled);
        net.Add(a, Ep("192.168.1.10:5000"));
        net.Add(b, Ep("198.51.100.2:6000"));
        net.AddNat(Ep("192.168.1.10:5000"), Ep("203.0.113.7:40000"));

        // B knows A's credentials but none of its candidates: it must learn A from A's checks.
        Signal(a, b, candidates: false);
        Signal(b, a);

        Assert.That(net.Pump(s_limit, () => BothConnected(a, b)), Is.True);
        using (Assert.EnterMultipleScope())
        {
            var prflx = b.RemoteCandidates.Single();
            Assert.That(prflx.Type, Is.EqualTo(IceCandidateType.PeerReflexive));
            Assert.That(prflx.EndPoint, Is.EqualTo(Ep("203.0.113.7:40000")));
            Assert.That(b.SelectedPair!.RemoteEndPoint, Is.EqualTo(Ep("203.0.113.7:40000")));
            Assert.That(prflx.Priority, Is.EqualTo(IcePriority.Compute(IceCandidateType.PeerReflexive, 32767, 1)));
        }
    }

    [Test]
    public void AddRemoteCandidate_SignalledAfterPeerReflexive_ReplacesIt()
    {
        var net = new IceAgentHarness();
        var a = new IceAgent(IceRole.Controlling);
        var b = new IceAgent(IceRole.Controlled);
        net.Add(a, Ep("10.0.0.1:1000"));
        net.Add(b, Ep("10.0.0.2:2000"));
        Signal(a, b, candidates: false, endOfCandidates: false);
        Signal(b, a);
        Assert.That(net.Pump(s_limit, () => BothConnected(a, b)), Is.True);
        Assert.That(b.RemoteCandidates.Single().Type, Is.EqualTo(IceCandidateType.PeerReflexive));

        var host = IceCandidate.Parse(a.LocalCandidates.Single().ToString());
        Assert.That(b.AddRemoteCandidate(host), Is.False, "not a new address");
        Assert.That(b.RemoteCandidates.Single().Type, Is.EqualTo(IceCandidateType.Host));
    }

    [Test]
    public void Restart_NewCredentialsExchanged_ReconnectsAndDropsOldUfrag()
    {
        var (net, a, b) = Pair();
        Signal(a, b);
        Signal(b, a);
        Assert.That(net.Pump(s_limit, () => BothConnected(a, b)), Is.True);
        var oldUfrag = a.LocalCredentials.Ufrag;
        var selectedEvents = net.Events[a].OfType<IceSelectedPairChanged>().Count();

        a.Restart();
        b.Restart();
        Assert.That(a.LocalCredentials.Ufrag, Is.Not.EqualTo(oldUfrag));
        Assert.That(a.SelectedPair, Is.Not.Null, "the old pair keeps carrying data during the restart");
        Signal(a, b);
        Signal(b, a);

        Assert.That(net.Pump(net.Now + s_limit, () => net.Events[a].OfType<IceSelectedPairChanged>().Count() > selectedEvents && BothConnected(a, b)), Is.True);
        Assert.That(net.Events[a].OfType<IceLocalCandidateGathered>().Count(), Is.EqualTo(4), "candidates re-announced after restart");

        // A check carrying the old ufrag is now unauthenticated.
        var before = b.Counters.Unauthenticated;
        var stale = BuildCheck(b.LocalCredentials.Ufrag == oldUfrag ? "x" : oldUfrag, "whatever", b.LocalCredentials.Password);
        Assert.That(b.HandleDatagram(stale, Ep("10.0.0.2:2000"), Ep("10.0.0.1:1000"), net.Now), Is.EqualTo(IceDatagramResult.Dropped));
        Assert.That(b.Counters.Unauthenticated, Is.EqualTo(before + 1));
    }

    [Test]
    public void Consent_PeerStopsAnswering_DisconnectedThenFailedAfter30Seconds()
    {
        var (net, a, b) = Pair();
        Signal(a, b);
        Signal(b, a);
        Assert.That(net.Pump(s_limit, () => BothConnected(a, b)), Is.True);
        var lostAt = net.Now;
        net.Drop = (_, _) => true; // the path dies

        Assert.That(net.Pump(lostAt + TimeSpan.FromSeconds(25), () => a.State == IceConnectionState.Disconnected), Is.True);
        Assert.That(net.Now - lostAt, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(10)));
        Assert.That(a.State, Is.EqualTo(IceConnectionState.Disconnected));

        Assert.That(net.Pump(lostAt + TimeSpan.FromSeconds(40), () => a.State == IceConnectionState.Failed), Is.True);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(net.Now - lostAt, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(30)).And.LessThan(TimeSpan.FromSeconds(36)));
            Assert.That(a.SelectedPair, Is.Null, "RFC 7675: stop sending once consent expires");
            Assert.That(a.GetSendPair(), Is.Null);
            Assert.That(net.Events[a].OfType<IceSelectedPairChanged>().Last().Pair, Is.Null);
        }
    }

    [Test]
    public void Consent_PathRecovers_DisconnectedReturnsToConnected()
    {
        var (net, a, b) = Pair();
        Signal(a, b);
        Signal(b, a);
        Assert.That(net.Pump(s_limit, () => BothConnected(a, b)), Is.True);
        net.Drop = (_, _) => true;
        Assert.That(net.Pump(net.Now + TimeSpan.FromSeconds(25), () => a.State == IceConnectionState.Disconnected), Is.True);

        net.Drop = null;
        Assert.That(net.Pump(net.Now + TimeSpan.FromSeconds(15), () => a.State is IceConnectionState.Connected or IceConnectionState.Completed), Is.True);
    }

    [Test]
    public void Consent_HealthyPath_StaysConnectedForMinutesWithPeriodicChecks()
    {
        var (net, a, b) = Pair();
        Signal(a, b);
        Signal(b, a);
        Assert.That(net.Pump(s_limit, () => BothConnected(a, b)), Is.True);
        var answered = b.Counters.ChecksAnswered;

        net.Pump(net.Now + TimeSpan.FromMinutes(3));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(a.State, Is.EqualTo(IceConnectionState.Completed));
            Assert.That(b.State, Is.EqualTo(IceConnectionState.Completed));
            // ~36 consent checks in 3 minutes at 5 s +/- 20%.
            Assert.That(b.Counters.ChecksAnswered - answered, Is.InRange(25, 50));
        }
    }

    [Test]
    public void Checks_PeerUnreachableAndEndOfCandidates_Failed()
    {
        var (net, a, b) = Pair();
        net.Drop = (_, _) => true;
        Signal(a, b);
        Signal(b, a);

        Assert.That(net.Pump(TimeSpan.FromSeconds(60), () => a.State == IceConnectionState.Failed), Is.True);
        Assert.That(a.Pairs.All(p => p.State == IceCandidatePairState.Failed), Is.True);
    }

    [Test]
    public void Checks_PeerUnreachableWithoutEndOfCandidates_FailedAfterTheGiveUpTime()
    {
        var (net, a, b) = Pair();
        net.Drop = (_, _) => true;
        Signal(a, b, endOfCandidates: false);
        Signal(b, a, endOfCandidates: false);

        Assert.That(net.Pump(TimeSpan.FromSeconds(25), () => a.State == IceConnectionState.Failed), Is.False, "pairs failed, but more candidates may come");
        Assert.That(a.Pairs.All(p => p.State == IceCandidatePairState.Failed), Is.True);
        Assert.That(net.Pump(TimeSpan.FromSeconds(40), () => a.State == IceConnectionState.Failed), Is.True);
        Assert.That(net.Now, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(30)));
    }

    [Test]
    public void Restart_NewChecksAllFail_FailedAndOldPairDropped()
    {
        var (net, a, b) = Pair();
        Signal(a, b);
        Signal(b, a);
        Assert.That(net.Pump(s_limit, () => BothConnected(a, b)), Is.True);

        a.Restart();
        b.Restart();
        net.Drop = (_, _) => true;
        Signal(a, b);
        Signal(b, a);

        Assert.That(net.Pump(net.Now + TimeSpan.FromSeconds(60), () => a.State == IceConnectionState.Failed), Is.True);
        Assert.That(a.SelectedPair, Is.Null);
    }

    [Test]
    public void StaleGeneration_CandidateAndEndOfCandidatesWithOldUfrag_Ignored()
    {
        var a = new IceAgent(IceRole.Controlling);
        a.AddHostCandidate(Ep("10.0.0.1:1000"), 0);
        a.SetRemoteCredentials(new IceCredentials("newUfrag", "0123456789012345678901"));

        Assert.That(a.AddRemoteCandidate(IceCandidate.Parse("candidate:1 1 udp 2130706431 10.0.0.2 2000 typ host ufrag oldUfrag")), Is.False);
        Assert.That(a.SetRemoteEndOfCandidates("oldUfrag"), Is.False);
        Assert.That(a.AddRemoteCandidate(IceCandidate.Parse("candidate:1 1 udp 2130706431 10.0.0.2 2000 typ host ufrag newUfrag")), Is.True);
        Assert.That(a.SetRemoteEndOfCandidates("newUfrag"), Is.True);
    }

    [Test]
    public void LocalCandidates_CarryTheCurrentUfrag_AndAreRetaggedOnRestart()
    {
        var a = new IceAgent(IceRole.Controlling);
        var host = a.AddHostCandidate(Ep("10.0.0.1:1000"), 0)!;
        Assert.That(host.Ufrag, Is.EqualTo(a.LocalCredentials.Ufrag));

        a.Restart();

        Assert.That(a.LocalCandidates.Single().Ufrag, Is.EqualTo(a.LocalCredentials.Ufrag));
        Assert.That(a.LocalCandidates.Single().Ufrag, Is.Not.EqualTo(host.Ufrag));
    }

    [Test]
    public void Checks_PacedByTa_NoTwoNewChecksCloserThan50Ms()
    {
        var net = new IceAgentHarness();
        var a = new IceAgent(IceRole.Controlling);
        net.Add(a, Ep("10.0.0.1:1000"));
        a.SetRemoteCredentials(IceCredentials.Generate());
        for (var i = 0; i < 10; i++)
        {
            a.AddRemoteCandidate(IceCandidate.Parse($"candidate:{i} 1 udp {1000 + i} 10.9.0.{i + 1} 9000 typ host"));
        }

        var sent = new List<TimeSpan>();
        net.Drop = (_, t) =>
        {
            sent.Add(net.Now);
            return true;
        };
        net.Pump(TimeSpan.FromMilliseconds(460));

        // The first transmissions only: retransmissions start after 500 ms.
        Assert.That(sent, Has.Count.EqualTo(10));
        for (var i = 1; i < sent.Count; i++)
        {
            Assert.That(sent[i] - sent[i - 1], Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(50)));
        }
    }

    [Test]
    public void AddRemoteCandidate_OverTheCap_Ignored()
    {
        var a = new IceAgent(IceRole.Controlling, options: new IceAgentOptions { MaxRemoteCandidates = 100 });
        a.AddHostCandidate(Ep("10.0.0.1:1000"), 0);
        var accepted = 0;
        for (var i = 0; i < 150; i++)
        {
            if (a.AddRemoteCandidate(IceCandidate.Parse($"candidate:1 1 udp 2130706431 10.1.{i / 200}.{(i % 200) + 1} 7000 typ host")))
            {
                accepted++;
            }
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(accepted, Is.EqualTo(100));
            Assert.That(a.RemoteCandidates, Has.Count.EqualTo(100));
            Assert.That(a.Pairs, Has.Count.EqualTo(100));
            Assert.That(a.Counters.IgnoredRemoteCandidates, Is.EqualTo(50));
        }
    }

    [TestCase("candidate:1 1 udp 2130706431 3b8a4f3e-1111-2222-3333-444455556666.local 7000 typ host")]
    [TestCase("candidate:1 1 tcp 2130706431 10.0.0.9 9 typ host tcptype active")]
    [TestCase("candidate:1 2 udp 2130706430 10.0.0.9 7001 typ host")]
    public void AddRemoteCandidate_MdnsTcpOrOtherComponent_IgnoredAndCounted(string line)
    {
        var a = new IceAgent(IceRole.Controlling);
        a.AddHostCandidate(Ep("10.0.0.1:1000"), 0);

        Assert.That(a.AddRemoteCandidate(IceCandidate.Parse(line)), Is.False);
        Assert.That(a.Counters.IgnoredRemoteCandidates, Is.EqualTo(1));
        Assert.That(a.Pairs, Is.Empty);
    }

    [Test]
    public void HandleDatagram_CheckWithWrongPassword_DroppedWithoutResponse()
    {
        var a = new IceAgent(IceRole.Controlled);
        a.AddHostCandidate(Ep("10.0.0.1:1000"), 0);
        var check = BuildCheck(a.LocalCredentials.Ufrag, "peer", "wrongwrongwrongwrongwrong");

        Assert.That(a.HandleDatagram(check, Ep("10.0.0.1:1000"), Ep("10.0.0.2:2000"), TimeSpan.Zero), Is.EqualTo(IceDatagramResult.Dropped));
        Assert.That(a.Counters.Unauthenticated, Is.EqualTo(1));
        Assert.That(a.TryPollTransmit(out _), Is.False);
    }

    [Test]
    public void HandleDatagram_ValidCheckBeforeAnswer_RespondsWithXorMappedAddressAndIntegrity()
    {
        var a = new IceAgent(IceRole.Controlled);
        a.AddHostCandidate(Ep("10.0.0.1:1000"), 0);
        var check = BuildCheck(a.LocalCredentials.Ufrag, "peer", a.LocalCredentials.Password);

        Assert.That(a.HandleDatagram(check, Ep("10.0.0.1:1000"), Ep("10.0.0.2:2000"), TimeSpan.Zero), Is.EqualTo(IceDatagramResult.Consumed));
        Assert.That(a.TryPollTransmit(out var response), Is.True);
        Assert.That(IceStunMessage.TryParse(response.Data.Span, out var message), Is.True);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.Destination, Is.EqualTo(Ep("10.0.0.2:2000")));
            Assert.That(message.IsSuccessResponse, Is.True);
            Assert.That(message.GetXorMappedAddress(), Is.EqualTo(Ep("10.0.0.2:2000")));
            Assert.That(message.VerifyIntegrity(System.Text.Encoding.UTF8.GetBytes(a.LocalCredentials.Password)), Is.True);
            Assert.That(message.VerifyFingerprint(), Is.True);
            Assert.That(a.RemoteCandidates.Single().Type, Is.EqualTo(IceCandidateType.PeerReflexive));
        }
    }

    [Test]
    public void HandleDatagram_ApplicationData_PassedUpOnlyFromValidatedAddress()
    {
        var (net, a, b) = Pair();
        Signal(a, b);
        Signal(b, a);
        Assert.That(net.Pump(s_limit, () => BothConnected(a, b)), Is.True);
        var pair = a.SelectedPair!;
        byte[] dtls = [22, 254, 253, 0, 0];
        byte[] rtp = [0x80, 96, 0, 1];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(a.HandleDatagram(dtls, pair.LocalBase, pair.RemoteEndPoint, net.Now), Is.EqualTo(IceDatagramResult.ApplicationData));
            Assert.That(a.HandleDatagram(rtp, pair.LocalBase, pair.RemoteEndPoint, net.Now), Is.EqualTo(IceDatagramResult.ApplicationData));
            Assert.That(a.HandleDatagram(dtls, pair.LocalBase, Ep("10.66.0.1:4444"), net.Now), Is.EqualTo(IceDatagramResult.Dropped));
        }
    }

    [Test]
    public void HandleDatagram_DataFromSourceThatSentAnAuthenticatedCheck_PassedUpBeforeOurCheckSucceeds()
    {
        var a = new IceAgent(IceRole.Controlled);
        a.AddHostCandidate(Ep("10.0.0.1:1000"), 0);
        byte[] dtls = [22, 254, 253, 0, 0];
        Assert.That(a.HandleDatagram(dtls, Ep("10.0.0.1:1000"), Ep("10.0.0.2:2000"), TimeSpan.Zero), Is.EqualTo(IceDatagramResult.Dropped));

        var check = BuildCheck(a.LocalCredentials.Ufrag, "peer", a.LocalCredentials.Password);
        Assert.That(a.HandleDatagram(check, Ep("10.0.0.1:1000"), Ep("10.0.0.2:2000"), TimeSpan.Zero), Is.EqualTo(IceDatagramResult.Consumed));

        Assert.That(a.HandleDatagram(dtls, Ep("10.0.0.1:1000"), Ep("10.0.0.2:2000"), TimeSpan.Zero), Is.EqualTo(IceDatagramResult.ApplicationData));
        Assert.That(a.HandleDatagram(dtls, Ep("10.0.0.1:1000"), Ep("10.0.0.3:2000"), TimeSpan.Zero), Is.EqualTo(IceDatagramResult.Dropped));
    }

    [Test]
    public void TryCreateApplicationTransmit_BeforeAndAfterConnect_UsesTheSelectedPair()
    {
        var (net, a, b) = Pair();
        byte[] data = [23, 254, 253];
        Assert.That(a.TryCreateApplicationTransmit(data, out _), Is.False, "no pair yet");
        Signal(a, b);
        Signal(b, a);
        Assert.That(net.Pump(s_limit, () => BothConnected(a, b)), Is.True);

        Assert.That(a.TryCreateApplicationTransmit(data, out var transmit), Is.True);
        Assert.That((transmit.LocalBase, transmit.Destination), Is.EqualTo((a.SelectedPair!.LocalBase, a.SelectedPair.RemoteEndPoint)));
        Assert.That(b.HandleDatagram(transmit.Data.Span, transmit.Destination, transmit.LocalBase, net.Now), Is.EqualTo(IceDatagramResult.ApplicationData));
    }

    [Test]
    public void HandleDatagram_ApplicationDataFromSelectedRemote_AllocatesNothing()
    {
        var (net, a, b) = Pair();
        Signal(a, b);
        Signal(b, a);
        Assert.That(net.Pump(s_limit, () => BothConnected(a, b)), Is.True);
        var pair = a.SelectedPair!;
        var datagram = new byte[1200];
        datagram[0] = 23;
        a.HandleDatagram(datagram, pair.LocalBase, pair.RemoteEndPoint, net.Now); // warm up

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            a.HandleDatagram(datagram, pair.LocalBase, pair.RemoteEndPoint, net.Now);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void HandleDatagram_UnknownFirstByte_DroppedAndCounted()
    {
        var (net, a, b) = Pair();
        Signal(a, b);
        Signal(b, a);
        Assert.That(net.Pump(s_limit, () => BothConnected(a, b)), Is.True);
        var pair = a.SelectedPair!;

        Assert.That(a.HandleDatagram([70, 0, 0, 4], pair.LocalBase, pair.RemoteEndPoint, net.Now), Is.EqualTo(IceDatagramResult.Dropped));
        Assert.That(a.HandleDatagram([255, 0], pair.LocalBase, pair.RemoteEndPoint, net.Now), Is.EqualTo(IceDatagramResult.Dropped));
        Assert.That(a.Counters.UnexpectedData, Is.EqualTo(2));
    }

    [Test]
    public void Gathering_StunServerAnswers_ServerReflexiveCandidateThenGatheringCompleted()
    {
        var net = new IceAgentHarness { StunServer = Ep("198.51.100.100:3478") };
        var a = new IceAgent(IceRole.Controlling);
        net.Add(a, Ep("192.168.1.10:5000"));
        net.AddNat(Ep("192.168.1.10:5000"), Ep("203.0.113.7:40000"));
        a.AddStunServer(net.StunServer, TimeSpan.Zero);
        a.SetLocalGatheringDone();

        Assert.That(net.Pump(TimeSpan.FromSeconds(5), () => net.Events[a].OfType<IceGatheringCompleted>().Any()), Is.True);
        var candidates = net.Events[a].OfType<IceLocalCandidateGathered>().Select(e => e.Candidate).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(candidates, Has.Count.EqualTo(2));
            var srflx = candidates[1];
            Assert.That(srflx.Type, Is.EqualTo(IceCandidateType.ServerReflexive));
            Assert.That(srflx.EndPoint, Is.EqualTo(Ep("203.0.113.7:40000")));
            Assert.That((srflx.RelatedAddress, srflx.RelatedPort), Is.EqualTo(("192.168.1.10", (int?)5000)));
            Assert.That(srflx.Priority, Is.EqualTo(IcePriority.Compute(IceCandidateType.ServerReflexive, 32767, 1)));
            Assert.That(net.Events[a].Last(), Is.InstanceOf<IceGatheringCompleted>());
        }
    }

    [Test]
    public void Gathering_StunServerSilent_CompletesAfterRetransmissions()
    {
        var net = new IceAgentHarness();
        var a = new IceAgent(IceRole.Controlling);
        net.Add(a, Ep("192.168.1.10:5000"));
        a.AddStunServer(Ep("198.51.100.100:3478"), TimeSpan.Zero);
        a.SetLocalGatheringDone();
        Assert.That(a.IsGatheringComplete, Is.False);

        Assert.That(net.Pump(TimeSpan.FromSeconds(30), () => a.IsGatheringComplete), Is.True);
        Assert.That(net.Events[a].OfType<IceLocalCandidateGathered>().Count(), Is.EqualTo(1));
    }

    [Test]
    public void Close_AfterConnect_ClosedAndIgnoresInput()
    {
        var (net, a, b) = Pair();
        Signal(a, b);
        Signal(b, a);
        Assert.That(net.Pump(s_limit, () => BothConnected(a, b)), Is.True);

        a.Close();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(a.State, Is.EqualTo(IceConnectionState.Closed));
            Assert.That(a.NextTimeout, Is.Null);
            Assert.That(a.HandleDatagram([22, 1, 2], Ep("10.0.0.1:1000"), Ep("10.0.0.2:2000"), net.Now), Is.EqualTo(IceDatagramResult.Dropped));
        }
    }

    [Test]
    public void Credentials_ToString_DoesNotRevealPassword()
    {
        var credentials = IceCredentials.Generate();

        Assert.That(credentials.ToString(), Does.Not.Contain(credentials.Password));
        Assert.That(credentials.IsValid, Is.True);
    }

    [Test]
    public void HandleDatagram_RandomMutationsOfValidCheck_NeverThrows()
    {
        var a = new IceAgent(IceRole.Controlled);
        a.AddHostCandidate(Ep("10.0.0.1:1000"), 0);
        var check = BuildCheck(a.LocalCredentials.Ufrag, "peer", a.LocalCredentials.Password);
        var random = new Random(8445);
        for (var i = 0; i < 20_000; i++)
        {
            var mutated = (byte[])check.Clone();
            var flips = random.Next(1, 4);
            for (var f = 0; f < flips; f++)
            {
                mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            }

            var length = random.Next(4) == 0 ? random.Next(mutated.Length + 1) : mutated.Length;
            Assert.DoesNotThrow(() => a.HandleDatagram(mutated.AsSpan(0, length), Ep("10.0.0.1:1000"), Ep("10.0.0.2:2000"), TimeSpan.Zero));
            while (a.TryPollTransmit(out _))
            {
            }
        }

        Assert.That(a.RemoteCandidates.Count, Is.LessThanOrEqualTo(100));
    }

    [Test]
    public void Nomination_OnlyTheControllingAgentSendsUseCandidate_AndOnlyOnce()
    {
        var (net, a, b) = Pair();
        var useCandidateFrom = new List<IceAgent>();
        net.Drop = (sender, t) =>
        {
            if (IceStunMessage.TryParse(t.Data.Span, out var m) && m.IsRequest && m.UseCandidate)
            {
                useCandidateFrom.Add(sender);
            }

            return false;
        };
        Signal(a, b);
        Signal(b, a);

        Assert.That(net.Pump(s_limit, () => BothConnected(a, b)), Is.True);
        net.Pump(net.Now + TimeSpan.FromSeconds(20));

        Assert.That(useCandidateFrom, Is.EqualTo(new[] { a }), "one nominating check from the controlling agent");
        Assert.That(b.Pairs.Count(p => p.Nominated), Is.EqualTo(1));
    }

    [Test]
    public void Connect_WithSeededPacketLoss_StillConnectsThroughRetransmissions()
    {
        var (net, a, b) = Pair();
        var random = new Random(7675);
        net.Drop = (_, _) => random.NextDouble() < 0.4;
        Signal(a, b);
        Signal(b, a);

        Assert.That(net.Pump(TimeSpan.FromSeconds(30), () => BothConnected(a, b)), Is.True);
    }

    [Test]
    public void Checks_ManyUnreachableRemotes_OutstandingTransactionsCapped()
    {
        var net = new IceAgentHarness();
        var a = new IceAgent(IceRole.Controlling, options: new IceAgentOptions { MaxPendingTransactions = 4 });
        net.Add(a, Ep("10.0.0.1:1000"));
        a.SetRemoteCredentials(IceCredentials.Generate());
        for (var i = 0; i < 30; i++)
        {
            a.AddRemoteCandidate(IceCandidate.Parse($"candidate:{i} 1 udp {1000 + i} 10.9.0.{i + 1} 9000 typ host"));
        }

        var firstTransmissions = new HashSet<TransactionId>();
        net.Drop = (_, t) =>
        {
            Assert.That(IceStunMessage.TryParse(t.Data.Span, out var m), Is.True);
            firstTransmissions.Add(m.TransactionId);
            return true;
        };
        net.Pump(TimeSpan.FromMilliseconds(450));

        // Retransmissions start at 500 ms, so every id seen so far is still outstanding: at most the cap.
        Assert.That(firstTransmissions, Has.Count.EqualTo(4));
    }

    [Test]
    public void AddRemoteCandidate_PairCapReached_KeepsTheHighestPriorityPairs()
    {
        var a = new IceAgent(IceRole.Controlling, options: new IceAgentOptions { MaxPairs = 10 });
        a.AddHostCandidate(Ep("10.0.0.1:1000"), 0);
        for (var i = 0; i < 20; i++)
        {
            a.AddRemoteCandidate(IceCandidate.Parse($"candidate:{i} 1 udp {1000 + i} 10.9.0.{i + 1} 9000 typ host"));
        }

        Assert.That(a.Pairs, Has.Count.EqualTo(10));
        Assert.That(a.Pairs.Select(p => p.Remote.Priority).Min(), Is.EqualTo(1010u));
    }

    [Test]
    public void Logging_FullSessionAtTrace_NeverContainsEitherPassword()
    {
        var logA = new CapturingLogger();
        var logB = new CapturingLogger();
        var net = new IceAgentHarness();
        var a = new IceAgent(IceRole.Controlling, logger: logA);
        var b = new IceAgent(IceRole.Controlled, logger: logB);
        net.Add(a, Ep("10.0.0.1:1000"));
        net.Add(b, Ep("10.0.0.2:2000"));
        Signal(a, b);
        Signal(b, a);
        Assert.That(net.Pump(s_limit, () => BothConnected(a, b)), Is.True);
        var secrets = new[] { a.LocalCredentials.Password, b.LocalCredentials.Password };
        a.Restart();
        b.HandleDatagram(BuildCheck(b.LocalCredentials.Ufrag, "x", "wrongwrongwrongwrongwrong"), Ep("10.0.0.2:2000"), Ep("10.0.0.9:9"), net.Now);

        var all = logA.Lines.Concat(logB.Lines).ToList();
        Assert.That(all, Is.Not.Empty);
        foreach (var secret in secrets.Append(a.LocalCredentials.Password))
        {
            Assert.That(all.Any(l => l.Contains(secret, StringComparison.Ordinal)), Is.False);
        }
    }

    internal static byte[] BuildCheck(string localUfrag, string remoteUfrag, string password, bool controlling = true, bool useCandidate = false)
    {
        var buffer = new byte[256];
        var writer = new IceStunWriter(buffer, IceStunWriter.BindingRequest, TransactionId.NewRandom());
        writer.AddUsername(localUfrag + ":" + remoteUfrag);
        writer.AddPriority(1845501695);
        if (controlling)
        {
            writer.AddIceControlling(42);
        }
        else
        {
            writer.AddIceControlled(42);
        }

        if (useCandidate)
        {
            writer.AddUseCandidate();
        }

        writer.AddMessageIntegrity(System.Text.Encoding.UTF8.GetBytes(password));
        writer.AddFingerprint();
        return writer.Written.ToArray();
    }
}
