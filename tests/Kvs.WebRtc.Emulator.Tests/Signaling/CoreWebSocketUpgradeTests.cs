using System.Net;
using System.Net.WebSockets;
using Kvs.WebRtc.Emulator.Signaling;
using Kvs.WebRtc.Signaling.Auth;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace Kvs.WebRtc.Emulator.Tests.Signaling;

/// <summary>ConnectAsMaster / ConnectAsViewer validation by <see cref="WebSocketUpgradeHandler"/> (spec 5.1, 7.4).</summary>
[TestFixture]
public sealed class CoreWebSocketUpgradeTests
{
    private KvsEmulator _emulator = null!;
    private string _arn = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _emulator = await KvsEmulator.StartAsync(new KvsEmulatorOptions { MaxViewersPerChannel = 10 });
        _arn = _emulator.CreateSignalingChannel("upgrades");
    }

    [TearDown]
    public async Task TearDownAsync() => await _emulator.DisposeAsync();

    [Test]
    public async Task ConnectAsMaster_PresignedBySigV4Signer_IsAcceptedAndListed()
    {
        await using var master = await CorePeer.ConnectAsync(CoreTestSupport.Presign(_emulator, _arn, KvsEmulatorRole.Master));

        var connection = _emulator.GetConnections().Single();
        Assert.Multiple(() =>
        {
            Assert.That(master.Socket.State, Is.EqualTo(WebSocketState.Open));
            Assert.That(connection.Role, Is.EqualTo(KvsEmulatorRole.Master));
            Assert.That(connection.ClientId, Is.Null);
            Assert.That(connection.ChannelArn, Is.EqualTo(_arn));
            Assert.That(connection.IsCurrent, Is.True);
        });
    }

    [Test]
    public async Task ConnectAsViewer_PresignedWithClientId_IsAcceptedWithThatIdentity()
    {
        await using var viewer = await CorePeer.ConnectAsync(CoreTestSupport.Presign(_emulator, _arn, KvsEmulatorRole.Viewer, "viewer.A_1-x"));

        Assert.That(_emulator.GetConnections().Single().ClientId, Is.EqualTo("viewer.A_1-x"));
    }

    [Test]
    public async Task ConnectAsMaster_WithoutChannelArn_Returns400()
    {
        var url = CoreTestSupport.Presign(_emulator, _arn, KvsEmulatorRole.Master, includeArn: false);

        Assert.That(await CorePeer.GetUpgradeStatusAsync(url), Is.EqualTo(400));
    }

    [Test]
    public async Task ConnectAsMaster_UnknownChannelArn_Returns404()
    {
        var endpoint = _emulator.GetSignalingEndpoint(_arn, KvsEmulatorRole.Master).AbsoluteUri;
        var unknownArn = $"arn:aws:kinesisvideo:{_emulator.Region}:{_emulator.AccountId}:channel/nope/1700000000000";
        var url = new SigV4Signer().PresignUrl(endpoint, [new("X-Amz-ChannelARN", unknownArn)], _emulator.Credentials, _emulator.Region);

        Assert.That(await CorePeer.GetUpgradeStatusAsync(new Uri(url)), Is.EqualTo(404));
    }

    [Test]
    public async Task ConnectAsMaster_EndpointOfAnotherChannel_Returns400()
    {
        var otherArn = _emulator.CreateSignalingChannel("other");
        var endpoint = _emulator.GetSignalingEndpoint(otherArn, KvsEmulatorRole.Master).AbsoluteUri;
        var url = new SigV4Signer().PresignUrl(endpoint, [new("X-Amz-ChannelARN", _arn)], _emulator.Credentials, _emulator.Region);

        Assert.That(await CorePeer.GetUpgradeStatusAsync(new Uri(url)), Is.EqualTo(400));
    }

    [Test]
    public async Task ConnectAsMaster_WithClientId_Returns400()
    {
        var url = CoreTestSupport.Presign(_emulator, _arn, KvsEmulatorRole.Master, clientId: "not-allowed");

        Assert.That(await CorePeer.GetUpgradeStatusAsync(url), Is.EqualTo(400));
    }

    [TestCase(null)]
    [TestCase("AWS_viewer")]
    [TestCase("aws_viewer")]
    [TestCase("bad id")]
    [TestCase("bad/id")]
    public async Task ConnectAsViewer_MissingOrInvalidClientId_Returns400(string? clientId)
    {
        var url = CoreTestSupport.Presign(_emulator, _arn, KvsEmulatorRole.Viewer, clientId);

        Assert.That(await CorePeer.GetUpgradeStatusAsync(url), Is.EqualTo(400));
    }

    [Test]
    public async Task ConnectAsViewer_ClientIdOf257Characters_Returns400()
    {
        var url = CoreTestSupport.Presign(_emulator, _arn, KvsEmulatorRole.Viewer, new string('a', 257));

        Assert.That(await CorePeer.GetUpgradeStatusAsync(url), Is.EqualTo(400));
    }

    [Test]
    public async Task ConnectAsViewer_EleventhViewer_Returns400ButKnownViewerMayReconnect()
    {
        var viewers = new List<CorePeer>();
        try
        {
            for (var i = 0; i < 10; i++)
            {
                viewers.Add(await CorePeer.ConnectAsync(CoreTestSupport.Presign(_emulator, _arn, KvsEmulatorRole.Viewer, $"viewer-{i}")));
            }

            var eleventh = await CorePeer.GetUpgradeStatusAsync(CoreTestSupport.Presign(_emulator, _arn, KvsEmulatorRole.Viewer, "viewer-10"));
            var reconnect = await CorePeer.GetUpgradeStatusAsync(
                CoreTestSupport.Presign(_emulator, _arn, KvsEmulatorRole.Viewer, "viewer-3", signingTime: DateTimeOffset.UtcNow.AddSeconds(-100)));

            Assert.Multiple(() =>
            {
                Assert.That(eleventh, Is.EqualTo(400));
                Assert.That(reconnect, Is.EqualTo(101));
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

    [Test]
    public async Task ConnectAsViewer_EleventhViewer_ErrorBodySaysViewerLimitReached()
    {
        var viewers = new List<CorePeer>();
        try
        {
            for (var i = 0; i < 10; i++)
            {
                viewers.Add(await CorePeer.ConnectAsync(CoreTestSupport.Presign(_emulator, _arn, KvsEmulatorRole.Viewer, $"viewer-{i}")));
            }

            // The same request as an upgrade, read with a plain HTTP client so that the error body is visible.
            var url = new UriBuilder(CoreTestSupport.Presign(_emulator, _arn, KvsEmulatorRole.Viewer, "viewer-10")) { Scheme = Uri.UriSchemeHttp }.Uri;
            using var http = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Connection.Add("Upgrade");
            request.Headers.Upgrade.Add(new System.Net.Http.Headers.ProductHeaderValue("websocket"));
            request.Headers.Add("Sec-WebSocket-Version", "13");
            request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(new byte[16]));
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();

            Assert.Multiple(() =>
            {
                Assert.That((int)response.StatusCode, Is.EqualTo(400));
                Assert.That(response.Headers.TryGetValues("x-amzn-ErrorType", out var type) ? type.Single() : null, Does.StartWith("ClientLimitExceededException"));
                Assert.That(body, Does.Contain("Viewer limit reached").IgnoreCase);
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

    [Test]
    public async Task ConnectAsMaster_SignatureForAnotherSecret_Returns403AndIsCounted()
    {
        var wrong = new AwsCredentialsSnapshot(_emulator.Credentials.AccessKeyId, "not-the-secret");
        var url = CoreTestSupport.Presign(_emulator, _arn, KvsEmulatorRole.Master, credentials: wrong);

        Assert.That(await CorePeer.GetUpgradeStatusAsync(url), Is.EqualTo(403));
        Assert.That(_emulator.GetStatistics().ConnectionsRejected, Is.EqualTo(1));
    }

    [Test]
    public async Task ConnectAsMaster_SignedTenMinutesInTheFuture_Returns403()
    {
        var url = CoreTestSupport.Presign(_emulator, _arn, KvsEmulatorRole.Master, signingTime: DateTimeOffset.UtcNow.AddMinutes(10));

        Assert.That(await CorePeer.GetUpgradeStatusAsync(url), Is.EqualTo(403));
    }

    [Test]
    public async Task ConnectAsMaster_ReplayedUrlWhileFirstIsOpen_Returns403()
    {
        var url = CoreTestSupport.Presign(_emulator, _arn, KvsEmulatorRole.Master);
        await using var first = await CorePeer.ConnectAsync(url);

        Assert.That(await CorePeer.GetUpgradeStatusAsync(url), Is.EqualTo(403));
    }

    [Test]
    public async Task ConnectAsMaster_ReplayCheckDisabled_SameUrlAcceptedTwice()
    {
        await using var emulator = await KvsEmulator.StartAsync(new KvsEmulatorOptions { RejectReplayedPresignedUrls = false });
        var arn = emulator.CreateSignalingChannel("replays");
        var url = CoreTestSupport.Presign(emulator, arn, KvsEmulatorRole.Master);
        await using var first = await CorePeer.ConnectAsync(url);

        Assert.That(await CorePeer.GetUpgradeStatusAsync(url), Is.EqualTo(101));
    }

    [Test]
    public async Task PlainGetOnSignalingPath_WithoutUpgrade_Returns400()
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(_emulator.GetSignalingEndpoint(_arn, KvsEmulatorRole.Master));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task DeleteSignalingChannel_WithConnectedMaster_ClosesSocketWith1001AndRefusesNewUpgradesWith404()
    {
        var url = CoreTestSupport.Presign(_emulator, _arn, KvsEmulatorRole.Master);
        await using var master = await CorePeer.ConnectAsync(url);
        using var client = CoreTestSupport.CreateClient(_emulator);

        await client.DeleteSignalingChannelAsync(new() { ChannelARN = _arn });

        Assert.That(await master.ReceiveCloseAsync(), Is.EqualTo(WebSocketCloseStatus.EndpointUnavailable));
        var endpoint = "ws://" + _emulator.ServiceUrl.Authority + "/m";
        var again = new SigV4Signer().PresignUrl(endpoint, [new("X-Amz-ChannelARN", _arn)], _emulator.Credentials, _emulator.Region);
        Assert.That(await CorePeer.GetUpgradeStatusAsync(new Uri(again)), Is.EqualTo(404));
    }

    [Test]
    public async Task ConnectAsMaster_UpgradeRequestLine_IsLoggedAtDebugWithSecretsRedacted()
    {
        var logs = new CoreCapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var credentials = new AwsCredentialsSnapshot("AKIDTOKENEXAMPLE0001", "secret-never-logged", "token+with/chars=");
        var options = new KvsEmulatorOptions { LoggerFactory = factory, DefaultCredentials = credentials };
        string url;
        await using (var emulator = await KvsEmulator.StartAsync(options))
        {
            var arn = emulator.CreateSignalingChannel("logged");
            url = CoreTestSupport.Presign(emulator, arn, KvsEmulatorRole.Viewer, "v1").AbsoluteUri;
            await using var viewer = await CorePeer.ConnectAsync(new Uri(url));
            await viewer.SendAsync("not json at all");
            await viewer.SendAsync(CoreTestSupport.Frame("SDP_OFFER", CoreTestSupport.Base64("{}")));
            await CoreTestSupport.WaitForFrameAsync(emulator, e => e.Outcome == FrameOutcome.Buffered);
        }

        var signature = url[(url.IndexOf("X-Amz-Signature=", StringComparison.Ordinal) + 16)..].Split('&')[0];
        var text = logs.AllText;
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("GET /v/"));
            Assert.That(text, Does.Contain("X-Amz-ChannelARN=arn%3Aaws%3Akinesisvideo"), "the raw (still encoded) target is logged");
            Assert.That(text, Does.Contain("X-Amz-Security-Token=***"));
            Assert.That(text, Does.Contain("X-Amz-Signature=***"));
            Assert.That(text, Does.Not.Contain(signature));
            Assert.That(text, Does.Not.Contain("secret-never-logged"));
            Assert.That(text, Does.Not.Contain("token%2Bwith"));
            Assert.That(text, Does.Not.Contain("token+with"));
        });
    }
}
