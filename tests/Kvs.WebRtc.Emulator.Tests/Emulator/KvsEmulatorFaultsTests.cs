using System.Net;
using System.Net.WebSockets;
using Kvs.WebRtc.Emulator.Signaling;
using Kvs.WebRtc.Signaling;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.Emulator.Tests.Emulator;

/// <summary>
/// Fault injection through <see cref="KvsEmulator.Faults"/>, observed with raw WebSocket clients (<see cref="CorePeer"/>)
/// on an emulator whose clock the test drives.
/// </summary>
[TestFixture]
public sealed class KvsEmulatorFaultsTests
{
    private ManualTimeProvider _clock = null!;
    private KvsEmulator _emulator = null!;
    private string _arn = null!;
    private int _signatures;

    [SetUp]
    public async Task SetUpAsync()
    {
        _clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        _emulator = await KvsEmulator.StartAsync(new KvsEmulatorOptions { TimeProvider = _clock });
        _arn = _emulator.CreateSignalingChannel("faults");
    }

    [TearDown]
    public async Task TearDownAsync() => await _emulator.DisposeAsync();

    [Test]
    public async Task DropConnections_MasterOnly_AbortsMasterAndViewerKeepsWorking()
    {
        await using var master = await ConnectAsync(KvsEmulatorRole.Master);
        await using var viewer = await ConnectAsync(KvsEmulatorRole.Viewer, "v1");

        Assert.That(_emulator.Faults.DropConnections(c => c.Role == KvsEmulatorRole.Master), Is.EqualTo(1));

        Assert.That(await master.ReceiveCloseAsync(), Is.Null, "aborted without a close handshake");
        await Wait.UntilAsync(() => _emulator.GetConnections().Count == 1, CoreTestSupport.Timeout, what: "the dropped master is still listed");
        var buffered = CoreTestSupport.WaitForFrameAsync(_emulator, e => e.Outcome == FrameOutcome.Buffered);
        await viewer.SendAsync(CoreTestSupport.Frame("SDP_OFFER", CoreTestSupport.Base64("{}")));
        await buffered;
        Assert.Multiple(() =>
        {
            Assert.That(_emulator.GetConnections().Single().Role, Is.EqualTo(KvsEmulatorRole.Viewer));
            Assert.That(viewer.Socket.State, Is.EqualTo(WebSocketState.Open));
        });
    }

    [Test]
    public async Task SendGoAway_ViewerSelector_OnlyViewersReceiveIt()
    {
        await using var master = await ConnectAsync(KvsEmulatorRole.Master);
        await using var viewer = await ConnectAsync(KvsEmulatorRole.Viewer, "v1");

        Assert.That(_emulator.Faults.SendGoAway(c => c.Role == KvsEmulatorRole.Viewer), Is.EqualTo(1));

        Assert.That((await viewer.ReceiveJsonAsync()).GetProperty("messageType").GetString(), Is.EqualTo("GO_AWAY"));
        await viewer.SendAsync(CoreTestSupport.Frame("SDP_OFFER", CoreTestSupport.Base64("{}")));
        Assert.That((await master.ReceiveJsonAsync()).GetProperty("messageType").GetString(), Is.EqualTo("SDP_OFFER"), "the master got no GO_AWAY");
    }

    [Test]
    public async Task SendGoAway_WithCloseAfter_ClosesWith1001WhenGraceElapses()
    {
        await using var master = await ConnectAsync(KvsEmulatorRole.Master);

        _emulator.Faults.SendGoAway(closeAfter: TimeSpan.FromMinutes(1));
        var goAway = (await master.ReceiveJsonAsync()).GetProperty("messageType").GetString();
        _clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Multiple(async () =>
        {
            Assert.That(goAway, Is.EqualTo("GO_AWAY"));
            Assert.That(await master.ReceiveCloseAsync(), Is.EqualTo(WebSocketCloseStatus.EndpointUnavailable));
        });
    }

    [Test]
    public async Task SendReconnectIceServer_AllConnections_EachReceivesTheFrame()
    {
        await using var master = await ConnectAsync(KvsEmulatorRole.Master);
        await using var viewer = await ConnectAsync(KvsEmulatorRole.Viewer, "v1");

        Assert.That(_emulator.Faults.SendReconnectIceServer(), Is.EqualTo(2));

        Assert.That((await master.ReceiveJsonAsync()).GetProperty("messageType").GetString(), Is.EqualTo("RECONNECT_ICE_SERVER"));
        Assert.That((await viewer.ReceiveJsonAsync()).GetProperty("messageType").GetString(), Is.EqualTo("RECONNECT_ICE_SERVER"));
    }

    [Test]
    public async Task DropNextMessages_One_DropsOnlyTheNextRoutedMessageAndCountsIt()
    {
        await using var master = await ConnectAsync(KvsEmulatorRole.Master);
        await using var viewer = await ConnectAsync(KvsEmulatorRole.Viewer, "v1");
        _emulator.Faults.DropNextMessages(1);

        await viewer.SendAsync(CoreTestSupport.Frame("ICE_CANDIDATE", CoreTestSupport.Base64("{\"n\":1}")));
        await viewer.SendAsync(CoreTestSupport.Frame("ICE_CANDIDATE", CoreTestSupport.Base64("{\"n\":2}")));

        Assert.That((await master.ReceiveJsonAsync()).GetProperty("messagePayload").GetString(), Is.EqualTo(CoreTestSupport.Base64("{\"n\":2}")));
        Assert.That(_emulator.GetStatistics().MessagesDroppedByFault, Is.EqualTo(1));
    }

    [Test]
    public async Task MessageDeliveryDelay_FiveSeconds_DeliversOnlyAfterTheEmulatorClockAdvances()
    {
        await using var master = await ConnectAsync(KvsEmulatorRole.Master);
        await using var viewer = await ConnectAsync(KvsEmulatorRole.Viewer, "v1");
        _emulator.Faults.MessageDeliveryDelay = TimeSpan.FromSeconds(5);
        var payload = CoreTestSupport.Base64("{\"delayed\":true}");

        await viewer.SendAsync(CoreTestSupport.Frame("SDP_OFFER", payload));
        var receive = master.ReceiveJsonAsync();
        await Wait.UntilAsync(() => _emulator.GetStatistics().FramesReceived >= 1, CoreTestSupport.Timeout, what: "the emulator never received the frame");
        var beforeAdvance = receive.IsCompleted;

        // The frame is counted when it arrives, a moment before the connection stamps it for delivery: an advance in
        // between is seen as "before" the message, which then waits for the next advance. Advance again (bounded) if the
        // first advance raced with the stamp.
        for (var advances = 0; advances < 3 && !receive.IsCompleted; advances++)
        {
            _clock.Advance(TimeSpan.FromSeconds(5));
            await Task.WhenAny(receive, Task.Delay(TimeSpan.FromSeconds(2)));
        }

        Assert.Multiple(async () =>
        {
            Assert.That(beforeAdvance, Is.False);
            Assert.That((await receive).GetProperty("messagePayload").GetString(), Is.EqualTo(payload));
        });
    }

    [Test]
    public async Task MaxConnectionDuration_Shortened_ClosesOlderConnectionsWith1001()
    {
        await using var master = await ConnectAsync(KvsEmulatorRole.Master);

        _emulator.Faults.MaxConnectionDuration = TimeSpan.FromMinutes(1);
        _clock.Advance(TimeSpan.FromMinutes(1));

        Assert.That(await master.ReceiveCloseAsync(), Is.EqualTo(WebSocketCloseStatus.EndpointUnavailable));
    }

    [Test]
    public async Task RejectNextConnects_TwoWith503_RefusesTwoUpgradesThenAccepts()
    {
        _emulator.Faults.RejectNextConnects(2, HttpStatusCode.ServiceUnavailable);

        var first = await CorePeer.GetUpgradeStatusAsync(Presign(KvsEmulatorRole.Master));
        var second = await CorePeer.GetUpgradeStatusAsync(Presign(KvsEmulatorRole.Master));
        var third = await CorePeer.GetUpgradeStatusAsync(Presign(KvsEmulatorRole.Master));

        Assert.That(new[] { first, second, third }, Is.EqualTo(new[] { 503, 503, 101 }));
    }

    [Test]
    public async Task FailNextRequests_Default_ThrottlesOneRequestWithClientLimitExceeded()
    {
        using var client = CoreTestSupport.CreateClient(_emulator, timeProvider: _clock);
        _emulator.Faults.FailNextRequests(1);

        var error = SignalingAssert.ThrowsAsync(SignalingError.ClientLimitExceeded, "ClientLimitExceededException", () => client.ListSignalingChannelsAsync(new()));
        var next = await client.ListSignalingChannelsAsync(new());

        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(next.ChannelInfoList, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task Reset_AfterFaultsWereSet_ClearsThem()
    {
        _emulator.Faults.FailNextRequests(5, HttpStatusCode.InternalServerError);
        _emulator.Faults.RejectNextConnects(5);
        _emulator.Faults.MessageDeliveryDelay = TimeSpan.FromHours(1);
        _emulator.Faults.MaxConnectionDuration = TimeSpan.FromSeconds(30);

        _emulator.Faults.Reset();

        using var client = CoreTestSupport.CreateClient(_emulator, timeProvider: _clock);
        await client.ListSignalingChannelsAsync(new());
        Assert.Multiple(async () =>
        {
            Assert.That(await CorePeer.GetUpgradeStatusAsync(Presign(KvsEmulatorRole.Master)), Is.EqualTo(101));
            Assert.That(_emulator.Faults.MessageDeliveryDelay, Is.EqualTo(TimeSpan.Zero));
            Assert.That(_emulator.Faults.MaxConnectionDuration, Is.EqualTo(TimeSpan.FromHours(1)));
        });
    }

    [Test]
    public void Faults_InvalidArguments_ThrowArgumentOutOfRange()
    {
        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => _emulator.Faults.DropNextMessages(-1));
            Assert.Throws<ArgumentOutOfRangeException>(() => _emulator.Faults.RejectNextConnects(1, HttpStatusCode.OK));
            Assert.Throws<ArgumentOutOfRangeException>(() => _emulator.Faults.FailNextRequests(-1));
            Assert.Throws<ArgumentOutOfRangeException>(() => _emulator.Faults.MessageDeliveryDelay = TimeSpan.FromSeconds(-1));
            Assert.Throws<ArgumentOutOfRangeException>(() => _emulator.Faults.MaxConnectionDuration = TimeSpan.Zero);
            Assert.Throws<ArgumentOutOfRangeException>(() => _emulator.Faults.SendGoAway(closeAfter: TimeSpan.FromSeconds(-1)));
        });
    }

    // Distinct signing times give distinct signatures, so reconnects are not refused as replays.
    private Uri Presign(KvsEmulatorRole role, string? clientId = null) =>
        CoreTestSupport.Presign(_emulator, _arn, role, clientId, _clock, signingTime: _clock.GetUtcNow().AddSeconds(-Interlocked.Increment(ref _signatures)));

    private async Task<CorePeer> ConnectAsync(KvsEmulatorRole role, string? clientId = null) =>
        await CorePeer.ConnectAsync(Presign(role, clientId));
}
