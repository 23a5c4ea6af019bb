using NUnit.Framework;

namespace Kvs.WebRtc.Signaling.Tests.Signaling;

[TestFixture]
public sealed class CorrelationTrackerTests
{
    private static readonly DateTimeOffset s_start = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public void TryTake_RecordedId_ReturnsItOnce()
    {
        var tracker = new CorrelationTracker(16, TimeSpan.FromMinutes(3));
        var info = new SignalingSendInfo(SignalingMessageType.SdpAnswer, "viewer-1", "c-1", s_start);
        tracker.Record(info);

        Assert.Multiple(() =>
        {
            Assert.That(tracker.TryTake("c-1", s_start, out var first), Is.True);
            Assert.That(first, Is.SameAs(info));
            Assert.That(tracker.TryTake("c-1", s_start, out _), Is.False);
        });
    }

    [Test]
    public void TryTake_AfterRetention_HasForgottenTheEntry()
    {
        var tracker = new CorrelationTracker(16, TimeSpan.FromMinutes(3));
        tracker.Record(new SignalingSendInfo(SignalingMessageType.SdpOffer, null, "c-1", s_start));

        Assert.That(tracker.TryTake("c-1", s_start + TimeSpan.FromMinutes(4), out _), Is.False);
    }

    [Test]
    public void Record_BeyondCapacity_KeepsOnlyTheNewest()
    {
        var tracker = new CorrelationTracker(8, TimeSpan.FromMinutes(3));
        for (var i = 0; i < 100; i++)
        {
            tracker.Record(new SignalingSendInfo(SignalingMessageType.IceCandidate, null, "c-" + i, s_start));
        }

        Assert.Multiple(() =>
        {
            Assert.That(tracker.Count, Is.EqualTo(8));
            Assert.That(tracker.TryTake("c-99", s_start, out _), Is.True);
            Assert.That(tracker.TryTake("c-0", s_start, out _), Is.False);
        });
    }
}
