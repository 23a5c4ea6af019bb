using System.Net.WebSockets;
using Kvs.WebRtc.Emulator.Signaling;
using Kvs.WebRtc.Signaling.ControlPlane.Model;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.Emulator.Tests.Signaling;

/// <summary>
/// Everything in signaling that depends on time (message TTL, superseded-socket grace, idle timeout, maximum
/// connection duration, delayed delivery, GO_AWAY grace), driven by a <see cref="ManualTimeProvider"/> so nothing waits.
/// </summary>
[TestFixture]
public sealed class CoreSignalingTimingTests
{
    private static readonly string s_offer = CoreTestSupport.Base64("{\"type\":\"offer\",\"sdp\":\"v=0\"}");
    private static readonly string s_candidate = CoreTestSupport.Base64("{\"candidate\":\"candidate:1\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0}");
    private ManualTimeProvider _clock = null!;
    private KvsEmulator _emulator = null!;
    private string _arn = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        _emulator = await KvsEmulator.StartAsync(new KvsEmulatorOptions { TimeProvider = _clock });
        _arn = _emulator.CreateSignalingChannel("timing", messageTtlSeconds: 60);
    }

    [TearDown]
    public async Task TearDownAsync() => await _emulator.DisposeAsync();

    [Test]
    public async Task BufferedOffer_MasterConnectsWithinTtl_IsDelivered()
    {
        await using var viewer = await ConnectAsync(KvsEmulatorRole.Viewer, "v1");
        await SendAndAwaitAsync(viewer, CoreTestSupport.Frame("SDP_OFFER", s_offer), FrameOutcome.Buffered);

        _clock.Advance(TimeSpan.FromSeconds(59));
        await using var master = await ConnectAsync(KvsEmulatorRole.Master);

        Assert.That((await master.ReceiveJsonAsync()).GetProperty("messagePayload").GetString(), Is.EqualTo(s_offer));
    }

    [Test]
    public async Task BufferedOffer_MasterConnectsAfterTtl_IsDroppedAndCountedAsExpired()
    {
        await using var viewer = await ConnectAsync(KvsEmulatorRole.Viewer, "v1");
        await SendAndAwaitAsync(viewer, CoreTestSupport.Frame("SDP_OFFER", s_offer), FrameOutcome.Buffered);

        _clock.Advance(TimeSpan.FromSeconds(61));
        await using var master = await ConnectAsync(KvsEmulatorRole.Master);
        await viewer.SendAsync(CoreTestSupport.Frame("ICE_CANDIDATE", s_candidate));

        Assert.Multiple(async () =>
        {
            Assert.That((await master.ReceiveJsonAsync()).GetProperty("messageType").GetString(), Is.EqualTo("ICE_CANDIDATE"), "the expired offer is not delivered");
            Assert.That(_emulator.GetStatistics().MessagesExpired, Is.EqualTo(1));
            Assert.That(_emulator.GetPendingMessageCount(_arn), Is.Zero);
        });
    }

    [Test]
    public async Task UpdateSignalingChannel_ShorterTtl_AppliesOnlyToMessagesSentAfterTheUpdate()
    {
        await using var viewer = await ConnectAsync(KvsEmulatorRole.Viewer, "v1");
        await SendAndAwaitAsync(viewer, CoreTestSupport.Frame("ICE_CANDIDATE", CoreTestSupport.Base64("{\"sent\":\"before\"}")), FrameOutcome.Buffered);
        using var client = CoreTestSupport.CreateClient(_emulator, timeProvider: _clock);
        var info = (await client.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest { ChannelARN = _arn })).ChannelInfo!;
        await client.UpdateSignalingChannelAsync(new UpdateSignalingChannelRequest
        {
            ChannelARN = _arn,
            CurrentVersion = info.Version!,
            SingleMasterConfiguration = new SingleMasterConfiguration { MessageTtlSeconds = 5 },
        });
        await SendAndAwaitAsync(viewer, CoreTestSupport.Frame("ICE_CANDIDATE", CoreTestSupport.Base64("{\"sent\":\"after\"}")), FrameOutcome.Buffered);

        _clock.Advance(TimeSpan.FromSeconds(10));
        await using var master = await ConnectAsync(KvsEmulatorRole.Master);
        await viewer.SendAsync(CoreTestSupport.Frame("SDP_OFFER", s_offer));

        Assert.That((await master.ReceiveJsonAsync()).GetProperty("messagePayload").GetString(), Is.EqualTo(CoreTestSupport.Base64("{\"sent\":\"before\"}")));
        Assert.That((await master.ReceiveJsonAsync()).GetProperty("messageType").GetString(), Is.EqualTo("SDP_OFFER"), "the message sent after the update expired after 5 s");
    }

    [Test]
    public async Task SupersededMaster_IsRoutedNothingAndClosedWith1000OnlyAfterTheGracePeriod()
    {
        await using var oldMaster = await ConnectAsync(KvsEmulatorRole.Master);
        await using var newMaster = await ConnectAsync(KvsEmulatorRole.Master, signedSecondsAgo: 100);
        var old = _emulator.GetConnections()[0];
        Assert.Multiple(() =>
        {
            Assert.That(old.IsCurrent, Is.False);
            Assert.That(oldMaster.Socket.State, Is.EqualTo(WebSocketState.Open), "still open during the grace period");
        });

        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.That(await oldMaster.ReceiveCloseAsync(), Is.EqualTo(WebSocketCloseStatus.NormalClosure));
    }

    [Test]
    public async Task IdleConnection_AfterTenMinutesWithoutFrames_IsClosedWith1001()
    {
        await using var viewer = await ConnectAsync(KvsEmulatorRole.Viewer, "idle");

        _clock.Advance(TimeSpan.FromMinutes(10));

        Assert.That(await viewer.ReceiveCloseAsync(), Is.EqualTo(WebSocketCloseStatus.EndpointUnavailable));
    }

    [Test]
    public async Task ActiveConnection_FramesKeepResettingTheIdleTimer_StaysOpen()
    {
        await using var master = await ConnectAsync(KvsEmulatorRole.Master);
        await using var viewer = await ConnectAsync(KvsEmulatorRole.Viewer, "busy");
        _clock.Advance(TimeSpan.FromMinutes(6));
        await SendAndAwaitAsync(viewer, CoreTestSupport.Frame("ICE_CANDIDATE", s_candidate), FrameOutcome.Routed);
        await SendAndAwaitAsync(master, CoreTestSupport.Frame("ICE_CANDIDATE", s_candidate, recipient: "busy"), FrameOutcome.Routed);
        await master.ReceiveJsonAsync();
        await viewer.ReceiveJsonAsync();

        _clock.Advance(TimeSpan.FromMinutes(6));
        await viewer.SendAsync(CoreTestSupport.Frame("SDP_OFFER", s_offer));

        Assert.That((await master.ReceiveJsonAsync()).GetProperty("messageType").GetString(), Is.EqualTo("SDP_OFFER"));
        Assert.That(viewer.Socket.State, Is.EqualTo(WebSocketState.Open));
    }

    [Test]
    public async Task Faults_MaxConnectionDurationShortened_ClosesConnectionWith1001WhenReached()
    {
        await using var master = await ConnectAsync(KvsEmulatorRole.Master);
        _emulator.Faults.MaxConnectionDuration = TimeSpan.FromMinutes(5);

        _clock.Advance(TimeSpan.FromMinutes(5));

        Assert.That(await master.ReceiveCloseAsync(), Is.EqualTo(WebSocketCloseStatus.EndpointUnavailable));
    }

    [Test]
    public async Task Faults_MaxConnectionDurationBelowCurrentAge_ClosesAtOnce()
    {
        await using var master = await ConnectAsync(KvsEmulatorRole.Master);
        _clock.Advance(TimeSpan.FromMinutes(2));

        _emulator.Faults.MaxConnectionDuration = TimeSpan.FromMinutes(1);
        _clock.Advance(TimeSpan.Zero);

        Assert.That(await master.ReceiveCloseAsync(), Is.EqualTo(WebSocketCloseStatus.EndpointUnavailable));
    }

    [Test]
    public async Task Faults_MessageDeliveryDelay_HoldsMessagesUntilTheClockReachesTheDelay()
    {
        await using var master = await ConnectAsync(KvsEmulatorRole.Master);
        await using var viewer = await ConnectAsync(KvsEmulatorRole.Viewer, "slow");
        _emulator.Faults.MessageDeliveryDelay = TimeSpan.FromSeconds(5);
        await SendAndAwaitAsync(viewer, CoreTestSupport.Frame("SDP_OFFER", s_offer), FrameOutcome.Routed);
        var receive = master.ReceiveJsonAsync();

        _clock.Advance(TimeSpan.FromSeconds(4));
        Assert.That(_emulator.GetStatistics().MessagesDelivered, Is.Zero);
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.That((await receive).GetProperty("messagePayload").GetString(), Is.EqualTo(s_offer));
    }

    [Test]
    public async Task Faults_SendGoAwayWithCloseAfter_SendsGoAwayThenClosesWhenGraceElapses()
    {
        await using var master = await ConnectAsync(KvsEmulatorRole.Master);

        Assert.That(_emulator.Faults.SendGoAway(closeAfter: TimeSpan.FromMinutes(1)), Is.EqualTo(1));
        Assert.That((await master.ReceiveJsonAsync()).GetProperty("messageType").GetString(), Is.EqualTo("GO_AWAY"));
        _clock.Advance(TimeSpan.FromMinutes(1));

        Assert.That(await master.ReceiveCloseAsync(), Is.EqualTo(WebSocketCloseStatus.EndpointUnavailable));
    }

    private async Task SendAndAwaitAsync(CorePeer peer, string frame, FrameOutcome expected)
    {
        var processed = CoreTestSupport.WaitForFrameAsync(_emulator);
        await peer.SendAsync(frame);
        Assert.That((await processed).Outcome, Is.EqualTo(expected));
    }

    private async Task<CorePeer> ConnectAsync(KvsEmulatorRole role, string? clientId = null, int signedSecondsAgo = 0) =>
        await CorePeer.ConnectAsync(CoreTestSupport.Presign(_emulator, _arn, role, clientId, _clock, signingTime: _clock.GetUtcNow().AddSeconds(-signedSecondsAgo)));
}
