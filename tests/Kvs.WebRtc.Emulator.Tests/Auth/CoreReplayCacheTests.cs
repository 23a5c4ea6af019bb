using Kvs.WebRtc.Emulator.Auth;
using NUnit.Framework;

namespace Kvs.WebRtc.Emulator.Tests.Auth;

[TestFixture]
public sealed class CoreReplayCacheTests
{
    private static readonly DateTimeOffset s_now = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public void TryAdd_SameSignatureBeforeExpiry_ReturnsFalse()
    {
        var cache = new ReplayCache(10);
        cache.TryAdd("sig", s_now.AddMinutes(5), s_now);

        Assert.That(cache.TryAdd("sig", s_now.AddMinutes(5), s_now.AddMinutes(4)), Is.False);
    }

    [Test]
    public void TryAdd_SameSignatureAfterExpiry_ReturnsTrue()
    {
        var cache = new ReplayCache(10);
        cache.TryAdd("sig", s_now.AddMinutes(5), s_now);

        Assert.That(cache.TryAdd("sig", s_now.AddMinutes(10), s_now.AddMinutes(6)), Is.True);
    }

    [Test]
    public void TryAdd_Full_ForgetsTheEntryClosestToExpiryAndStaysBounded()
    {
        var cache = new ReplayCache(2);
        cache.TryAdd("soon", s_now.AddMinutes(1), s_now);
        cache.TryAdd("late", s_now.AddMinutes(9), s_now);

        cache.TryAdd("third", s_now.AddMinutes(5), s_now);

        Assert.Multiple(() =>
        {
            Assert.That(cache.Count, Is.EqualTo(2));
            Assert.That(cache.TryAdd("soon", s_now.AddMinutes(1), s_now), Is.True, "evicted");
            Assert.That(cache.TryAdd("late", s_now.AddMinutes(9), s_now), Is.False, "kept");
        });
    }

    [Test]
    public void TryAdd_ManyExpiredEntries_ArePrunedOnTheNextAdd()
    {
        var cache = new ReplayCache(1000);
        for (var i = 0; i < 100; i++)
        {
            cache.TryAdd("sig" + i, s_now.AddSeconds(i), s_now);
        }

        cache.TryAdd("new", s_now.AddHours(2), s_now.AddHours(1));

        Assert.That(cache.Count, Is.EqualTo(1));
    }
}
