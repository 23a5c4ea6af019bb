using System.Net.WebSockets;
using System.Text.Json;
using Kvs.WebRtc.Emulator.Signaling;
using NUnit.Framework;

namespace Kvs.WebRtc.Emulator.Tests.Signaling;

/// <summary>
/// Refused frames and protocol violations in <see cref="SignalingHub"/> and <see cref="SignalingConnection"/>:
/// STATUS_RESPONSE only with a correlation id, and a bad client never disturbs the others.
/// </summary>
[TestFixture]
public sealed class CoreSignalingErrorTests
{
    private KvsEmulator _emulator = null!;
    private string _arn = null!;
    private CorePeer _master = null!;
    private CorePeer _viewer = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _emulator = await KvsEmulator.StartAsync(new KvsEmulatorOptions { MaxMessagePayloadLength = 100, MaxFrameSize = 4096 });
        _arn = _emulator.CreateSignalingChannel("errors");
        _master = await CorePeer.ConnectAsync(CoreTestSupport.Presign(_emulator, _arn, KvsEmulatorRole.Master));
        _viewer = await CorePeer.ConnectAsync(CoreTestSupport.Presign(_emulator, _arn, KvsEmulatorRole.Viewer, "viewer-1"));
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        await _master.DisposeAsync();
        await _viewer.DisposeAsync();
        await _emulator.DisposeAsync();
    }

    [Test]
    public async Task HandleClientFrame_UnknownActionWithCorrelationId_SendsStatusResponseWithStringStatusCode()
    {
        await _viewer.SendAsync(CoreTestSupport.Frame("GO_AWAY", CoreTestSupport.Base64("{}"), correlationId: "corr-1"));

        var frame = await _viewer.ReceiveJsonAsync();
        var status = frame.GetProperty("statusResponse");
        Assert.Multiple(() =>
        {
            Assert.That(frame.GetProperty("messageType").GetString(), Is.EqualTo("STATUS_RESPONSE"));
            Assert.That(frame.TryGetProperty("senderClientId", out _), Is.False);
            Assert.That(status.GetProperty("correlationId").GetString(), Is.EqualTo("corr-1"));
            Assert.That(status.GetProperty("statusCode").ValueKind, Is.EqualTo(JsonValueKind.String));
            Assert.That(status.GetProperty("statusCode").GetString(), Is.EqualTo("400"));
            Assert.That(status.GetProperty("errorType").GetString(), Is.EqualTo("InvalidArgumentException"));
            Assert.That(status.GetProperty("description").GetString(), Is.Not.Empty);
            Assert.That(status.GetProperty("success").GetBoolean(), Is.False);
        });
    }

    [Test]
    public async Task HandleClientFrame_MasterWithoutRecipient_SendsStatusResponse400()
    {
        await _master.SendAsync(CoreTestSupport.Frame("SDP_ANSWER", CoreTestSupport.Base64("{}"), correlationId: "m-1"));

        Assert.That(await ReceiveStatusCodeAsync(_master, "m-1"), Is.EqualTo("400"));
    }

    [Test]
    public async Task HandleClientFrame_PayloadLongerThanLimit_SendsStatusResponse400()
    {
        var longPayload = CoreTestSupport.Base64(new string('x', 200));

        await _viewer.SendAsync(CoreTestSupport.Frame("SDP_OFFER", longPayload, correlationId: "big"));

        Assert.That(await ReceiveStatusCodeAsync(_viewer, "big"), Is.EqualTo("400"));
    }

    [Test]
    public async Task HandleClientFrame_PayloadNotBase64_SendsStatusResponse400()
    {
        await _viewer.SendAsync(CoreTestSupport.Frame("ICE_CANDIDATE", "not*base64!", correlationId: "b64"));

        Assert.That(await ReceiveStatusCodeAsync(_viewer, "b64"), Is.EqualTo("400"));
    }

    [Test]
    public async Task HandleClientFrame_MissingPayloadWithCorrelationId_SendsStatusResponse400()
    {
        await _viewer.SendAsync("{\"action\":\"SDP_OFFER\",\"correlationId\":\"nopayload\"}");

        Assert.That(await ReceiveStatusCodeAsync(_viewer, "nopayload"), Is.EqualTo("400"));
    }

    [Test]
    public async Task HandleClientFrame_ViewerToConnectedViewer_SendsStatusResponseAndMasterGetsNothing()
    {
        await using var other = await CorePeer.ConnectAsync(CoreTestSupport.Presign(_emulator, _arn, KvsEmulatorRole.Viewer, "viewer-2"));

        await _viewer.SendAsync(CoreTestSupport.Frame("SDP_OFFER", CoreTestSupport.Base64("{}"), recipient: "viewer-2", correlationId: "v2v"));

        Assert.That(await ReceiveStatusCodeAsync(_viewer, "v2v"), Is.EqualTo("400"));
        await _viewer.SendAsync(CoreTestSupport.Frame("ICE_CANDIDATE", CoreTestSupport.Base64("{\"probe\":1}")));
        Assert.That((await _master.ReceiveJsonAsync()).GetProperty("messageType").GetString(), Is.EqualTo("ICE_CANDIDATE"), "the refused offer never reached the master");
    }

    [Test]
    public async Task HandleClientFrame_ViewerNamingTheMastersId_IsRoutedToTheMaster()
    {
        await _viewer.SendAsync(CoreTestSupport.Frame("SDP_OFFER", CoreTestSupport.Base64("{}"), recipient: "ProducerMaster"));

        Assert.That((await _master.ReceiveJsonAsync()).GetProperty("senderClientId").GetString(), Is.EqualTo("viewer-1"));
    }

    [Test]
    public async Task HandleClientFrame_RefusedWithoutCorrelationId_SendsNoStatusResponseButCountsIt()
    {
        var refused = CoreTestSupport.WaitForFrameAsync(_emulator, e => e.Outcome == FrameOutcome.Rejected);
        await _viewer.SendAsync(CoreTestSupport.Frame("NOT_AN_ACTION", CoreTestSupport.Base64("{}")));
        await refused;

        await _viewer.SendAsync(CoreTestSupport.Frame("NOT_AN_ACTION", CoreTestSupport.Base64("{}"), correlationId: "probe"));
        var first = await _viewer.ReceiveJsonAsync();

        var stats = _emulator.GetStatistics();
        Assert.Multiple(() =>
        {
            Assert.That(first.GetProperty("statusResponse").GetProperty("correlationId").GetString(), Is.EqualTo("probe"), "no status response for the first frame");
            Assert.That(stats.RejectionsWithoutCorrelationId, Is.EqualTo(1));
            Assert.That(stats.MessagesRejected, Is.EqualTo(2));
            Assert.That(stats.StatusResponsesSent, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task HandleClientFrame_SuccessfulSend_ProducesNoStatusResponse()
    {
        await _viewer.SendAsync(CoreTestSupport.Frame("SDP_OFFER", CoreTestSupport.Base64("{}"), correlationId: "ok-1"));
        await _master.ReceiveJsonAsync();
        await _viewer.SendAsync(CoreTestSupport.Frame("NOT_AN_ACTION", CoreTestSupport.Base64("{}"), correlationId: "probe"));

        var first = await _viewer.ReceiveJsonAsync();

        Assert.That(first.GetProperty("statusResponse").GetProperty("correlationId").GetString(), Is.EqualTo("probe"));
    }

    [TestCase("this is not json")]
    [TestCase("[1,2,3]")]
    [TestCase("{\"action\":")]
    [TestCase("{}")]
    public async Task HandleClientFrame_Garbage_IsCountedAndEveryoneKeepsBeingServed(string garbage)
    {
        var refused = CoreTestSupport.WaitForFrameAsync(_emulator, e => e.Outcome == FrameOutcome.Rejected);
        await _viewer.SendAsync(garbage);
        await refused;

        await _viewer.SendAsync(CoreTestSupport.Frame("SDP_OFFER", CoreTestSupport.Base64("{}")));

        Assert.That((await _master.ReceiveJsonAsync()).GetProperty("senderClientId").GetString(), Is.EqualTo("viewer-1"));
        Assert.That(_emulator.GetStatistics().MalformedFrames, Is.EqualTo(1));
    }

    [Test]
    public async Task ReceiveLoop_BinaryFrame_ClosesThatSocketWith1003AndOthersKeepWorking()
    {
        await using var bad = await CorePeer.ConnectAsync(CoreTestSupport.Presign(_emulator, _arn, KvsEmulatorRole.Viewer, "binary"));

        await bad.SendBinaryAsync([1, 2, 3]);

        Assert.That(await bad.ReceiveCloseAsync(), Is.EqualTo(WebSocketCloseStatus.InvalidMessageType));
        await _viewer.SendAsync(CoreTestSupport.Frame("SDP_OFFER", CoreTestSupport.Base64("{}")));
        Assert.That((await _master.ReceiveJsonAsync()).GetProperty("senderClientId").GetString(), Is.EqualTo("viewer-1"));
    }

    [Test]
    public async Task ReceiveLoop_MessageLargerThanMaxFrameSize_ClosesThatSocketWith1009AndOthersKeepWorking()
    {
        await using var bad = await CorePeer.ConnectAsync(CoreTestSupport.Presign(_emulator, _arn, KvsEmulatorRole.Viewer, "oversized"));

        await bad.SendAsync(CoreTestSupport.Frame("SDP_OFFER", new string('A', 8192)));

        Assert.That(await bad.ReceiveCloseAsync(), Is.EqualTo(WebSocketCloseStatus.MessageTooBig));
        Assert.That(_emulator.GetStatistics().ProtocolViolationCloses, Is.EqualTo(1));
        await _master.SendAsync(CoreTestSupport.Frame("SDP_ANSWER", CoreTestSupport.Base64("{}"), recipient: "viewer-1"));
        Assert.That((await _viewer.ReceiveJsonAsync()).GetProperty("messageType").GetString(), Is.EqualTo("SDP_ANSWER"));
    }

    [Test]
    public async Task ReceiveLoop_FragmentedTextMessage_IsReassembledAndRouted()
    {
        var payload = CoreTestSupport.Base64("{\"type\":\"offer\",\"sdp\":\"fragmented\"}");
        var bytes = System.Text.Encoding.UTF8.GetBytes(CoreTestSupport.Frame("SDP_OFFER", payload));
        var half = bytes.Length / 2;

        await _viewer.Socket.SendAsync(bytes.AsMemory(0, half), WebSocketMessageType.Text, false, CancellationToken.None);
        await _viewer.Socket.SendAsync(bytes.AsMemory(half), WebSocketMessageType.Text, true, CancellationToken.None);

        Assert.That((await _master.ReceiveJsonAsync()).GetProperty("messagePayload").GetString(), Is.EqualTo(payload));
    }

    private static async Task<string?> ReceiveStatusCodeAsync(CorePeer peer, string correlationId)
    {
        var frame = await peer.ReceiveJsonAsync();
        Assert.That(frame.GetProperty("messageType").GetString(), Is.EqualTo("STATUS_RESPONSE"));
        var status = frame.GetProperty("statusResponse");
        Assert.That(status.GetProperty("correlationId").GetString(), Is.EqualTo(correlationId));
        return status.GetProperty("statusCode").GetString();
    }
}
