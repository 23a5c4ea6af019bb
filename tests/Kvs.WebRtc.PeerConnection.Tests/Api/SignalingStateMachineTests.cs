using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Api;

public sealed class SignalingStateMachineTests
{
    // (steps applied in order as "L:offer" / "R:answer", expected final state)
    private static readonly object[] s_validSequences =
    [
        new object[] { new[] { "L:offer" }, RTCSignalingState.HaveLocalOffer },
        new object[] { new[] { "L:offer", "R:answer" }, RTCSignalingState.Stable },
        new object[] { new[] { "R:offer", "L:answer" }, RTCSignalingState.Stable },
        new object[] { new[] { "L:offer", "R:pranswer" }, RTCSignalingState.HaveRemotePranswer },
        new object[] { new[] { "L:offer", "R:pranswer", "R:pranswer", "R:answer" }, RTCSignalingState.Stable },
        new object[] { new[] { "R:offer", "L:pranswer", "L:answer" }, RTCSignalingState.Stable },
        new object[] { new[] { "L:offer", "L:offer" }, RTCSignalingState.HaveLocalOffer },
        new object[] { new[] { "L:offer", "L:rollback" }, RTCSignalingState.Stable },
        new object[] { new[] { "R:offer", "R:rollback", "L:offer" }, RTCSignalingState.HaveLocalOffer },
        new object[] { new[] { "L:offer", "R:answer", "R:offer", "L:answer" }, RTCSignalingState.Stable },
    ];

    private static readonly object[] s_invalidSequences =
    [
        new object[] { new[] { "R:answer" } },
        new object[] { new[] { "L:answer" } },
        new object[] { new[] { "L:offer", "L:answer" } },
        new object[] { new[] { "L:offer", "R:offer" } },
        new object[] { new[] { "R:offer", "R:answer" } },
        new object[] { new[] { "R:offer", "L:offer" } },
        new object[] { new[] { "L:rollback" } },
        new object[] { new[] { "R:pranswer" } },
    ];

    [TestCaseSource(nameof(s_validSequences))]
    public void Apply_AllowedSequence_EndsInExpectedState(string[] steps, RTCSignalingState expected)
    {
        var machine = new SignalingStateMachine();
        foreach (var step in steps)
        {
            Apply(machine, step);
        }

        Assert.That(machine.State, Is.EqualTo(expected));
    }

    [TestCaseSource(nameof(s_invalidSequences))]
    public void Apply_DisallowedLastStep_ThrowsInvalidStateAndKeepsState(string[] steps)
    {
        var machine = new SignalingStateMachine();
        foreach (var step in steps[..^1])
        {
            Apply(machine, step);
        }

        var before = machine.State;
        var ex = Assert.Throws<WebRtcException>(() => Apply(machine, steps[^1]));
        Assert.That(ex!.Error, Is.EqualTo(WebRtcError.InvalidState));
        Assert.That(ex.Message, Does.Contain(before.ToString()));
        Assert.That(machine.State, Is.EqualTo(before), "a rejected description must not change the state");
    }

    [Test]
    public void Apply_AfterClose_ThrowsClosed()
    {
        var machine = new SignalingStateMachine();
        machine.Close();
        var ex = Assert.Throws<WebRtcException>(() => machine.Apply(local: true, RTCSdpType.Offer));
        Assert.That(ex!.Error, Is.EqualTo(WebRtcError.Closed));
        Assert.That(machine.State, Is.EqualTo(RTCSignalingState.Closed));
    }

    private static void Apply(SignalingStateMachine machine, string step)
    {
        var parts = step.Split(':');
        machine.Apply(parts[0] == "L", RTCSessionDescription.ParseType(parts[1]));
    }
}
