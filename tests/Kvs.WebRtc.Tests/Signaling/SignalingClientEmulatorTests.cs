using System.Collections.Concurrent;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Kvs.WebRtc.Emulator;
using Kvs.WebRtc.Signaling;
using Kvs.WebRtc.Signaling.Auth;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Signaling;

/// <summary>
/// End-to-end tests of <see cref="SignalingClient"/> against the in-process <see cref="KvsEmulator"/> on 127.0.0.1:
/// a master and a viewer exchange offer, answer and candidates; messages sent while the master is away are buffered;
/// clients reconnect after emulator faults (dropped sockets, GO_AWAY) with freshly signed URLs.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class SignalingClientEmulatorTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);
    private const string ViewerId = "viewer-1";

    private KvsEmulator _emulator = null!;
    private string _channelArn = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _emulator = await KvsEmulator.StartAsync();
        _channelArn = _emulator.CreateSignalingChannel("channel-" + Guid.NewGuid().ToString("N"));
    }

    [TearDown]
    public async Task TearDownAsync() => await _emulator.DisposeAsync();

    [Test]
    public async Task MasterAndViewer_ExchangeOfferAnswerAndCandidates_EachSideReceivesTypedPayloads()
    {
        await using var master = await SignalingClient.ConnectAsMasterAsync(Options(KvsEmulatorRole.Master));
        await using var viewer = await SignalingClient.ConnectAsViewerAsync(Options(KvsEmulatorRole.Viewer), ViewerId);

        var offerReceived = First(master.Offers);
        await viewer.SendOfferAsync(SessionDescriptionPayload.Offer("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"));
        var offer = await offerReceived;

        var answerReceived = First(viewer.Answers);
        await master.SendAnswerAsync(SessionDescriptionPayload.Answer("v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\n"), offer.SenderClientId);
        var answer = await answerReceived;

        var masterCandidate = First(master.IceCandidates);
        var viewerCandidate = First(viewer.IceCandidates);
        await viewer.SendIceCandidateAsync(new IceCandidatePayload("candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host", "0", 0));
        await master.SendIceCandidateAsync(new IceCandidatePayload("candidate:2 1 udp 2122260223 127.0.0.1 50001 typ host", "0", 0), ViewerId);
        var fromViewer = await masterCandidate;
        var fromMaster = await viewerCandidate;

        Assert.Multiple(() =>
        {
            Assert.That(offer.SenderClientId, Is.EqualTo(ViewerId));
            Assert.That(offer.SessionDescription, Is.EqualTo(SessionDescriptionPayload.Offer("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n")));
            Assert.That(answer.SessionDescription, Is.EqualTo(SessionDescriptionPayload.Answer("v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\n")));
            Assert.That(answer.SenderClientId, Is.Null, "messages from the master carry no sender id");
            Assert.That(fromViewer.IceCandidate!.Candidate, Does.StartWith("candidate:1 "));
            Assert.That(fromViewer.SenderClientId, Is.EqualTo(ViewerId));
            Assert.That(fromMaster.IceCandidate, Is.EqualTo(new IceCandidatePayload("candidate:2 1 udp 2122260223 127.0.0.1 50001 typ host", "0", 0)));
        });
    }

    [Test]
    public async Task ViewerConnectsBeforeMaster_OfferIsBufferedAndDeliveredWhenMasterConnects()
    {
        await using var viewer = await SignalingClient.ConnectAsViewerAsync(Options(KvsEmulatorRole.Viewer), ViewerId);
        await viewer.SendOfferAsync(SessionDescriptionPayload.Offer("v=0\r\nearly\r\n"));
        await viewer.SendIceCandidateAsync(new IceCandidatePayload("candidate:1 1 udp 1 127.0.0.1 9 typ host", "0", 0));

        // Subscribe before connecting: buffered messages arrive right after the upgrade.
        await using var master = SignalingClient.CreateMaster(Options(KvsEmulatorRole.Master));
        var offerReceived = First(master.Offers);
        var candidateReceived = First(master.IceCandidates);
        await master.ConnectAsync();
        var offer = await offerReceived;
        var candidate = await candidateReceived;

        Assert.Multiple(() =>
        {
            Assert.That(offer.SessionDescription!.Sdp, Is.EqualTo("v=0\r\nearly\r\n"));
            Assert.That(offer.SenderClientId, Is.EqualTo(ViewerId));
            Assert.That(candidate.IceCandidate!.Candidate, Is.EqualTo("candidate:1 1 udp 1 127.0.0.1 9 typ host"));
        });
    }

    [Test]
    public async Task ViewerOffer_SentWhileMasterIsAway_IsBufferedAndDeliveredAfterMasterReconnects()
    {
        // A long first back-off keeps the master away for at least one second while the viewer sends.
        var slowReconnect = new SignalingReconnectPolicy { BaseDelay = TimeSpan.FromSeconds(2), MaxDelay = TimeSpan.FromSeconds(2) };
        await using var master = await SignalingClient.ConnectAsMasterAsync(new SignalingClientOptions(Options(KvsEmulatorRole.Master)) { Reconnect = slowReconnect });
        await using var viewer = await SignalingClient.ConnectAsViewerAsync(Options(KvsEmulatorRole.Viewer), ViewerId);
        var events = new ConcurrentQueue<string>();
        using var stateLog = master.States.Subscribe(s => events.Enqueue(s.ToString()));
        var reconnecting = First(master.States, s => s == SignalingConnectionState.Reconnecting);
        var offerReceived = First(master.Offers);

        Assert.That(_emulator.Faults.DropConnections(c => c.Role == KvsEmulatorRole.Master), Is.EqualTo(1));
        await reconnecting;
        await viewer.SendOfferAsync(SessionDescriptionPayload.Offer("v=0\r\nbuffered\r\n"));
        var offer = await offerReceived;
        events.Enqueue("offer");

        Assert.Multiple(() =>
        {
            Assert.That(offer.SessionDescription!.Sdp, Is.EqualTo("v=0\r\nbuffered\r\n"));
            Assert.That(offer.SenderClientId, Is.EqualTo(ViewerId));
            var sequence = events.ToList();
            Assert.That(sequence.IndexOf(nameof(SignalingConnectionState.Reconnecting)), Is.LessThan(sequence.LastIndexOf(nameof(SignalingConnectionState.Connected))));
            Assert.That(sequence.LastIndexOf(nameof(SignalingConnectionState.Connected)), Is.LessThan(sequence.IndexOf("offer")));
        });
    }

    [Test]
    public async Task EmulatorDropsViewer_ViewerReconnectsAndSendsQueuedOffer()
    {
        await using var master = await SignalingClient.ConnectAsMasterAsync(Options(KvsEmulatorRole.Master));
        await using var viewer = await SignalingClient.ConnectAsViewerAsync(new SignalingClientOptions(Options(KvsEmulatorRole.Viewer)) { Reconnect = Fast() }, ViewerId);
        var reconnecting = First(viewer.States, s => s == SignalingConnectionState.Reconnecting);
        var offerReceived = First(master.Offers);

        Assert.That(_emulator.Faults.DropConnections(c => c.Role == KvsEmulatorRole.Viewer), Is.EqualTo(1));
        await reconnecting;
        await viewer.SendOfferAsync(SessionDescriptionPayload.Offer("v=0\r\nafter-drop\r\n"));
        var offer = await offerReceived;

        Assert.Multiple(() =>
        {
            Assert.That(offer.SessionDescription!.Sdp, Is.EqualTo("v=0\r\nafter-drop\r\n"));
            Assert.That(viewer.State, Is.EqualTo(SignalingConnectionState.Connected));
        });
    }

    [Test]
    public async Task EmulatorSendsGoAway_ClientReportsItReconnectsAndKeepsReceiving()
    {
        await using var master = await SignalingClient.ConnectAsMasterAsync(new SignalingClientOptions(Options(KvsEmulatorRole.Master)) { Reconnect = Fast() });
        await using var viewer = await SignalingClient.ConnectAsViewerAsync(Options(KvsEmulatorRole.Viewer), ViewerId);
        var goAway = First(master.GoAway);
        var reconnected = master.States
            .SkipWhile(s => s != SignalingConnectionState.Reconnecting)
            .FirstAsync(s => s == SignalingConnectionState.Connected)
            .Timeout(s_timeout)
            .ToTask();

        Assert.That(_emulator.Faults.SendGoAway(c => c.Role == KvsEmulatorRole.Master), Is.EqualTo(1));
        await goAway;
        await reconnected;
        var candidateReceived = First(master.IceCandidates);
        await viewer.SendIceCandidateAsync(new IceCandidatePayload("candidate:9 1 udp 1 127.0.0.1 9 typ host", "0", 0));

        Assert.That((await candidateReceived).IceCandidate!.Candidate, Is.EqualTo("candidate:9 1 udp 1 127.0.0.1 9 typ host"));
    }

    [Test]
    public async Task ConnectAsViewer_ChannelAtItsViewerLimit_FailsWithLimitExceededSayingViewerLimitReached()
    {
        var viewers = new List<SignalingClient>();
        try
        {
            for (var i = 0; i < 10; i++)
            {
                viewers.Add(await SignalingClient.ConnectAsViewerAsync(Options(KvsEmulatorRole.Viewer), $"viewer-{i}"));
            }

            var error = Assert.ThrowsAsync<SignalingException>(async () =>
            {
                await using var eleventh = await SignalingClient.ConnectAsViewerAsync(Options(KvsEmulatorRole.Viewer), "viewer-10");
            });

            Assert.Multiple(() =>
            {
                Assert.That(error!.Error, Is.EqualTo(SignalingError.ClientLimitExceeded));
                Assert.That((int?)error.StatusCode, Is.EqualTo(400));
                Assert.That(error.IsRetryable, Is.True, "a viewer may get in once another leaves");
                Assert.That(error.Message, Does.Contain("ClientLimitExceededException").And.Contain("viewer limit reached"));
            });
        }
        finally
        {
            foreach (var viewer in viewers)
            {
                await viewer.DisposeAsync();
            }
        }
    }

    private static SignalingReconnectPolicy Fast() =>
        new() { BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(500), MaxAttempts = 50 };

    private static Task<T> First<T>(IObservable<T> source, Func<T, bool>? predicate = null) =>
        source.FirstAsync(predicate ?? (_ => true)).Timeout(s_timeout).ToTask();

    [Test]
    public async Task Upgrade_DeviceClockEightMinutesAhead_RefusedOnce_SignerOffsetTakenFromDateHeader_ThenConnects()
    {
        var deviceClock = new Kvs.WebRtc.Tests.Soak.SkewedTimeProvider(TimeProvider.System) { Skew = TimeSpan.FromMinutes(8) };
        var signer = new SigV4Signer(deviceClock);
        var options = new SignalingClientOptions(Options(KvsEmulatorRole.Master)) { TimeProvider = deviceClock, Signer = signer, Reconnect = new SignalingReconnectPolicy { Enabled = false } };

        await using (var first = SignalingClient.CreateMaster(options))
        {
            var refused = Assert.ThrowsAsync<SignalingException>(async () => await first.ConnectAsync());
            Assert.That((int?)refused!.StatusCode, Is.EqualTo(403), "a date 8 minutes ahead is outside the 5-minute tolerance");
        }

        Assert.That(signer.ClockOffset.TotalMinutes, Is.EqualTo(-8).Within(0.1), "the offset now cancels the device clock's skew");
        await using var second = await SignalingClient.ConnectAsMasterAsync(options);
        Assert.That(second.State, Is.EqualTo(SignalingConnectionState.Connected));
    }

    [Test]
    public async Task Upgrade_RefusedForWrongSecretWithCorrectClock_SignerOffsetUnchanged()
    {
        var signer = new SigV4Signer();
        var options = new SignalingClientOptions(Options(KvsEmulatorRole.Master))
        {
            Signer = signer,
            Credentials = new StaticCredentialsProvider(new AwsCredentialsSnapshot(_emulator.Credentials.AccessKeyId, "not-the-secret")),
            Reconnect = new SignalingReconnectPolicy { Enabled = false },
        };

        await using var client = SignalingClient.CreateMaster(options);
        var refused = Assert.ThrowsAsync<SignalingException>(async () => await client.ConnectAsync());

        Assert.Multiple(() =>
        {
            Assert.That((int?)refused!.StatusCode, Is.EqualTo(403));
            Assert.That(signer.ClockOffset, Is.EqualTo(TimeSpan.Zero), "a clock within the tolerance is left alone");
        });
    }

    private SignalingClientOptions Options(KvsEmulatorRole role) => new()
    {
        ChannelArn = _channelArn,
        Endpoint = _emulator.GetSignalingEndpoint(_channelArn, role),
        Region = _emulator.Region,
        Credentials = new StaticCredentialsProvider(_emulator.Credentials),
    };
}
