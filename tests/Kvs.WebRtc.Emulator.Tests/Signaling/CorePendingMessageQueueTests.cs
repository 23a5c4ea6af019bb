using Kvs.WebRtc.Emulator.Signaling;
using NUnit.Framework;

namespace Kvs.WebRtc.Emulator.Tests.Signaling;

[TestFixture]
public sealed class CorePendingMessageQueueTests
{
    private static readonly DateTimeOffset s_now = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public void TakeAll_MixedMessages_ReturnsThemInArrivalOrderAndEmptiesTheQueue()
    {
        var queue = new PendingMessageQueue();
        queue.Add(Message("SDP_OFFER", "v1", "o1"), 10);
        queue.Add(Message("ICE_CANDIDATE", "v1", "c1"), 10);
        queue.Add(Message("ICE_CANDIDATE", "v1", "c2"), 10);

        var taken = queue.TakeAll(s_now, out var expired);

        Assert.Multiple(() =>
        {
            Assert.That(taken.Select(m => m.Payload), Is.EqualTo(new[] { "o1", "c1", "c2" }));
            Assert.That(expired, Is.Zero);
            Assert.That(queue.Count, Is.Zero);
        });
    }

    [Test]
    public void Add_NewerOfferFromSameSender_ReplacesPendingOfferInPlace()
    {
        var queue = new PendingMessageQueue();
        queue.Add(Message("SDP_OFFER", "v1", "o1"), 10);
        queue.Add(Message("ICE_CANDIDATE", "v1", "c1"), 10);

        var discarded = queue.Add(Message("SDP_OFFER", "v1", "o2"), 10);

        Assert.Multiple(() =>
        {
            Assert.That(discarded, Is.EqualTo(1));
            Assert.That(queue.TakeAll(s_now, out _).Select(m => m.Payload), Is.EqualTo(new[] { "o2", "c1" }));
        });
    }

    [Test]
    public void Add_OffersFromDifferentViewers_KeepsBoth()
    {
        var queue = new PendingMessageQueue();
        queue.Add(Message("SDP_OFFER", "v1", "o1"), 10);

        var discarded = queue.Add(Message("SDP_OFFER", "v2", "o2"), 10);

        Assert.Multiple(() =>
        {
            Assert.That(discarded, Is.Zero);
            Assert.That(queue.Count, Is.EqualTo(2));
        });
    }

    [Test]
    public void Add_NewerAnswerFromMaster_ReplacesPendingAnswerButNeverCandidates()
    {
        var queue = new PendingMessageQueue();
        queue.Add(Message("SDP_ANSWER", null, "a1"), 10);
        queue.Add(Message("ICE_CANDIDATE", null, "c1"), 10);
        queue.Add(Message("ICE_CANDIDATE", null, "c1"), 10);

        queue.Add(Message("SDP_ANSWER", null, "a2"), 10);

        Assert.That(queue.TakeAll(s_now, out _).Select(m => m.Payload), Is.EqualTo(new[] { "a2", "c1", "c1" }));
    }

    [Test]
    public void Add_BeyondCapacity_DropsTheOldestAndReportsIt()
    {
        var queue = new PendingMessageQueue();
        queue.Add(Message("ICE_CANDIDATE", "v1", "c1"), 2);
        queue.Add(Message("ICE_CANDIDATE", "v1", "c2"), 2);

        var discarded = queue.Add(Message("ICE_CANDIDATE", "v1", "c3"), 2);

        Assert.Multiple(() =>
        {
            Assert.That(discarded, Is.EqualTo(1));
            Assert.That(queue.TakeAll(s_now, out _).Select(m => m.Payload), Is.EqualTo(new[] { "c2", "c3" }));
        });
    }

    [Test]
    public void TakeAll_SomeExpired_ReturnsOnlyUnexpiredAndCountsTheRest()
    {
        var queue = new PendingMessageQueue();
        queue.Add(Message("ICE_CANDIDATE", "v1", "old", expiresAt: s_now), 10);
        queue.Add(Message("ICE_CANDIDATE", "v1", "young", expiresAt: s_now.AddSeconds(1)), 10);

        var taken = queue.TakeAll(s_now, out var expired);

        Assert.Multiple(() =>
        {
            Assert.That(taken.Select(m => m.Payload), Is.EqualTo(new[] { "young" }));
            Assert.That(expired, Is.EqualTo(1));
        });
    }

    private static RoutedMessage Message(string type, string? sender, string payload, DateTimeOffset? expiresAt = null) =>
        new(type, sender, payload, expiresAt ?? s_now.AddSeconds(60));
}
