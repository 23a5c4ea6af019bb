using System.Net.WebSockets;
using System.Text;
using Kvs.WebRtc.Emulator.Signaling;
using NUnit.Framework;

namespace Kvs.WebRtc.Emulator.Tests.Signaling;

/// <summary>Routing between raw WebSocket clients through <see cref="SignalingHub"/> (spec 5.2–5.5).</summary>
[TestFixture]
public sealed class CoreSignalingRoutingTests
{
    private const string OfferJson = "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\n\"}";
    private const string CandidateJson = "{\"candidate\":\"candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0}";
    private KvsEmulator _emulator = null!;
    private string _arn = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _emulator = await KvsEmulator.StartAsync(new KvsEmulatorOptions { SupersededConnectionGracePeriod = TimeSpan.Zero });
        _arn = _emulator.CreateSignalingChannel("routing");
    }

    [TearDown]
    public async Task TearDownAsync() => await _emulator.DisposeAsync();

    [Test]
    public async Task HandleClientFrame_ViewerToMaster_AddsSenderClientIdAndForwardsPayloadVerbatim()
    {
        await using var master = await ConnectMasterAsync();
        await using var viewer = await ConnectViewerAsync("viewer-1");
        var payload = CoreTestSupport.Base64(OfferJson);

        await viewer.SendAsync(CoreTestSupport.Frame("SDP_OFFER", payload));
        var received = await master.ReceiveJsonAsync();

        Assert.Multiple(() =>
        {
            Assert.That(received.GetProperty("messageType").GetString(), Is.EqualTo("SDP_OFFER"));
            Assert.That(received.GetProperty("senderClientId").GetString(), Is.EqualTo("viewer-1"));
            Assert.That(received.GetProperty("messagePayload").GetString(), Is.EqualTo(payload));
        });
    }

    [Test]
    public async Task HandleClientFrame_MasterToViewer_OmitsSenderClientId()
    {
        await using var master = await ConnectMasterAsync();
        await using var viewer = await ConnectViewerAsync("viewer-1");
        var payload = CoreTestSupport.Base64("{\"type\":\"answer\",\"sdp\":\"v=0\\r\\n\"}");

        await master.SendAsync(CoreTestSupport.Frame("SDP_ANSWER", payload, recipient: "viewer-1"));
        var received = await viewer.ReceiveJsonAsync();

        Assert.Multiple(() =>
        {
            Assert.That(received.GetProperty("messageType").GetString(), Is.EqualTo("SDP_ANSWER"));
            Assert.That(received.TryGetProperty("senderClientId", out _), Is.False);
            Assert.That(received.GetProperty("messagePayload").GetString(), Is.EqualTo(payload));
        });
    }

    [Test]
    public async Task HandleClientFrame_MasterToOneOfTwoViewers_OnlyThatViewerReceives()
    {
        await using var master = await ConnectMasterAsync();
        await using var viewer1 = await ConnectViewerAsync("viewer-1");
        await using var viewer2 = await ConnectViewerAsync("viewer-2");

        await master.SendAsync(CoreTestSupport.Frame("ICE_CANDIDATE", CoreTestSupport.Base64("{\"n\":1}"), recipient: "viewer-2"));
        await master.SendAsync(CoreTestSupport.Frame("ICE_CANDIDATE", CoreTestSupport.Base64("{\"n\":2}"), recipient: "viewer-1"));

        Assert.That((await viewer2.ReceiveJsonAsync()).GetProperty("messagePayload").GetString(), Is.EqualTo(CoreTestSupport.Base64("{\"n\":1}")));
        Assert.That((await viewer1.ReceiveJsonAsync()).GetProperty("messagePayload").GetString(), Is.EqualTo(CoreTestSupport.Base64("{\"n\":2}")));
    }

    [Test]
    public async Task HandleClientFrame_CSdkPascalCaseFrameWithExtraMembers_IsRoutedToMaster()
    {
        await using var master = await ConnectMasterAsync();
        await using var viewer = await ConnectViewerAsync("ConsumerViewer");
        var payload = CoreTestSupport.Base64(OfferJson);
        var frame = "{\n\t\"action\":\t\"SDP_OFFER\",\n\t\"RecipientClientId\":\t\"ProducerMaster\",\n\t\"MessagePayload\":\t\"" + payload
            + "\",\n\t\"CorrelationId\":\t\"1700000000000\",\n\t\"IceServerList\": [{\"Password\": \"p\", \"Ttl\": 300, \"Uris\": [\"turn:x\"], \"Username\": \"u\"}]\n}";

        await viewer.SendAsync(frame);
        var received = await master.ReceiveJsonAsync();

        Assert.Multiple(() =>
        {
            Assert.That(received.GetProperty("messageType").GetString(), Is.EqualTo("SDP_OFFER"));
            Assert.That(received.GetProperty("senderClientId").GetString(), Is.EqualTo("ConsumerViewer"));
            Assert.That(received.GetProperty("messagePayload").GetString(), Is.EqualTo(payload));
        });
    }

    [Test]
    public async Task HandleClientFrame_UrlSafeUnpaddedPayloadWithEmptyAndroidMembers_IsForwardedUntouched()
    {
        await using var master = await ConnectMasterAsync();
        await using var viewer = await ConnectViewerAsync("android-1");
        var urlSafe = Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"type\":\"offer\",\"sdp\":\"v=0??>>\"}")).Replace('+', '-').Replace('/', '_').TrimEnd('=');
        Assert.That(urlSafe, Does.Contain("-").Or.Contain("_"), "the sample payload must exercise the URL-safe alphabet");

        await viewer.SendAsync($"{{\"action\":\"SDP_OFFER\",\"recipientClientId\":\"\",\"senderClientId\":\"\",\"messagePayload\":\"{urlSafe}\"}}");
        var received = await master.ReceiveJsonAsync();

        Assert.That(received.GetProperty("messagePayload").GetString(), Is.EqualTo(urlSafe));
    }

    [Test]
    public async Task HandleClientFrame_ViewerBeforeMaster_IsBufferedAndDeliveredWhenMasterConnects()
    {
        await using var viewer = await ConnectViewerAsync("early");
        var buffered = CoreTestSupport.WaitForFrameAsync(_emulator, e => e.Outcome == FrameOutcome.Buffered);
        var payload = CoreTestSupport.Base64(OfferJson);
        await viewer.SendAsync(CoreTestSupport.Frame("SDP_OFFER", payload));
        await buffered;
        Assert.That(_emulator.GetPendingMessageCount(_arn), Is.EqualTo(1));

        await using var master = await ConnectMasterAsync();
        var received = await master.ReceiveJsonAsync();

        Assert.Multiple(() =>
        {
            Assert.That(received.GetProperty("senderClientId").GetString(), Is.EqualTo("early"));
            Assert.That(received.GetProperty("messagePayload").GetString(), Is.EqualTo(payload));
            Assert.That(_emulator.GetPendingMessageCount(_arn), Is.Zero);
        });
    }

    [Test]
    public async Task HandleClientFrame_MasterToOfflineViewer_IsDeliveredWhenViewerConnects()
    {
        await using var master = await ConnectMasterAsync();
        var buffered = CoreTestSupport.WaitForFrameAsync(_emulator, e => e.Outcome == FrameOutcome.Buffered);
        var payload = CoreTestSupport.Base64(CandidateJson);
        await master.SendAsync(CoreTestSupport.Frame("ICE_CANDIDATE", payload, recipient: "late-viewer"));
        await buffered;

        await using var viewer = await ConnectViewerAsync("late-viewer");

        Assert.That((await viewer.ReceiveJsonAsync()).GetProperty("messagePayload").GetString(), Is.EqualTo(payload));
    }

    [Test]
    public async Task HandleClientFrame_NewerOfferWhileMasterOffline_OverwritesPendingOfferAndKeepsCandidates()
    {
        await using var viewer = await ConnectViewerAsync("v");
        var offer1 = CoreTestSupport.Base64("{\"type\":\"offer\",\"sdp\":\"first\"}");
        var candidate = CoreTestSupport.Base64(CandidateJson);
        var offer2 = CoreTestSupport.Base64("{\"type\":\"offer\",\"sdp\":\"second\"}");
        foreach (var (action, payload) in new[] { ("SDP_OFFER", offer1), ("ICE_CANDIDATE", candidate), ("SDP_OFFER", offer2) })
        {
            var buffered = CoreTestSupport.WaitForFrameAsync(_emulator, e => e.Outcome == FrameOutcome.Buffered);
            await viewer.SendAsync(CoreTestSupport.Frame(action, payload));
            await buffered;
        }

        Assert.That(_emulator.GetPendingMessageCount(_arn), Is.EqualTo(2));
        await using var master = await ConnectMasterAsync();

        Assert.That((await master.ReceiveJsonAsync()).GetProperty("messagePayload").GetString(), Is.EqualTo(offer2));
        Assert.That((await master.ReceiveJsonAsync()).GetProperty("messagePayload").GetString(), Is.EqualTo(candidate));
    }

    [Test]
    public async Task ConnectAsMaster_SecondMaster_TakesOverRoutingAndOldSocketIsClosedWith1000()
    {
        await using var oldMaster = await ConnectMasterAsync();
        await using var newMaster = await ConnectMasterAsync(signedSecondsAgo: 100);
        await using var viewer = await ConnectViewerAsync("viewer-1");

        Assert.That(await oldMaster.ReceiveCloseAsync(), Is.EqualTo(WebSocketCloseStatus.NormalClosure));
        await viewer.SendAsync(CoreTestSupport.Frame("SDP_OFFER", CoreTestSupport.Base64(OfferJson)));
        Assert.That((await newMaster.ReceiveJsonAsync()).GetProperty("senderClientId").GetString(), Is.EqualTo("viewer-1"));
    }

    [Test]
    public async Task ConnectAsViewer_SameClientIdAgain_NewSocketReceivesAndOldIsClosedWith1000()
    {
        await using var master = await ConnectMasterAsync();
        await using var oldViewer = await ConnectViewerAsync("same");
        await using var newViewer = await ConnectViewerAsync("same", signedSecondsAgo: 100);

        Assert.That(await oldViewer.ReceiveCloseAsync(), Is.EqualTo(WebSocketCloseStatus.NormalClosure));
        await master.SendAsync(CoreTestSupport.Frame("SDP_ANSWER", CoreTestSupport.Base64("{}"), recipient: "same"));
        Assert.That((await newViewer.ReceiveJsonAsync()).GetProperty("messageType").GetString(), Is.EqualTo("SDP_ANSWER"));
        Assert.That(_emulator.GetConnections().Count(c => c.ClientId == "same"), Is.EqualTo(1));
    }

    [Test]
    public async Task DisposeAsync_WithConnectedClients_SendsGoAwayThenCloses()
    {
        var master = await ConnectMasterAsync();
        var viewer = await ConnectViewerAsync("viewer-1");

        var dispose = _emulator.DisposeAsync().AsTask();
        var masterFrame = await master.ReceiveJsonAsync();
        var viewerFrame = await viewer.ReceiveJsonAsync();
        var masterClose = await master.ReceiveCloseAsync();
        await dispose.WaitAsync(CoreTestSupport.Timeout);

        Assert.Multiple(() =>
        {
            Assert.That(masterFrame.GetProperty("messageType").GetString(), Is.EqualTo("GO_AWAY"));
            Assert.That(viewerFrame.GetProperty("messageType").GetString(), Is.EqualTo("GO_AWAY"));
            Assert.That(masterClose, Is.EqualTo(WebSocketCloseStatus.EndpointUnavailable));
        });
        await master.DisposeAsync();
        await viewer.DisposeAsync();
    }

    // A reconnect must be signed for another second, or its URL is a byte-identical replay (100 s apart: never equal).
    private async Task<CorePeer> ConnectMasterAsync(int signedSecondsAgo = 0) =>
        await CorePeer.ConnectAsync(CoreTestSupport.Presign(_emulator, _arn, KvsEmulatorRole.Master, signingTime: DateTimeOffset.UtcNow.AddSeconds(-signedSecondsAgo)));

    private async Task<CorePeer> ConnectViewerAsync(string clientId, int signedSecondsAgo = 0) =>
        await CorePeer.ConnectAsync(CoreTestSupport.Presign(_emulator, _arn, KvsEmulatorRole.Viewer, clientId, signingTime: DateTimeOffset.UtcNow.AddSeconds(-signedSecondsAgo)));
}
