using Kvs.WebRtc.PeerConnection.Ice;
using Kvs.WebRtc.PeerConnection.Stun;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Ice;

/// <summary>
/// RFC 8445 §7.3.1.4: a Binding request received for a pair whose own check is In-Progress cancels that transaction and
/// enqueues a new triggered check. Without it, a controlled agent whose first check transaction is lost fails ICE even
/// though the controlling agent's checks and nomination reach it (seen under 20% kernel packet loss).
/// </summary>
[TestFixture]
public sealed class IceAgentTriggeredCheckTests
{
    [Test]
    public void ControlledAgent_FirstCheckTransactionLost_PeerChecksTriggerANewCheck_AndBothConnect()
    {
        var harness = new IceAgentHarness();
        var controlling = new IceAgent(IceRole.Controlling, tieBreaker: 2);
        var controlled = new IceAgent(IceRole.Controlled, tieBreaker: 1);
        harness.Add(controlling, IceAgentHarness.Ep("127.0.0.1:10000"));
        harness.Add(controlled, IceAgentHarness.Ep("127.0.0.1:20000"));
        controlling.SetLocalGatheringDone();
        controlled.SetLocalGatheringDone();

        // Lose every transmission of the controlled agent's first check transaction (its request and retransmits).
        TransactionId? first = null;
        harness.Drop = (sender, t) =>
        {
            if (sender != controlled || !IceStunMessage.TryParse(t.Data.Span, out var message) || !message.IsRequest)
            {
                return false;
            }

            first ??= message.TransactionId;
            TestContext.Out.WriteLine($"{harness.Now} controlled sends request {message.TransactionId} drop={message.TransactionId.Equals(first.Value)}");
            return message.TransactionId.Equals(first.Value);
        };

        // The controlled side learns the offer first and starts checking before the controlling side has the answer.
        IceAgentHarness.Signal(controlling, controlled);
        harness.Pump(TimeSpan.FromMilliseconds(200));
        IceAgentHarness.Signal(controlled, controlling);

        harness.Pump(TimeSpan.FromSeconds(20), () => controlled.State is IceConnectionState.Failed
            || (controlled.SelectedPair is not null && controlling.SelectedPair is not null && controlled.State == IceConnectionState.Completed));

        TestContext.Out.WriteLine($"{harness.Now} controlled {controlled.State} controlling {controlling.State}; pairs: {string.Join(", ", controlled.Pairs.Select(p => p.State))}");
        Assert.That(first, Is.Not.Null, "the controlled agent sent a check");
        Assert.That(controlling.SelectedPair, Is.Not.Null, "the controlling agent's checks and nomination succeeded");
        Assert.That(controlled.State, Is.Not.EqualTo(IceConnectionState.Failed), "a request on an In-Progress pair must trigger a new check (RFC 8445 §7.3.1.4)");
        Assert.That(controlled.SelectedPair, Is.Not.Null);
    }
}
