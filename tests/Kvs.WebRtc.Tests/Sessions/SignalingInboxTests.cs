using System.Reactive.Subjects;
using Kvs.WebRtc.Sessions;
using Kvs.WebRtc.Signaling;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Sessions;

/// <summary><see cref="SignalingInbox"/>: per-sender quotas keep one client's burst from crowding out another's offer.</summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class SignalingInboxTests
{
    [Test]
    public async Task Enqueue_FloodFromOneClient_IsCutAtItsQuotaAndAnotherClientsOfferStillGetsIn(CancellationToken cancellationToken)
    {
        var logs = new CapturingLoggerProvider();
        var logger = logs.CreateLogger("inbox");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = new List<SignalingMessage>();
        using var source = new Subject<SignalingMessage>();
        using var stop = new CancellationTokenSource();
        var inbox = new SignalingInbox(
            source,
            [SignalingMessageType.SdpOffer, SignalingMessageType.IceCandidate],
            async m =>
            {
                await release.Task; // the handler is stuck: nothing leaves the inbox while the flood arrives
                lock (handled)
                {
                    handled.Add(m);
                }
            },
            logger,
            new ClientWarningLimiter(logger, TimeProvider.System),
            stop.Token);

        for (var i = 0; i < SignalingInbox.Capacity * 2; i++)
        {
            source.OnNext(Candidate("flood"));
        }

        var offerAccepted = inbox.Enqueue(Offer("viewer-ok"));
        release.SetResult();
        await WaitUntilAsync(() => { lock (handled) { return handled.Exists(m => m.SenderClientId == "viewer-ok"); } }, cancellationToken);
        await stop.CancelAsync();
        await inbox.DisposeAsync();

        var dropWarnings = logs.Entries.Count(e => e.EventId.Id == 9110);
        Assert.Multiple(() =>
        {
            Assert.That(offerAccepted, Is.True);
            Assert.That(handled.Count(m => m.SenderClientId == "flood"), Is.LessThanOrEqualTo(SignalingInbox.MaxQueuedPerClient + 1));
            Assert.That(inbox.Dropped, Is.GreaterThanOrEqualTo((SignalingInbox.Capacity * 2) - SignalingInbox.MaxQueuedPerClient - 1));
            Assert.That(dropWarnings, Is.EqualTo(ClientWarningLimiter.Burst), "drop warnings are rate-limited per client");
        });
    }

    [Test]
    public async Task Enqueue_QuotaFreesAsMessagesAreHandled_SameClientCanSendMoreLater(CancellationToken cancellationToken)
    {
        var logger = new CapturingLoggerProvider().CreateLogger("inbox");
        var count = 0;
        using var source = new Subject<SignalingMessage>();
        using var stop = new CancellationTokenSource();
        var inbox = new SignalingInbox(
            source, [SignalingMessageType.IceCandidate], _ => { Interlocked.Increment(ref count); return Task.CompletedTask; }, logger,
            new ClientWarningLimiter(logger, TimeProvider.System), stop.Token);

        for (var round = 0; round < 5; round++)
        {
            var target = (round + 1) * SignalingInbox.MaxQueuedPerClient;
            for (var i = 0; i < SignalingInbox.MaxQueuedPerClient; i++)
            {
                Assert.That(inbox.Enqueue(Candidate("steady")), Is.True);
            }

            await WaitUntilAsync(() => Volatile.Read(ref count) == target, cancellationToken);
        }

        Assert.That(inbox.Enqueue(Offer("steady")), Is.False, "types the session does not take are not queued");
        await stop.CancelAsync();
        await inbox.DisposeAsync();
        Assert.That(inbox.Dropped, Is.Zero);
    }

    [Test]
    public async Task Handler_ThrowsForOneMessage_LoopGoesOnWithTheNext(CancellationToken cancellationToken)
    {
        var logs = new CapturingLoggerProvider();
        var logger = logs.CreateLogger("inbox");
        var handled = new List<string?>();
        using var source = new Subject<SignalingMessage>();
        using var stop = new CancellationTokenSource();
        var inbox = new SignalingInbox(
            source,
            [SignalingMessageType.SdpOffer],
            m =>
            {
                if (m.SenderClientId == "bad")
                {
                    throw new InvalidDataException("unforeseen");
                }

                lock (handled)
                {
                    handled.Add(m.SenderClientId);
                }

                return Task.CompletedTask;
            },
            logger,
            new ClientWarningLimiter(logger, TimeProvider.System),
            stop.Token);

        source.OnNext(Offer("bad"));
        source.OnNext(Offer("good"));
        await WaitUntilAsync(() => { lock (handled) { return handled.Contains("good"); } }, cancellationToken);
        await stop.CancelAsync();
        await inbox.DisposeAsync();

        Assert.That(logs.Entries.Count(e => e.EventId.Id == 9114), Is.EqualTo(1));
    }

    private static SignalingMessage Candidate(string sender) => new()
    {
        Type = SignalingMessageType.IceCandidate,
        WireMessageType = "ICE_CANDIDATE",
        SenderClientId = sender,
        IceCandidate = new IceCandidatePayload("candidate:1 1 udp 1 127.0.0.1 9 typ host", "0", 0),
    };

    private static SignalingMessage Offer(string sender) => new()
    {
        Type = SignalingMessageType.SdpOffer,
        WireMessageType = "SDP_OFFER",
        SenderClientId = sender,
        SessionDescription = SessionDescriptionPayload.Offer("v=0\r\n"),
    };

    private static Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken) => Wait.UntilAsync(condition, TimeSpan.FromSeconds(10), cancellationToken: cancellationToken);
}
