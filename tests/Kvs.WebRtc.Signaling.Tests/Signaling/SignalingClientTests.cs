using System.Net.WebSockets;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Text;
using Kvs.WebRtc.Emulator.Auth;
using Kvs.WebRtc.Emulator.Signaling;
using Kvs.WebRtc.Signaling.Auth;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.Signaling.Tests.Signaling;

[TestFixture]
[CancelAfter(60_000)]
public sealed class SignalingClientTests
{
    private const string ChannelArn = "arn:aws:kinesisvideo:us-west-2:123456789012:channel/demo-channel/1234567890123";
    private const string EncodedChannelArn = "arn%3Aaws%3Akinesisvideo%3Aus-west-2%3A123456789012%3Achannel%2Fdemo-channel%2F1234567890123";
    private const string ViewerId = "viewer-1";
    private static readonly TimeSpan s_timeout = TestSignalingServer.Timeout;

    private TestSignalingServer _server = null!;
    private ManualTimeProvider _signingClock = null!;
    private TestCredentialsProvider _credentials = null!;

    [SetUp]
    public async Task SetUp()
    {
        _server = await TestSignalingServer.StartAsync();
        _signingClock = new ManualTimeProvider(new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero));
        _credentials = new TestCredentialsProvider(_signingClock);
    }

    [TearDown]
    public async Task TearDown() => await _server.DisposeAsync();

    // ------------------------------------------------------------------ connect and URL signing

    [Test]
    public async Task ConnectAsMasterAsync_Default_SendsOnceEncodedSignedUrlWithoutClientId()
    {
        await using var client = await SignalingClient.ConnectAsMasterAsync(Options());
        var connection = await _server.NextConnectionAsync();

        Assert.Multiple(() =>
        {
            Assert.That(connection.RawTarget, Does.Contain("X-Amz-ChannelARN=" + EncodedChannelArn));
            Assert.That(connection.RawTarget, Does.Not.Contain("%25"), "nothing may be encoded twice");
            Assert.That(connection.RawTarget, Does.Contain("X-Amz-Security-Token=SessionToken1%2B%2F%3DNeverLogged"));
            Assert.That(connection.Query.ContainsKey("X-Amz-ClientId"), Is.False);
            Assert.That(connection.Query["X-Amz-ChannelARN"], Is.EqualTo(ChannelArn));
            Assert.That(Verify(connection).Succeeded, Is.True, Verify(connection).Message);
            Assert.That(client.State, Is.EqualTo(SignalingConnectionState.Connected));
            Assert.That(client.IsMaster, Is.True);
        });
    }

    [Test]
    public async Task ConnectAsViewerAsync_Default_SignsChannelArnAndClientId()
    {
        await using var client = await SignalingClient.ConnectAsViewerAsync(Options(), ViewerId);
        var connection = await _server.NextConnectionAsync();

        Assert.Multiple(() =>
        {
            Assert.That(connection.RawTarget, Does.Contain("X-Amz-ClientId=viewer-1"));
            Assert.That(connection.RawTarget, Does.Contain("X-Amz-ChannelARN=" + EncodedChannelArn));
            Assert.That(Verify(connection).Succeeded, Is.True, Verify(connection).Message);
            Assert.That(client.ClientId, Is.EqualTo(ViewerId));
        });
    }

    [TestCase("AWS_viewer")]
    [TestCase("aws_viewer")]
    [TestCase("bad id")]
    [TestCase("")]
    public void ConnectAsViewerAsync_InvalidClientId_ThrowsArgumentException(string clientId)
    {
        Assert.That(() => SignalingClient.ConnectAsViewerAsync(Options(), clientId), Throws.InstanceOf<ArgumentException>());
    }

    [Test]
    public void ConnectAsMasterAsync_InvalidOptions_ThrowsArgumentException()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => SignalingClient.ConnectAsMasterAsync(new SignalingClientOptions(Options()) { Endpoint = new Uri("https://example.invalid/") }), Throws.InstanceOf<ArgumentException>());
            Assert.That(() => SignalingClient.ConnectAsMasterAsync(new SignalingClientOptions(Options()) { Endpoint = new Uri("ws://127.0.0.1:1/?a=b") }), Throws.InstanceOf<ArgumentException>());
            Assert.That(() => SignalingClient.ConnectAsMasterAsync(new SignalingClientOptions(Options()) { SendTimeout = TimeSpan.Zero }), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => SignalingClient.ConnectAsMasterAsync(new SignalingClientOptions(Options()) { Reconnect = new SignalingReconnectPolicy { MaxAttempts = 0 } }), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => SignalingClient.ConnectAsMasterAsync(new SignalingClientOptions(Options()) { ChannelArn = "" }), Throws.InstanceOf<ArgumentException>());
        });
    }

    [TestCase(403, SignalingError.AccessDenied)]
    [TestCase(404, SignalingError.ResourceNotFound)]
    [TestCase(400, SignalingError.BadRequest)]
    [TestCase(500, SignalingError.ConnectFailed)]
    public void ConnectAsMasterAsync_UpgradeRefused_ThrowsTypedErrorWithoutSecrets(int status, SignalingError expected)
    {
        _server.RejectStatus = status;

        var ex = Assert.ThrowsAsync<SignalingException>(() => SignalingClient.ConnectAsMasterAsync(Options()));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Error, Is.EqualTo(expected));
            Assert.That((int?)ex.StatusCode, Is.EqualTo(status));
            AssertNoSecrets(ex.ToString());
        });
    }

    [TestCase("ClientLimitExceededException:http://internal.amazon.com/coral/com.amazonaws.kinesisvideo.v20191204/", SignalingError.ClientLimitExceeded)]
    [TestCase("ClientLimitExceededException", SignalingError.ClientLimitExceeded)]
    [TestCase("InvalidArgumentException", SignalingError.InvalidArgument)]
    [TestCase("SomethingElseException", SignalingError.BadRequest)]
    public void ConnectAsViewerAsync_Upgrade400WithErrorType_LimitExceededOnlyForClientLimitExceeded(string errorType, SignalingError expected)
    {
        _server.RejectStatus = 400;
        _server.RejectErrorType = errorType;

        var ex = Assert.ThrowsAsync<SignalingException>(() => SignalingClient.ConnectAsViewerAsync(Options(), ViewerId));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Error, Is.EqualTo(expected));
            Assert.That((int?)ex.StatusCode, Is.EqualTo(400));
            Assert.That(ex.IsRetryable, Is.EqualTo(expected == SignalingError.ClientLimitExceeded));
            Assert.That(ex.ErrorCode, Is.EqualTo(errorType.Split(':')[0]));
            Assert.That(ex.Message, Does.Contain(errorType.Split(':')[0]));
        });
    }

    [Test]
    public async Task ConnectAsMasterAsync_UpgradeNeverAnswered_ThrowsConnectTimeout()
    {
        _server.HoldUpgrades();

        var connect = SignalingClient.ConnectAsMasterAsync(new SignalingClientOptions(Options()) { ConnectTimeout = TimeSpan.FromMilliseconds(300) });
        await _server.NextAttemptAsync();
        var ex = Assert.ThrowsAsync<SignalingException>(() => connect);

        Assert.That(ex!.Error, Is.EqualTo(SignalingError.ConnectTimeout));
    }

    [Test]
    public async Task ConnectAsync_SubscribedBeforeConnecting_ReceivesMessagesDeliveredAtConnect()
    {
        _server.InitialFrames = [ServiceFrame("SDP_OFFER", null, SignalingPayloadCodec.EncodeSdp(SessionDescriptionPayload.Offer("v=0\r\nbuffered\r\n")))];
        await using var client = SignalingClient.CreateViewer(Options(), ViewerId);
        var offer = client.Offers.FirstAsync().ToTask();
        var early = client.SendIceCandidateAsync(new IceCandidatePayload("candidate:before-connect", "0", 0));

        await client.ConnectAsync();
        var connection = await _server.NextConnectionAsync();
        var offerMessage = await offer.WaitAsync(s_timeout);
        await early.WaitAsync(s_timeout);
        var earlyFrame = await connection.ReceiveAsync();

        Assert.Multiple(() =>
        {
            Assert.That(offerMessage.SessionDescription!.Sdp, Is.EqualTo("v=0\r\nbuffered\r\n"));
            Assert.That(earlyFrame, Does.Contain(SignalingPayloadCodec.EncodeIceCandidate(new IceCandidatePayload("candidate:before-connect", "0", 0))));
            Assert.That(() => client.ConnectAsync(), Throws.InvalidOperationException);
        });
    }

    // ------------------------------------------------------------------ receiving

    [Test]
    public async Task Messages_EveryMessageType_ArePublishedOnTheirTypedStreams()
    {
        await using var client = await SignalingClient.ConnectAsMasterAsync(Options());
        var connection = await _server.NextConnectionAsync();
        var offer = client.Offers.FirstAsync().ToTask();
        var answer = client.Answers.FirstAsync().ToTask();
        var candidate = client.IceCandidates.FirstAsync().ToTask();
        var status = client.StatusResponses.FirstAsync().ToTask();
        var reconnectIce = client.ReconnectIceServer.FirstAsync().ToTask();
        var all = client.Messages.Take(6).ToList().ToTask();

        await connection.SendAsync(ServiceFrame("SDP_OFFER", ViewerId, SignalingPayloadCodec.EncodeSdp(SessionDescriptionPayload.Offer("v=0\r\n"))));
        await connection.SendAsync(ServiceFrame("SDP_ANSWER", ViewerId, SignalingPayloadCodec.EncodeSdp(SessionDescriptionPayload.Answer("v=0\r\na=x\r\n"))));
        await connection.SendAsync(ServiceFrame("ICE_CANDIDATE", ViewerId, SignalingPayloadCodec.EncodeIceCandidate(new IceCandidatePayload("candidate:1 1 udp 1 192.0.2.1 9 typ host", "0", 0))));
        await connection.SendAsync(SignalingServiceCodec.EncodeFrame("STATUS_RESPONSE", null, null, new StatusResponse { CorrelationId = "unknown-1", StatusCode = "400", ErrorType = "InvalidArgumentException" }));
        await connection.SendAsync("{\"messageType\":\"RECONNECT_ICE_SERVER\"}");
        await connection.SendAsync("{\"messageType\":\"BRAND_NEW_TYPE\"}");

        var messages = await all.WaitAsync(s_timeout);
        var offerMessage = await offer.WaitAsync(s_timeout);
        var answerMessage = await answer.WaitAsync(s_timeout);
        var candidateMessage = await candidate.WaitAsync(s_timeout);
        var statusMessage = await status.WaitAsync(s_timeout);
        var reconnectIceMessage = await reconnectIce.WaitAsync(s_timeout);
        Assert.Multiple(() =>
        {
            Assert.That(offerMessage.SessionDescription, Is.EqualTo(SessionDescriptionPayload.Offer("v=0\r\n")));
            Assert.That(offerMessage.SenderClientId, Is.EqualTo(ViewerId));
            Assert.That(answerMessage.SessionDescription, Is.EqualTo(SessionDescriptionPayload.Answer("v=0\r\na=x\r\n")));
            Assert.That(candidateMessage.IceCandidate!.Candidate, Is.EqualTo("candidate:1 1 udp 1 192.0.2.1 9 typ host"));
            Assert.That(statusMessage.StatusResponse!.ErrorType, Is.EqualTo("InvalidArgumentException"));
            Assert.That(statusMessage.CorrelatedSend, Is.Null);
            Assert.That(reconnectIceMessage.Type, Is.EqualTo(SignalingMessageType.ReconnectIceServer));
            Assert.That(messages.Select(m => m.Type), Is.EqualTo(new[]
            {
                SignalingMessageType.SdpOffer, SignalingMessageType.SdpAnswer, SignalingMessageType.IceCandidate,
                SignalingMessageType.StatusResponse, SignalingMessageType.ReconnectIceServer, SignalingMessageType.Unknown,
            }));
            Assert.That(messages[5].WireMessageType, Is.EqualTo("BRAND_NEW_TYPE"));
        });
    }

    [Test]
    public async Task Messages_FragmentedTextFrame_IsReassembled()
    {
        await using var client = await SignalingClient.ConnectAsMasterAsync(Options());
        var connection = await _server.NextConnectionAsync();
        var offer = client.Offers.FirstAsync().ToTask();
        var bytes = Encoding.UTF8.GetBytes(ServiceFrame("SDP_OFFER", ViewerId, SignalingPayloadCodec.EncodeSdp(SessionDescriptionPayload.Offer(new string('a', 40_000)))));

        for (var i = 0; i < bytes.Length; i += 7000)
        {
            var chunk = bytes.AsSpan(i, Math.Min(7000, bytes.Length - i)).ToArray();
            await connection.SendRawAsync(chunk, WebSocketMessageType.Text, endOfMessage: i + 7000 >= bytes.Length);
        }

        Assert.That((await offer.WaitAsync(s_timeout)).SessionDescription!.Sdp, Has.Length.EqualTo(40_000));
    }

    [Test]
    public async Task Errors_UndecodableFrames_ArePublishedAndConnectionSurvives()
    {
        await using var client = await SignalingClient.ConnectAsMasterAsync(Options());
        var connection = await _server.NextConnectionAsync();
        var errors = client.Errors.Take(3).ToList().ToTask();
        var offer = client.Offers.FirstAsync().ToTask();

        await connection.SendAsync("not valid JSON");
        await connection.SendAsync("{\"message\": \"Endpoint request timed out\", \"connectionId\":\"Jzo5lcQFtjvCJcq=\"}");
        await connection.SendAsync("{\"messageType\":\"SDP_OFFER\",\"messagePayload\":\"%%%\"}");
        await connection.SendRawAsync([1, 2, 3], WebSocketMessageType.Binary, endOfMessage: true);
        await connection.SendAsync(ServiceFrame("SDP_OFFER", ViewerId, SignalingPayloadCodec.EncodeSdp(SessionDescriptionPayload.Offer("v=0\r\n"))));

        var received = await errors.WaitAsync(s_timeout);
        var offerMessage = await offer.WaitAsync(s_timeout);
        Assert.Multiple(() =>
        {
            Assert.That(received.Select(e => e.Error), Is.EqualTo(new[] { SignalingError.MalformedFrame, SignalingError.MalformedPayload, SignalingError.UnsupportedFrame }));
            Assert.That(offerMessage.SenderClientId, Is.EqualTo(ViewerId));
            Assert.That(client.State, Is.EqualTo(SignalingConnectionState.Connected));
        });
    }

    [Test]
    public async Task StatusResponses_MatchingCorrelationId_CarriesTheOriginalSend()
    {
        await using var client = await SignalingClient.ConnectAsMasterAsync(Options());
        var connection = await _server.NextConnectionAsync();
        var status = client.StatusResponses.FirstAsync().ToTask();

        await client.SendOfferAsync(SessionDescriptionPayload.Offer("v=0\r\n"), ViewerId, "corr-1");
        var frame = await connection.ReceiveAsync();
        await connection.SendAsync(SignalingServiceCodec.EncodeFrame("STATUS_RESPONSE", null, null, new StatusResponse
        {
            CorrelationId = "corr-1",
            ErrorType = "InvalidArgumentException",
            StatusCode = "400",
            Description = "bad recipient",
        }));

        var message = await status.WaitAsync(s_timeout);
        Assert.Multiple(() =>
        {
            Assert.That(frame, Does.Contain("\"correlationId\":\"corr-1\""));
            Assert.That(message.CorrelatedSend, Is.Not.Null);
            Assert.That(message.CorrelatedSend!.Action, Is.EqualTo(SignalingMessageType.SdpOffer));
            Assert.That(message.CorrelatedSend.RecipientClientId, Is.EqualTo(ViewerId));
            Assert.That(message.CorrelatedSend.CorrelationId, Is.EqualTo("corr-1"));
            Assert.That(message.StatusResponse!.IsSuccess, Is.False);
        });
    }

    [Test]
    public async Task Messages_ThrowingSubscriber_OthersStillReceiveAndConnectionSurvives()
    {
        var logs = new CapturingLoggerFactory();
        await using var client = await SignalingClient.ConnectAsMasterAsync(new SignalingClientOptions(Options()) { LoggerFactory = logs });
        var connection = await _server.NextConnectionAsync();
        var thrown = 0;
        using var throwing = client.Offers.Subscribe(_ =>
        {
            Interlocked.Increment(ref thrown);
            throw new InvalidOperationException("subscriber bug");
        });
        var two = client.Offers.Take(2).ToList().ToTask();

        await connection.SendAsync(ServiceFrame("SDP_OFFER", "a", SignalingPayloadCodec.EncodeSdp(SessionDescriptionPayload.Offer("1"))));
        await connection.SendAsync(ServiceFrame("SDP_OFFER", "b", SignalingPayloadCodec.EncodeSdp(SessionDescriptionPayload.Offer("2"))));
        var received = await two.WaitAsync(s_timeout);
        await client.SendAnswerAsync(SessionDescriptionPayload.Answer("v=0\r\n"), "a");
        var answerFrame = await connection.ReceiveAsync();

        Assert.Multiple(() =>
        {
            Assert.That(received.Select(m => m.SenderClientId), Is.EqualTo(new[] { "a", "b" }));
            Assert.That(Volatile.Read(ref thrown), Is.EqualTo(2), "the throwing subscriber stays subscribed");
            Assert.That(answerFrame, Does.Contain("SDP_ANSWER"));
            Assert.That(client.State, Is.EqualTo(SignalingConnectionState.Connected));
            Assert.That(logs.Entries.Count(e => e.EventId.Id == 1111), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Messages_SlowSubscriber_DoesNotBlockTheReceiveLoop()
    {
        await using var client = await SignalingClient.ConnectAsMasterAsync(new SignalingClientOptions(Options()) { Reconnect = FastReconnect() });
        var first = await _server.NextConnectionAsync();
        using var release = new ManualResetEventSlim();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var slow = client.Offers.Subscribe(_ =>
        {
            entered.TrySetResult();
            release.Wait(s_timeout);
        });
        var messages = client.Messages.Take(3).ToList().ToTask();

        await first.SendAsync(ServiceFrame("SDP_OFFER", ViewerId, SignalingPayloadCodec.EncodeSdp(SessionDescriptionPayload.Offer("1"))));
        await entered.Task.WaitAsync(s_timeout);
        await first.SendAsync(ServiceFrame("ICE_CANDIDATE", ViewerId, SignalingPayloadCodec.EncodeIceCandidate(new IceCandidatePayload("candidate:x", "0", 0))));
        await first.SendAsync("{\"messageType\":\"GO_AWAY\"}");

        // The subscriber is still blocked, yet the receive loop has read GO_AWAY and reconnected.
        var second = await _server.NextConnectionAsync();
        var blockedWhileReconnecting = !release.IsSet;
        release.Set();
        var received = await messages.WaitAsync(s_timeout);

        Assert.Multiple(() =>
        {
            Assert.That(blockedWhileReconnecting, Is.True);
            Assert.That(second, Is.Not.SameAs(first));
            Assert.That(received.Select(m => m.Type), Is.EqualTo(new[] { SignalingMessageType.SdpOffer, SignalingMessageType.IceCandidate, SignalingMessageType.GoAway }));
        });
    }

    // ------------------------------------------------------------------ sending

    [Test]
    public async Task SendOfferAsync_Master_WritesCanonicalFrame()
    {
        await using var client = await SignalingClient.ConnectAsMasterAsync(Options());
        var connection = await _server.NextConnectionAsync();

        await client.SendOfferAsync(SessionDescriptionPayload.Offer("offer= true\nvideo= true"), "TestClientId");

        Assert.That(await connection.ReceiveAsync(), Is.EqualTo(
            "{\"action\":\"SDP_OFFER\",\"messagePayload\":\"eyJzZHAiOiJvZmZlcj0gdHJ1ZVxudmlkZW89IHRydWUiLCJ0eXBlIjoib2ZmZXIifQ==\",\"recipientClientId\":\"TestClientId\"}"));
    }

    [Test]
    public async Task SendIceCandidateAsync_Viewer_WritesFrameWithoutRecipient()
    {
        await using var client = await SignalingClient.ConnectAsViewerAsync(Options(), ViewerId);
        var connection = await _server.NextConnectionAsync();

        await client.SendIceCandidateAsync(new IceCandidatePayload("upd 10.111.34.88", "1", 1));

        Assert.That(await connection.ReceiveAsync(), Is.EqualTo(
            "{\"action\":\"ICE_CANDIDATE\",\"messagePayload\":\"eyJjYW5kaWRhdGUiOiJ1cGQgMTAuMTExLjM0Ljg4Iiwic2RwTWlkIjoiMSIsInNkcE1MaW5lSW5kZXgiOjF9\"}"));
    }

    [Test]
    public async Task SendIceCandidateAsync_ManyWithoutAwaiting_ArriveInCallOrder()
    {
        await using var client = await SignalingClient.ConnectAsViewerAsync(Options(), ViewerId);
        var connection = await _server.NextConnectionAsync();

        var sends = Enumerable.Range(0, 300).Select(i => client.SendIceCandidateAsync(new IceCandidatePayload($"candidate:{i}", "0", 0))).ToArray();
        await Task.WhenAll(sends).WaitAsync(s_timeout);

        var expected = Enumerable.Range(0, 300).Select(i => SignalingPayloadCodec.EncodeIceCandidate(new IceCandidatePayload($"candidate:{i}", "0", 0)));
        var received = new List<string>();
        for (var i = 0; i < 300; i++)
        {
            var ok = SignalingServiceCodec.TryDecodeFrame(Encoding.UTF8.GetBytes(await connection.ReceiveAsync()), out var frame, out _);
            Assert.That(ok, Is.True);
            received.Add(frame.MessagePayload);
        }

        Assert.That(received, Is.EqualTo(expected));
    }

    [Test]
    public async Task SendAsync_InvalidArguments_ThrowArgumentException()
    {
        await using var master = await SignalingClient.ConnectAsMasterAsync(Options());
        await using var viewer = await SignalingClient.ConnectAsViewerAsync(Options(), ViewerId);
        var offer = SessionDescriptionPayload.Offer("v=0\r\n");

        Assert.Multiple(() =>
        {
            Assert.That(() => master.SendOfferAsync(offer), Throws.ArgumentException, "master without recipient");
            Assert.That(() => master.SendOfferAsync(offer, "bad id"), Throws.ArgumentException, "invalid recipient");
            Assert.That(() => viewer.SendOfferAsync(offer, "someone"), Throws.ArgumentException, "viewer with recipient");
            Assert.That(() => viewer.SendOfferAsync(offer, null, "bad correlation id"), Throws.ArgumentException);
            Assert.That(() => viewer.SendOfferAsync(offer, null, new string('a', 257)), Throws.ArgumentException);
            Assert.That(() => viewer.SendOfferAsync(SessionDescriptionPayload.Answer("v=0")), Throws.ArgumentException, "answer sent as offer");
            Assert.That(() => viewer.SendAnswerAsync(offer), Throws.ArgumentException, "offer sent as answer");
            Assert.That(() => viewer.SendIceCandidateAsync(new IceCandidatePayload("", "0", 0)), Throws.ArgumentException, "end-of-candidates");
            Assert.That(() => viewer.SendOfferAsync(null!), Throws.ArgumentNullException);
        });
    }

    [Test]
    public async Task SendOfferAsync_LargePayload_LogsWarning()
    {
        var logs = new CapturingLoggerFactory();
        await using var client = await SignalingClient.ConnectAsViewerAsync(new SignalingClientOptions(Options()) { LoggerFactory = logs }, ViewerId);
        var connection = await _server.NextConnectionAsync();

        await client.SendOfferAsync(SessionDescriptionPayload.Offer(new string('a', 8000)));
        await client.SendOfferAsync(SessionDescriptionPayload.Offer(new string('a', 7000)));
        await connection.ReceiveAsync();

        Assert.That(logs.Entries.Count(e => e.EventId.Id == 1113), Is.EqualTo(1));
    }

    [Test]
    public async Task SendOfferAsync_AfterDispose_ThrowsDisposedSignalingException()
    {
        var client = await SignalingClient.ConnectAsViewerAsync(Options(), ViewerId);
        await client.DisposeAsync();

        var ex = Assert.ThrowsAsync<SignalingException>(() => client.SendOfferAsync(SessionDescriptionPayload.Offer("v=0\r\n")));

        Assert.That(ex!.Error, Is.EqualTo(SignalingError.Disposed));
    }

    [Test]
    public void CreateCorrelationId_Always_IsValidAndUnique()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => SignalingClient.CreateCorrelationId()).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(ids.All(id => SignalingIdentifiers.IsValidCorrelationId(id)), Is.True);
            Assert.That(ids.Distinct().Count(), Is.EqualTo(ids.Count));
        });
    }

    // ------------------------------------------------------------------ resilience

    [Test]
    public async Task Reconnect_WithinTheSameSecond_SignsADifferentUrlThatStillVerifies()
    {
        // Credentials that do not move the (frozen) signing clock: both attempts happen in the same second.
        var credentials = new StaticCredentialsProvider(new AwsCredentialsSnapshot(TestCredentialsProvider.AccessKeyId, TestCredentialsProvider.SecretAccessKey, null));
        await using var client = await SignalingClient.ConnectAsViewerAsync(new SignalingClientOptions(Options()) { Credentials = credentials, Reconnect = FastReconnect() }, ViewerId);
        var first = await _server.NextConnectionAsync();

        first.Abort();
        var second = await _server.NextConnectionAsync();

        Assert.Multiple(() =>
        {
            Assert.That(second.RawTarget, Is.Not.EqualTo(first.RawTarget), "a replayed URL is refused by the service");
            Assert.That(second.Query["X-Amz-Date"], Is.Not.EqualTo(first.Query["X-Amz-Date"]));
            Assert.That(Verify(first).Succeeded, Is.True, Verify(first).Message);
            Assert.That(Verify(second).Succeeded, Is.True, Verify(second).Message);
        });
    }

    [Test]
    public async Task Reconnect_AfterServerDrop_UsesFreshCredentialsAndNewSignature()
    {
        await using var client = await SignalingClient.ConnectAsViewerAsync(new SignalingClientOptions(Options()) { Reconnect = FastReconnect() }, ViewerId);
        var first = await _server.NextConnectionAsync();
        var states = client.States.Skip(1).Take(2).ToList().ToTask();

        first.Abort();
        var second = await _server.NextConnectionAsync();
        var transitions = await states.WaitAsync(s_timeout);

        Assert.Multiple(() =>
        {
            Assert.That(transitions, Is.EqualTo(new[] { SignalingConnectionState.Reconnecting, SignalingConnectionState.Connected }));
            Assert.That(second.Query["X-Amz-Date"], Is.Not.EqualTo(first.Query["X-Amz-Date"]));
            Assert.That(second.Query["X-Amz-Signature"], Is.Not.EqualTo(first.Query["X-Amz-Signature"]));
            Assert.That(second.Query["X-Amz-Security-Token"], Is.EqualTo(TestCredentialsProvider.TokenFor(2)));
            Assert.That(second.Query["X-Amz-ClientId"], Is.EqualTo(ViewerId));
            Assert.That(Verify(second).Succeeded, Is.True, Verify(second).Message);
            Assert.That(_credentials.Calls, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Reconnect_AfterServerClose_Reconnects()
    {
        await using var client = await SignalingClient.ConnectAsMasterAsync(new SignalingClientOptions(Options()) { Reconnect = FastReconnect() });
        var first = await _server.NextConnectionAsync();

        await first.CloseAsync();
        var second = await _server.NextConnectionAsync();

        Assert.That(second.Query["X-Amz-Signature"], Is.Not.EqualTo(first.Query["X-Amz-Signature"]));
    }

    [Test]
    public async Task Reconnect_AfterGoAway_ClosesNormallyAndReconnectsWithNewSignature()
    {
        await using var client = await SignalingClient.ConnectAsMasterAsync(new SignalingClientOptions(Options()) { Reconnect = FastReconnect() });
        var first = await _server.NextConnectionAsync();
        var goAway = client.GoAway.FirstAsync().ToTask();

        await first.SendAsync("{\"messageType\":\"GO_AWAY\"}");
        var second = await _server.NextConnectionAsync();
        var goAwayMessage = await goAway.WaitAsync(s_timeout);
        var closeStatus = await first.Closed.WaitAsync(s_timeout);

        Assert.Multiple(() =>
        {
            Assert.That(goAwayMessage.Type, Is.EqualTo(SignalingMessageType.GoAway));
            Assert.That(closeStatus, Is.EqualTo(WebSocketCloseStatus.NormalClosure));
            Assert.That(second.Query["X-Amz-Date"], Is.Not.EqualTo(first.Query["X-Amz-Date"]));
            Assert.That(second.Query["X-Amz-Signature"], Is.Not.EqualTo(first.Query["X-Amz-Signature"]));
            Assert.That(Verify(second).Succeeded, Is.True);
        });
    }

    [Test]
    public async Task Reconnect_AtMaxConnectionAge_ReplacesTheConnection()
    {
        var clock = new ManualTimeProvider();
        await using var client = await SignalingClient.ConnectAsMasterAsync(new SignalingClientOptions(Options()) { TimeProvider = clock, Reconnect = FastReconnect() });
        var first = await _server.NextConnectionAsync();

        clock.Advance(TimeSpan.FromMinutes(49));
        await client.SendOfferAsync(SessionDescriptionPayload.Offer("v=0\r\n"), ViewerId);
        var stillOnFirst = await first.ReceiveAsync();
        clock.Advance(TimeSpan.FromMinutes(1));
        var second = await _server.NextConnectionAsync();
        var closeStatus = await first.Closed.WaitAsync(s_timeout);

        Assert.Multiple(() =>
        {
            Assert.That(stillOnFirst, Does.Contain("SDP_OFFER"), "the first connection is still used before 50 minutes");
            Assert.That(closeStatus, Is.EqualTo(WebSocketCloseStatus.NormalClosure));
            Assert.That(second.Query["X-Amz-Signature"], Is.Not.EqualTo(first.Query["X-Amz-Signature"]));
        });
    }

    [Test]
    public async Task SendOfferAsync_WhileReconnecting_IsQueuedAndDeliveredAfterReconnect()
    {
        await using var client = await SignalingClient.ConnectAsViewerAsync(new SignalingClientOptions(Options()) { Reconnect = FastReconnect() }, ViewerId);
        var first = await _server.NextConnectionAsync();
        var reconnecting = client.States.FirstAsync(s => s == SignalingConnectionState.Reconnecting).ToTask();
        _server.HoldUpgrades();

        first.Abort();
        await reconnecting.WaitAsync(s_timeout);
        await _server.NextAttemptAsync(); // the first attempt's upgrade is being held
        var queued = Enumerable.Range(0, 3).Select(i => client.SendIceCandidateAsync(new IceCandidatePayload($"candidate:{i}", "0", 0))).ToArray();
        var pendingWhileDisconnected = queued.All(t => !t.IsCompleted);
        _server.ReleaseUpgrades();
        var second = await _server.NextConnectionAsync();
        await Task.WhenAll(queued).WaitAsync(s_timeout);

        var frames = new[] { await second.ReceiveAsync(), await second.ReceiveAsync(), await second.ReceiveAsync() };
        Assert.Multiple(() =>
        {
            Assert.That(pendingWhileDisconnected, Is.True);
            for (var i = 0; i < 3; i++)
            {
                Assert.That(frames[i], Does.Contain(SignalingPayloadCodec.EncodeIceCandidate(new IceCandidatePayload($"candidate:{i}", "0", 0))));
            }
        });
    }

    [Test]
    public async Task SendOfferAsync_CancelledWhileQueued_IsCancelledAndNeverSent()
    {
        await using var client = await SignalingClient.ConnectAsViewerAsync(new SignalingClientOptions(Options()) { Reconnect = FastReconnect() }, ViewerId);
        var first = await _server.NextConnectionAsync();
        var reconnecting = client.States.FirstAsync(s => s == SignalingConnectionState.Reconnecting).ToTask();
        _server.HoldUpgrades();

        first.Abort();
        await reconnecting.WaitAsync(s_timeout);
        using var cts = new CancellationTokenSource();
        var cancelled = client.SendIceCandidateAsync(new IceCandidatePayload("candidate:cancelled", "0", 0), cancellationToken: cts.Token);
        var kept = client.SendIceCandidateAsync(new IceCandidatePayload("candidate:kept", "0", 0));
        cts.Cancel();
        _server.ReleaseUpgrades();
        var second = await _server.NextConnectionAsync();
        await kept.WaitAsync(s_timeout);
        var firstFrame = await second.ReceiveAsync();

        Assert.Multiple(() =>
        {
            Assert.That(() => cancelled, Throws.InstanceOf<OperationCanceledException>());
            Assert.That(firstFrame, Does.Contain(SignalingPayloadCodec.EncodeIceCandidate(new IceCandidatePayload("candidate:kept", "0", 0))));
        });
    }

    [Test]
    public async Task SendOfferAsync_QueuedWhenReconnectGivesUp_FailsWithConnectionLost()
    {
        await using var client = await SignalingClient.ConnectAsViewerAsync(
            new SignalingClientOptions(Options()) { Reconnect = FastReconnect() with { MaxAttempts = 3 } }, ViewerId);
        var first = await _server.NextConnectionAsync();
        var reconnecting = client.States.FirstAsync(s => s == SignalingConnectionState.Reconnecting).ToTask();
        var failed = client.States.FirstAsync(s => s == SignalingConnectionState.Failed).ToTask();
        var attemptErrors = client.Errors.Where(e => e.Error == SignalingError.ReconnectAttemptFailed).Take(3).ToList().ToTask();
        _server.HoldUpgrades();
        _server.RejectStatus = 503;

        first.Abort();
        await reconnecting.WaitAsync(s_timeout);
        var queued = client.SendOfferAsync(SessionDescriptionPayload.Offer("v=0\r\n"));
        _server.ReleaseUpgrades();

        var ex = Assert.ThrowsAsync<SignalingException>(() => queued.WaitAsync(s_timeout));
        await failed.WaitAsync(s_timeout);
        var later = Assert.ThrowsAsync<SignalingException>(() => client.SendOfferAsync(SessionDescriptionPayload.Offer("v=0\r\n")));
        var attempts = await attemptErrors.WaitAsync(s_timeout);
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Error, Is.EqualTo(SignalingError.ConnectionLost));
            Assert.That(later!.Error, Is.EqualTo(SignalingError.ConnectionLost));
            Assert.That(attempts.Select(e => (int?)e.StatusCode), Is.All.EqualTo(503));
            Assert.That(client.State, Is.EqualTo(SignalingConnectionState.Failed));
        });
    }

    [Test]
    public async Task Reconnect_Disabled_FailsOnDrop()
    {
        await using var client = await SignalingClient.ConnectAsMasterAsync(new SignalingClientOptions(Options()) { Reconnect = SignalingReconnectPolicy.Disabled });
        var first = await _server.NextConnectionAsync();
        var failed = client.States.FirstAsync(s => s == SignalingConnectionState.Failed).ToTask();
        var lost = client.Errors.FirstAsync(e => e.Error == SignalingError.ConnectionLost).ToTask();

        first.Abort();

        await failed.WaitAsync(s_timeout);
        Assert.That((await lost.WaitAsync(s_timeout)).Error, Is.EqualTo(SignalingError.ConnectionLost));
    }

    [Test]
    public async Task DisposeAsync_Connected_ClosesNormallyAndCompletesObservables()
    {
        var client = await SignalingClient.ConnectAsMasterAsync(Options());
        var connection = await _server.NextConnectionAsync();
        var states = client.States.ToList().ToTask();
        var messagesCompleted = client.Messages.IsEmpty().ToTask();

        await client.DisposeAsync();
        await client.DisposeAsync(); // idempotent
        var closeStatus = await connection.Closed.WaitAsync(s_timeout);
        var allStates = await states.WaitAsync(s_timeout);
        var noMessages = await messagesCompleted.WaitAsync(s_timeout);

        Assert.Multiple(() =>
        {
            Assert.That(closeStatus, Is.EqualTo(WebSocketCloseStatus.NormalClosure));
            Assert.That(allStates, Is.EqualTo(new[] { SignalingConnectionState.Connected, SignalingConnectionState.Closing, SignalingConnectionState.Closed }));
            Assert.That(noMessages, Is.True);
            Assert.That(client.State, Is.EqualTo(SignalingConnectionState.Closed));
        });
    }

    [Test]
    public async Task DisposeAsync_WhileSendsAreQueued_FailsThemWithDisposed()
    {
        var client = await SignalingClient.ConnectAsViewerAsync(new SignalingClientOptions(Options()) { Reconnect = FastReconnect() }, ViewerId);
        var first = await _server.NextConnectionAsync();
        var reconnecting = client.States.FirstAsync(s => s == SignalingConnectionState.Reconnecting).ToTask();
        _server.HoldUpgrades();

        first.Abort();
        await reconnecting.WaitAsync(s_timeout);
        var queued = client.SendOfferAsync(SessionDescriptionPayload.Offer("v=0\r\n"));
        await client.DisposeAsync().AsTask().WaitAsync(s_timeout);

        var ex = Assert.ThrowsAsync<SignalingException>(() => queued.WaitAsync(s_timeout));
        Assert.That(ex!.Error, Is.EqualTo(SignalingError.Disposed));
    }

    [Test]
    public async Task Logs_ConnectRefusalAndReconnect_NeverContainSecrets()
    {
        var logs = new CapturingLoggerFactory();
        var options = new SignalingClientOptions(Options()) { LoggerFactory = logs, Reconnect = FastReconnect() with { MaxAttempts = 2 } };
        await using (var client = await SignalingClient.ConnectAsViewerAsync(options, ViewerId))
        {
            var first = await _server.NextConnectionAsync();
            var failed = client.States.FirstAsync(s => s == SignalingConnectionState.Failed).ToTask();
            _server.RejectStatus = 403;
            first.Abort();
            await failed.WaitAsync(s_timeout);
            AssertNoSecrets(first.Query["X-Amz-Signature"], logs.AllText);
        }

        Assert.Multiple(() =>
        {
            Assert.That(logs.Entries, Is.Not.Empty);
            AssertNoSecrets(logs.AllText);
            Assert.That(logs.AllText, Does.Not.Contain("X-Amz-Signature"));
            Assert.That(logs.AllText, Does.Not.Contain("X-Amz-Credential"));
        });
    }

    // ------------------------------------------------------------------ helpers

    private SignalingClientOptions Options() => new()
    {
        ChannelArn = ChannelArn,
        Endpoint = _server.Endpoint,
        Region = "us-west-2",
        Credentials = _credentials,
        Signer = new SigV4Signer(_signingClock),
        TimeProvider = TimeProvider.System,
        KeepAliveInterval = TimeSpan.Zero,
    };

    private static SignalingReconnectPolicy FastReconnect() => new()
    {
        BaseDelay = TimeSpan.FromMilliseconds(1),
        MaxDelay = TimeSpan.FromMilliseconds(5),
    };

    private static string ServiceFrame(string type, string? sender, string payload) =>
        SignalingServiceCodec.EncodeFrame(type, sender, payload, null);

    private SigV4VerificationResult Verify(ServerConnection connection) =>
        SigV4Verifier.VerifyPresigned("GET", connection.Host, connection.RawTarget,
            id => id == TestCredentialsProvider.AccessKeyId
                ? new AwsCredentialsSnapshot(id, TestCredentialsProvider.SecretAccessKey, connection.Query.GetValueOrDefault("X-Amz-Security-Token"))
                : null,
            _signingClock.GetUtcNow(), TimeSpan.FromMinutes(5));

    private static void AssertNoSecrets(string text) => AssertNoSecrets(null, text);

    private static void AssertNoSecrets(string? signature, string text)
    {
        Assert.That(text, Does.Not.Contain(TestCredentialsProvider.SecretAccessKey));
        Assert.That(text, Does.Not.Contain("NeverLogged"));
        Assert.That(text, Does.Not.Contain("SessionToken"));
        if (signature is not null)
        {
            Assert.That(text, Does.Not.Contain(signature));
        }
    }
}
