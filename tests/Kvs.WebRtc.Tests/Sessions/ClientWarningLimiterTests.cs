using Kvs.WebRtc.Sessions;
using Kvs.WebRtc.Testing;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Sessions;

/// <summary><see cref="ClientWarningLimiter"/>: first N warnings per client and window, then one summary line.</summary>
[TestFixture]
public sealed class ClientWarningLimiterTests
{
    private const int SummaryEventId = 9020;

    [Test]
    public void ShouldLog_BurstFromOneClient_FirstNThenSuppressedOtherClientsUnaffected()
    {
        var logs = new CapturingLoggerProvider();
        var limiter = new ClientWarningLimiter(logs.CreateLogger("t"), new ManualTimeProvider());

        var noisy = Enumerable.Range(0, 100).Count(_ => limiter.ShouldLog("noisy"));
        var quiet = limiter.ShouldLog("quiet");

        Assert.Multiple(() =>
        {
            Assert.That(noisy, Is.EqualTo(ClientWarningLimiter.Burst));
            Assert.That(quiet, Is.True);
            Assert.That(limiter.SuppressedTotal, Is.EqualTo(100 - ClientWarningLimiter.Burst));
            Assert.That(logs.Entries.Count(e => e.EventId.Id == SummaryEventId), Is.Zero);
        });
    }

    [Test]
    public void ShouldLog_AfterTheWindow_LogsASummaryCountAndStartsANewBurst()
    {
        var logs = new CapturingLoggerProvider();
        var time = new ManualTimeProvider();
        var limiter = new ClientWarningLimiter(logs.CreateLogger("t"), time);
        for (var i = 0; i < 12; i++)
        {
            limiter.ShouldLog("noisy");
        }

        time.Advance(ClientWarningLimiter.Window);
        var again = limiter.ShouldLog("noisy");

        var summary = logs.Entries.Single(e => e.EventId.Id == SummaryEventId);
        Assert.Multiple(() =>
        {
            Assert.That(again, Is.True);
            Assert.That(summary.Level, Is.EqualTo(LogLevel.Warning));
            Assert.That(summary.Message, Does.Contain("Suppressed 7 more warnings").And.Contain("noisy"));
        });
    }

    [Test]
    public void Forget_ClientWithSuppressedWarnings_LogsItsCountOnceAndStartsFresh()
    {
        var logs = new CapturingLoggerProvider();
        var limiter = new ClientWarningLimiter(logs.CreateLogger("t"), new ManualTimeProvider());
        for (var i = 0; i < ClientWarningLimiter.Burst + 3; i++)
        {
            limiter.ShouldLog("gone");
        }

        limiter.Forget("gone");
        limiter.Forget("gone");

        Assert.Multiple(() =>
        {
            Assert.That(logs.Entries.Count(e => e.EventId.Id == SummaryEventId), Is.EqualTo(1));
            Assert.That(limiter.ShouldLog("gone"), Is.True);
        });
    }

    [Test]
    public void ShouldLog_ManyDistinctClients_MemoryStaysBoundedAndNewClientsAreStillLogged()
    {
        var limiter = new ClientWarningLimiter(new CapturingLoggerProvider().CreateLogger("t"), new ManualTimeProvider());
        for (var i = 0; i < ClientWarningLimiter.MaxClients * 3; i++)
        {
            Assert.That(limiter.ShouldLog("client-" + i), Is.True);
        }

        Assert.That(limiter.TrackedClients, Is.LessThanOrEqualTo(ClientWarningLimiter.MaxClients));
    }
}
