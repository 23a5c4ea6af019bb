using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Kvs.WebRtc.Emulator;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.Sessions;
using Kvs.WebRtc.Signaling;
using Kvs.WebRtc.Testing;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Sessions;

/// <summary>
/// <see cref="MasterSession"/> viewer slots through the emulator: offers that never connect cannot lock real viewers
/// out, a new offer under a connected viewer's id does not break the working connection, a full master refuses fast
/// with a reason, and a noisy client neither floods the log nor crowds out another viewer.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class MasterSessionSlotTests : SessionFixture
{
    /// <summary>A real viewer must get in this fast, however many pending offers came before it.</summary>
    private static readonly TimeSpan s_quickJoin = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    protected override string ChannelPrefix => "slots-";

    /// <inheritdoc />
    /// <remarks>
    /// Fifty clients stay connected at once. The replay check stays on: in the replacement tests two signaling clients
    /// of one client id connect within a second, and each must still sign a URL of its own.
    /// </remarks>
    protected override KvsEmulatorOptions CreateEmulatorOptions() => new() { MaxViewersPerChannel = 100 };

    [Test]
    public async Task FiftyOffersThatNeverConnect_RealViewerStillJoinsWithinSeconds(CancellationToken cancellationToken)
    {
        var logs = new CapturingLoggerProvider();
        await using var master = await MasterSession.StartAsync(
            new MasterSessionOptions { PeerConfiguration = Loopback, Channel = CreateChannelOptions(o => o.LoggerFactory = logs) }, cancellationToken);
        var offerSdp = await CreateOfferSdpAsync(cancellationToken);

        var fakes = new List<KvsChannel>();
        var answered = 0;
        try
        {
            for (var i = 0; i < 50; i++)
            {
                var fake = await KvsChannel.ConnectAsViewerAsync(ChannelOptions, $"ghost-{i}", cancellationToken);
                fakes.Add(fake);
                fake.Signaling.Answers.Subscribe(_ => Interlocked.Increment(ref answered));
                await fake.Signaling.SendOfferAsync(SessionDescriptionPayload.Offer(offerSdp), cancellationToken: cancellationToken);
            }

            // Every ghost is answered (the master does not refuse them), yet at most MaxPendingViewers stay.
            await WaitUntilAsync(() => Volatile.Read(ref answered) == 50, cancellationToken);
            var options = MasterOptions();
            Assert.That(master.PendingViewerCount, Is.LessThanOrEqualTo(options.MaxPendingViewers));

            var watch = Stopwatch.StartNew();
            await using var viewer = await ViewerSession.ConnectAsync(new ViewerSessionOptions { Channel = ChannelOptions, ClientId = "real-viewer", PeerConfiguration = Loopback, ConnectTimeout = s_quickJoin }, cancellationToken);
            watch.Stop();

            await WaitUntilAsync(() => master.Viewers.Any(v => v.ClientId == "real-viewer"), cancellationToken);
            Assert.Multiple(() =>
            {
                Assert.That(watch.Elapsed, Is.LessThan(s_quickJoin));
                Assert.That(master.Viewers.Select(v => v.ClientId), Is.EqualTo(new[] { "real-viewer" }));
                Assert.That(logs.Entries.Count(e => e.EventId.Id == 9111), Is.GreaterThanOrEqualTo(50 - options.MaxPendingViewers), "evictions are logged");
            });
        }
        finally
        {
            foreach (var fake in fakes)
            {
                await fake.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task PendingViewer_TimesOut_IsReleasedAndNotReportedAsLeft(CancellationToken cancellationToken)
    {
        await using var master = await MasterSession.StartAsync(new MasterSessionOptions { Channel = ChannelOptions, PeerConfiguration = Loopback, ViewerConnectTimeout = TimeSpan.FromMilliseconds(500) }, cancellationToken);
        var left = 0;
        using var leftSubscription = master.ViewerLeft.Subscribe(_ => Interlocked.Increment(ref left));
        await using var ghost = await KvsChannel.ConnectAsViewerAsync(ChannelOptions, "ghost", cancellationToken);
        var answer = ghost.Signaling.Answers.FirstAsync().ToTask(cancellationToken);
        await ghost.Signaling.SendOfferAsync(SessionDescriptionPayload.Offer(await CreateOfferSdpAsync(cancellationToken)), cancellationToken: cancellationToken);
        await answer.WaitAsync(WaitTimeout, cancellationToken);
        var connection = master.GetPeerConnection("ghost");

        await WaitUntilAsync(() => master.PendingViewerCount == 0, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(connection, Is.Not.Null);
            Assert.That(connection!.ConnectionState, Is.EqualTo(RTCPeerConnectionState.Closed), "the dropped peer is closed at once");
            Assert.That(master.GetPeerConnection("ghost"), Is.Null);
            Assert.That(Volatile.Read(ref left), Is.Zero, "a viewer that never joined does not leave");
        });
    }

    [Test]
    public async Task ReplacementOfferThatNeverConnects_OldConnectionKeepsWorking(CancellationToken cancellationToken)
    {
        await using var master = await MasterSession.StartAsync(new MasterSessionOptions { Channel = ChannelOptions, PeerConfiguration = Loopback, ViewerConnectTimeout = TimeSpan.FromSeconds(1) }, cancellationToken);
        var events = new ConcurrentQueue<string>();
        using var joinedSubscription = master.ViewerJoined.Subscribe(v => events.Enqueue("joined:" + v.ClientId));
        using var leftSubscription = master.ViewerLeft.Subscribe(v => events.Enqueue("left:" + v.ClientId));
        await using var viewer = await ViewerSession.ConnectAsync(ViewerOptions("dup"), cancellationToken);
        await WaitUntilAsync(() => master.Viewers.Count == 1, cancellationToken);
        var working = master.GetPeerConnection("dup");

        // The viewer's signaling goes away (its app restarted elsewhere); another client with its id offers anew.
        await viewer.Channel.DisposeAsync();
        await using (var impostor = await KvsChannel.ConnectAsViewerAsync(ChannelOptions, "dup", cancellationToken))
        {
            var answer = impostor.Signaling.Answers.FirstAsync().ToTask(cancellationToken);
            await impostor.Signaling.SendOfferAsync(SessionDescriptionPayload.Offer(await CreateOfferSdpAsync(cancellationToken)), cancellationToken: cancellationToken);
            await answer.WaitAsync(WaitTimeout, cancellationToken);
            Assert.That(master.PendingViewerCount, Is.EqualTo(1), "the replacement waits beside the working connection");
            await AssertRoundTripAsync(master, viewer, "while the replacement is pending", cancellationToken);
        }

        await WaitUntilAsync(() => master.PendingViewerCount == 0, cancellationToken);
        await AssertRoundTripAsync(master, viewer, "after the replacement failed", cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(master.GetPeerConnection("dup"), Is.SameAs(working));
            Assert.That(working!.ConnectionState, Is.EqualTo(RTCPeerConnectionState.Connected));
            Assert.That(events, Is.EqualTo(new[] { "joined:dup" }));
        });
    }

    [Test]
    public async Task ReplacementOfferThatConnects_OldConnectionClosedOnlyAfterwards(CancellationToken cancellationToken)
    {
        await using var master = await MasterSession.StartAsync(MasterOptions(), cancellationToken);
        var events = new ConcurrentQueue<string>();
        RTCPeerConnection? old = null;
        (RTCPeerConnection? Successor, RTCPeerConnectionState? SuccessorState, RTCPeerConnectionState OldState)? atLeave = null;
        using var joinedSubscription = master.ViewerJoined.Subscribe(v => events.Enqueue("joined:" + v.ClientId));
        using var leftSubscription = master.ViewerLeft.Subscribe(v =>
        {
            // Raised as the old connection is let go: its successor must already be connected, and it still working.
            var successor = master.GetPeerConnection(v.ClientId);
            atLeave = (successor, successor?.ConnectionState, old!.ConnectionState);
            events.Enqueue("left:" + v.ClientId);
        });
        await using var first = await ViewerSession.ConnectAsync(ViewerOptions("dup"), cancellationToken);
        await WaitUntilAsync(() => master.Viewers.Count == 1, cancellationToken);
        old = master.GetPeerConnection("dup")!;

        await first.Channel.DisposeAsync();
        await using var second = await ViewerSession.ConnectAsync(ViewerOptions("dup"), cancellationToken);
        await WaitUntilAsync(() => old.ConnectionState == RTCPeerConnectionState.Closed, cancellationToken);

        await AssertRoundTripAsync(master, second, "with the replacement", cancellationToken);
        await WaitUntilAsync(() => events.Count >= 3, cancellationToken); // the session's events are raised on its own task
        Assert.Multiple(() =>
        {
            Assert.That(atLeave?.Successor, Is.Not.Null.And.Not.SameAs(old), "the old connection is let go only once its successor has taken over");
            Assert.That(atLeave?.SuccessorState, Is.EqualTo(RTCPeerConnectionState.Connected));
            Assert.That(atLeave?.OldState, Is.EqualTo(RTCPeerConnectionState.Connected), "the old connection worked until then");
            Assert.That(master.Viewers.Select(v => v.ClientId), Is.EqualTo(new[] { "dup" }));
            Assert.That(events, Is.EqualTo(new[] { "joined:dup", "left:dup", "joined:dup" }));
        });
    }

    [Test]
    public async Task MasterAtItsViewerLimit_RefusesTheNextViewerFastWithTheReason(CancellationToken cancellationToken)
    {
        await using var master = await MasterSession.StartAsync(new MasterSessionOptions { Channel = ChannelOptions, PeerConfiguration = Loopback, MaxViewers = 1 }, cancellationToken);
        await using var first = await ViewerSession.ConnectAsync(ViewerOptions("first"), cancellationToken);
        await WaitUntilAsync(() => master.Viewers.Count == 1, cancellationToken);

        var watch = Stopwatch.StartNew();
        var refused = Assert.ThrowsAsync<KvsSessionException>(
            async () => await ViewerSession.ConnectAsync(new ViewerSessionOptions { Channel = ChannelOptions, ClientId = "second", PeerConfiguration = Loopback, ConnectTimeout = TimeSpan.FromSeconds(30) }, cancellationToken));
        watch.Stop();

        Assert.Multiple(() =>
        {
            Assert.That(refused!.Error, Is.EqualTo(KvsSessionError.ViewerRefused));
            Assert.That(refused.Reason, Is.EqualTo(KvsSessionException.ViewerLimitReached));
            Assert.That(refused.RefusedBySignalingService, Is.False, "the master refused, not the service");
            Assert.That(refused.Message, Does.Contain("viewer limit reached"));
            Assert.That(watch.Elapsed, Is.LessThan(s_quickJoin), "refused well before the connect timeout");
            Assert.That(master.Viewers.Select(v => v.ClientId), Is.EqualTo(new[] { "first" }));
        });
    }

    [Test]
    public async Task FloodingClient_RealViewerStillJoinsAndTheFloodsWarningsAreRateLimited(CancellationToken cancellationToken)
    {
        var logs = new CapturingLoggerProvider();
        await using var master = await MasterSession.StartAsync(
            new MasterSessionOptions { PeerConfiguration = Loopback, Channel = CreateChannelOptions(o => o.LoggerFactory = logs) }, cancellationToken);
        await using var flood = await KvsChannel.ConnectAsViewerAsync(ChannelOptions, "flood", cancellationToken);

        // Bad offers (each a warning) and a stream of candidates the master cannot use, sent without waiting.
        var sends = new List<Task>();
        for (var i = 0; i < 30; i++)
        {
            sends.Add(flood.Signaling.SendOfferAsync(SessionDescriptionPayload.Offer("this is not sdp " + i), cancellationToken: cancellationToken));
            for (var j = 0; j < 20; j++)
            {
                sends.Add(flood.Signaling.SendIceCandidateAsync(new IceCandidatePayload("candidate:garbage " + j, "0", 0), cancellationToken: cancellationToken));
            }
        }

        await using var viewer = await ViewerSession.ConnectAsync(new ViewerSessionOptions { Channel = ChannelOptions, ClientId = "real-viewer", PeerConfiguration = Loopback, ConnectTimeout = s_quickJoin }, cancellationToken);
        await Task.WhenAll(sends).WaitAsync(WaitTimeout, cancellationToken);
        await WaitUntilAsync(() => logs.Entries.Count(IsFloodWarning) >= ClientWarningLimiter.Burst, cancellationToken);
        await AssertRoundTripAsync(master, viewer, "during the flood", cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(logs.Entries.Count(IsFloodWarning), Is.EqualTo(ClientWarningLimiter.Burst), "at most a burst of warnings per client and window");
            Assert.That(master.Viewers.Select(v => v.ClientId), Is.EqualTo(new[] { "real-viewer" }));
        });

        static bool IsFloodWarning((string Category, LogLevel Level, EventId EventId, string Message) e) =>
            e.Level >= LogLevel.Warning && e.Message.Contains("flood", StringComparison.Ordinal) && e.Category.Contains("Session", StringComparison.Ordinal);
    }

    private static async Task AssertRoundTripAsync(MasterSession master, ViewerSession viewer, string when, CancellationToken cancellationToken)
    {
        var atMaster = master.Messages.FirstAsync(m => m.Text == "ping " + when).ToTask(cancellationToken);
        var atViewer = viewer.Messages.FirstAsync(m => m.Text == "pong " + when).ToTask(cancellationToken);
        await viewer.SendAsync("ping " + when, cancellationToken);
        var ping = await atMaster.WaitAsync(WaitTimeout, cancellationToken);
        await master.SendAsync(ping.ClientId, "pong " + when, cancellationToken);
        Assert.That((await atViewer.WaitAsync(WaitTimeout, cancellationToken)).ClientId, Is.EqualTo(ViewerSession.MasterClientId), when);
    }

    // A real offer (data channel, audio and video) from a peer connection that is closed right away: it can never connect.
    private static async Task<string> CreateOfferSdpAsync(CancellationToken cancellationToken)
    {
        await using var peer = new RTCPeerConnection(Loopback);
        peer.CreateDataChannel("kvsDataChannel");
        var offer = await peer.CreateOfferAsync(cancellationToken);
        return offer.Sdp;
    }
}
