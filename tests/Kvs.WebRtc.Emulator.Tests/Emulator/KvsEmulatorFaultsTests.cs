using System.Net;
using System.Net.WebSockets;
using System.Text;
using Kvs.WebRtc.Signaling.Auth;
using Kvs.WebRtc.Signaling.ControlPlane;
using Kvs.WebRtc.Signaling.ControlPlane.Model;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.Emulator.Tests.Emulator;

/// <summary>Fault injection through <see cref="KvsEmulator.Faults"/>, observed with raw WebSocket clients.</summary>
[TestFixture]
public sealed class KvsEmulatorFaultsTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);
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
    public async Task DropConnections_SelectedMaster_AbortsOnlyThatSocket()
    {
        using var master = await ConnectAsync(KvsEmulatorRole.Master);
        using var viewer = await ConnectAsync(KvsEmulatorRole.Viewer, "viewer-1");

        var dropped = _emulator.Faults.DropConnections(c => c.Role == KvsEmulatorRole.Master);
        string outcome;
        try
        {
            outcome = await ReceiveAsync(master);
        }
        catch (WebSocketException)
        {
            outcome = "ABORTED";
        }

        await WaitUntilAsync(() => _emulator.GetConnections().Count == 1);

        Assert.Multiple(() =>
        {
            Assert.That(dropped, Is.EqualTo(1));
            Assert.That(outcome, Is.EqualTo("ABORTED").Or.EqualTo("CLOSE"));
            Assert.That(_emulator.GetConnections().Single().Role, Is.EqualTo(KvsEmulatorRole.Viewer));
            Assert.That(viewer.State, Is.EqualTo(WebSocketState.Open));
        });
    }

    [Test]
    public async Task SendReconnectIceServer_AllConnections_EachReceivesTheFrame()
    {
        using var master = await ConnectAsync(KvsEmulatorRole.Master);
        using var viewer = await ConnectAsync(KvsEmulatorRole.Viewer, "viewer-1");

        var sent = _emulator.Faults.SendReconnectIceServer();

        Assert.Multiple(async () =>
        {
            Assert.That(sent, Is.EqualTo(2));
            Assert.That(await ReceiveAsync(master), Does.Contain("\"messageType\":\"RECONNECT_ICE_SERVER\""));
            Assert.That(await ReceiveAsync(viewer), Does.Contain("\"messageType\":\"RECONNECT_ICE_SERVER\""));
        });
    }

    [Test]
    public async Task SendGoAway_WithCloseAfter_ClosesWith1001WhenGraceElapses()
    {
        using var master = await ConnectAsync(KvsEmulatorRole.Master);

        _emulator.Faults.SendGoAway(closeAfter: TimeSpan.FromMinutes(1));
        var goAway = await ReceiveAsync(master);
        _clock.Advance(TimeSpan.FromMinutes(1));
        var closed = await ReceiveAsync(master);

        Assert.Multiple(() =>
        {
            Assert.That(goAway, Does.Contain("GO_AWAY"));
            Assert.That(closed, Is.EqualTo("CLOSE"));
            Assert.That(master.CloseStatus, Is.EqualTo(WebSocketCloseStatus.EndpointUnavailable));
        });
    }

    [Test]
    public async Task RejectNextConnects_One503_FirstUpgradeRefusedSecondAccepted()
    {
        _emulator.Faults.RejectNextConnects(1, HttpStatusCode.ServiceUnavailable);

        var first = await GetUpgradeStatusAsync(KvsEmulatorRole.Master);
        var second = await GetUpgradeStatusAsync(KvsEmulatorRole.Master);

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(503));
            Assert.That(second, Is.EqualTo(101));
        });
    }

    [Test]
    public async Task FailNextRequests_OneThrottle_FirstCallFailsWithClientLimitExceededSecondSucceeds()
    {
        using var client = new KinesisVideoClient(new KinesisVideoClientOptions
        {
            Region = _emulator.Region,
            Credentials = new StaticCredentialsProvider(_emulator.Credentials),
            ServiceUrl = _emulator.ServiceUrl,
            TimeProvider = _clock,
            MaxErrorRetries = 0,
        });
        _emulator.Faults.FailNextRequests(1);

        Assert.ThrowsAsync<ClientLimitExceededException>(() => client.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest { ChannelARN = _arn }));
        var second = await client.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest { ChannelARN = _arn });

        Assert.That(second.ChannelInfo!.ChannelARN, Is.EqualTo(_arn));
    }

    [Test]
    public async Task DropNextMessages_One_FirstRoutedMessageDroppedAndCountedSecondDelivered()
    {
        using var master = await ConnectAsync(KvsEmulatorRole.Master);
        using var viewer = await ConnectAsync(KvsEmulatorRole.Viewer, "viewer-1");
        _emulator.Faults.DropNextMessages(1);

        await SendAsync(viewer, "{\"action\":\"SDP_OFFER\",\"messagePayload\":\"Zmlyc3Q=\"}");
        await SendAsync(viewer, "{\"action\":\"ICE_CANDIDATE\",\"messagePayload\":\"c2Vjb25k\"}");
        var received = await ReceiveAsync(master);

        Assert.Multiple(() =>
        {
            Assert.That(received, Does.Contain("c2Vjb25k"));
            Assert.That(_emulator.GetStatistics().MessagesDroppedByFault, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task MessageDeliveryDelay_FiveSeconds_DeliversOnlyAfterTheEmulatorClockAdvances()
    {
        using var master = await ConnectAsync(KvsEmulatorRole.Master);
        using var viewer = await ConnectAsync(KvsEmulatorRole.Viewer, "viewer-1");
        _emulator.Faults.MessageDeliveryDelay = TimeSpan.FromSeconds(5);

        await SendAsync(viewer, "{\"action\":\"SDP_OFFER\",\"messagePayload\":\"ZGVsYXllZA==\"}");
        var receive = ReceiveAsync(master);
        await WaitUntilAsync(() => _emulator.GetStatistics().FramesReceived >= 1);
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
            Assert.That(await receive, Does.Contain("ZGVsYXllZA=="));
        });
    }

    [Test]
    public async Task MaxConnectionDuration_Shortened_ClosesOlderConnectionsWith1001()
    {
        using var master = await ConnectAsync(KvsEmulatorRole.Master);

        _emulator.Faults.MaxConnectionDuration = TimeSpan.FromMinutes(1);
        _clock.Advance(TimeSpan.FromMinutes(1));
        var received = await ReceiveAsync(master);

        Assert.Multiple(() =>
        {
            Assert.That(received, Is.EqualTo("CLOSE"));
            Assert.That(master.CloseStatus, Is.EqualTo(WebSocketCloseStatus.EndpointUnavailable));
        });
    }

    [Test]
    public void Faults_InvalidArguments_Throw()
    {
        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => _emulator.Faults.DropNextMessages(-1));
            Assert.Throws<ArgumentOutOfRangeException>(() => _emulator.Faults.RejectNextConnects(1, HttpStatusCode.OK));
            Assert.Throws<ArgumentOutOfRangeException>(() => _emulator.Faults.FailNextRequests(-1));
            Assert.Throws<ArgumentOutOfRangeException>(() => _emulator.Faults.MessageDeliveryDelay = TimeSpan.FromSeconds(-1));
            Assert.Throws<ArgumentOutOfRangeException>(() => _emulator.Faults.MaxConnectionDuration = TimeSpan.Zero);
        });
    }

    private Uri Presign(KvsEmulatorRole role, string? clientId)
    {
        var query = new List<KeyValuePair<string, string>> { new("X-Amz-ChannelARN", _arn) };
        if (clientId is not null)
        {
            query.Add(new("X-Amz-ClientId", clientId));
        }

        // Distinct signing times give distinct signatures, so reconnects are not refused as replays.
        var signingTime = _clock.GetUtcNow().AddSeconds(-Interlocked.Increment(ref _signatures));
        var endpoint = _emulator.GetSignalingEndpoint(_arn, role).AbsoluteUri;
        return new Uri(new SigV4Signer(_clock).PresignUrl(endpoint, query, _emulator.Credentials, _emulator.Region, signingTime: signingTime));
    }

    private async Task<ClientWebSocket> ConnectAsync(KvsEmulatorRole role, string? clientId = null)
    {
        var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(s_timeout);
        await socket.ConnectAsync(Presign(role, clientId), timeout.Token);
        return socket;
    }

    private async Task<int> GetUpgradeStatusAsync(KvsEmulatorRole role)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        using var timeout = new CancellationTokenSource(s_timeout);
        try
        {
            await socket.ConnectAsync(Presign(role, null), timeout.Token);
            return 101;
        }
        catch (WebSocketException)
        {
            return (int)socket.HttpStatusCode;
        }
    }

    private static Task SendAsync(ClientWebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    /// <summary>The next text message, or "CLOSE" when the server closed the socket.</summary>
    private static async Task<string> ReceiveAsync(ClientWebSocket socket)
    {
        var buffer = new byte[70_000];
        using var timeout = new CancellationTokenSource(s_timeout);
        var result = await socket.ReceiveAsync(buffer, timeout.Token);
        return result.MessageType == WebSocketMessageType.Close ? "CLOSE" : Encoding.UTF8.GetString(buffer, 0, result.Count);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
