using System.Net;
using System.Net.WebSockets;
using Kvs.WebRtc.Emulator.Signaling;
using Kvs.WebRtc.Signaling.ControlPlane;
using NUnit.Framework;

namespace Kvs.WebRtc.Emulator.Tests;

/// <summary>Fault injection through <see cref="KvsEmulatorFaults"/> (timer-driven faults are in CoreSignalingTimingTests).</summary>
[TestFixture]
public sealed class CoreKvsEmulatorFaultsTests
{
    private KvsEmulator _emulator = null!;
    private string _arn = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _emulator = await KvsEmulator.StartAsync();
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
        var buffered = CoreTestSupport.WaitForFrameAsync(_emulator, e => e.Outcome == FrameOutcome.Buffered);
        await viewer.SendAsync(CoreTestSupport.Frame("SDP_OFFER", CoreTestSupport.Base64("{}")));
        await buffered;
        Assert.That(viewer.Socket.State, Is.EqualTo(WebSocketState.Open));
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
    public async Task RejectNextConnects_TwoWith503_RefusesTwoUpgradesThenAccepts()
    {
        _emulator.Faults.RejectNextConnects(2, HttpStatusCode.ServiceUnavailable);

        var first = await CorePeer.GetUpgradeStatusAsync(Presign(KvsEmulatorRole.Master, secondsAgo: 0));
        var second = await CorePeer.GetUpgradeStatusAsync(Presign(KvsEmulatorRole.Master, secondsAgo: 100));
        var third = await CorePeer.GetUpgradeStatusAsync(Presign(KvsEmulatorRole.Master, secondsAgo: 200));

        Assert.That(new[] { first, second, third }, Is.EqualTo(new[] { 503, 503, 101 }));
    }

    [Test]
    public async Task FailNextRequests_Default_ThrottlesOneRequestWithClientLimitExceeded()
    {
        using var client = CoreTestSupport.CreateClient(_emulator);
        _emulator.Faults.FailNextRequests(1);

        var error = Assert.ThrowsAsync<ClientLimitExceededException>(() => client.ListSignalingChannelsAsync(new()));
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

        using var client = CoreTestSupport.CreateClient(_emulator);
        await client.ListSignalingChannelsAsync(new());
        Assert.Multiple(async () =>
        {
            Assert.That(await CorePeer.GetUpgradeStatusAsync(Presign(KvsEmulatorRole.Master, secondsAgo: 0)), Is.EqualTo(101));
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

    private Uri Presign(KvsEmulatorRole role, int secondsAgo, string? clientId = null) =>
        CoreTestSupport.Presign(_emulator, _arn, role, clientId, signingTime: DateTimeOffset.UtcNow.AddSeconds(-secondsAgo));

    private async Task<CorePeer> ConnectAsync(KvsEmulatorRole role, string? clientId = null) =>
        await CorePeer.ConnectAsync(Presign(role, 0, clientId));
}
