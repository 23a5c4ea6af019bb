using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Kvs.WebRtc.Signaling.ControlPlane.Model;
using Kvs.WebRtc.Testing;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using FixedIceServer = Kvs.WebRtc.Signaling.IceServers.IceServer;

namespace Kvs.WebRtc.Emulator.Tests;

/// <summary>The <see cref="KvsEmulator"/> host: addresses, common headers, convenience members and lifetime.</summary>
[TestFixture]
public sealed class CoreKvsEmulatorTests
{
    [Test]
    public async Task StartAsync_Defaults_ListensOnLoopbackEphemeralPortWithRandomLongTermCredentials()
    {
        await using var emulator = await KvsEmulator.StartAsync();

        Assert.Multiple(() =>
        {
            Assert.That(emulator.ServiceUrl.Scheme, Is.EqualTo("http"));
            Assert.That(emulator.ServiceUrl.Host, Is.EqualTo("127.0.0.1"));
            Assert.That(emulator.ServiceUrl.Port, Is.GreaterThan(0));
            Assert.That(emulator.ServiceUrlIPv6, Is.Null);
            Assert.That(emulator.Region, Is.EqualTo("us-west-2"));
            Assert.That(emulator.AccountId, Does.Match("^[0-9]{12}$"));
            Assert.That(emulator.Credentials.AccessKeyId, Does.Match("^AKIA[A-Z2-7]{16}$"));
            Assert.That(emulator.Credentials.SessionToken, Is.Null);
            Assert.That(emulator.Certificate, Is.Null);
        });
    }

    [Test]
    public async Task StartAsync_TwoEmulators_GetDifferentPortsAndCredentials()
    {
        await using var first = await KvsEmulator.StartAsync();
        await using var second = await KvsEmulator.StartAsync();

        Assert.That(second.ServiceUrl.Port, Is.Not.EqualTo(first.ServiceUrl.Port));
        Assert.That(second.Credentials.SecretAccessKey, Is.Not.EqualTo(first.Credentials.SecretAccessKey));
    }

    [Test]
    public async Task StartAsync_PortInUse_ThrowsIOException()
    {
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var port = ((IPEndPoint)blocker.LocalEndpoint).Port;

        Assert.That(async () => await KvsEmulator.StartAsync(new KvsEmulatorOptions { Port = port }), Throws.InstanceOf<IOException>());
    }

    [Test]
    public async Task StartAsync_ListenOnIPv6Loopback_ServesTheControlPlaneOnIPv6Too()
    {
        ExternalTool.RequireCondition(Socket.OSSupportsIPv6, "IPv6 loopback");

        await using var emulator = await KvsEmulator.StartAsync(new KvsEmulatorOptions { ListenOnIPv6Loopback = true });
        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri(emulator.ServiceUrlIPv6!, "listSignalingChannels"), new StringContent("{}"));

        Assert.Multiple(() =>
        {
            Assert.That(emulator.ServiceUrlIPv6!.Host, Is.EqualTo("[::1]"));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "reached the emulator, which wants a signature");
        });
    }

    [Test]
    public async Task Responses_SuccessErrorAndRefusedUpgrade_CarryDateFromTheEmulatorClockAndARequestId()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2024, 4, 3, 9, 22, 29, TimeSpan.Zero));
        await using var emulator = await KvsEmulator.StartAsync(new KvsEmulatorOptions { TimeProvider = clock });
        var arn = emulator.CreateSignalingChannel("headers");
        using var success = await CoreTestSupport.PostSignedAsync(emulator, "/listSignalingChannels", "{}", clock);
        using var error = await CoreTestSupport.PostSignedAsync(emulator, "/describeSignalingChannel", "{\"ChannelName\":\"missing\"}", clock);
        using var http = new HttpClient();
        using var upgrade = await http.GetAsync(emulator.GetSignalingEndpoint(arn, KvsEmulatorRole.Master));

        foreach (var response in new[] { success, error, upgrade })
        {
            Assert.Multiple(() =>
            {
                Assert.That(response.Headers.Date, Is.EqualTo(clock.GetUtcNow()), response.RequestMessage!.RequestUri!.AbsolutePath);
                Assert.That(response.Headers.GetValues("x-amzn-RequestId").Single(), Does.Match("^[0-9a-f-]{36}$"));
            });
        }
    }

    [Test]
    public async Task UnknownOperationOrMethod_Returns404UnknownOperation()
    {
        await using var emulator = await KvsEmulator.StartAsync();
        using var unknown = await CoreTestSupport.PostSignedAsync(emulator, "/v1/send-alexa-offer-to-master", "{}");
        using var http = new HttpClient();
        using var get = await http.GetAsync(emulator.ServiceUrl);

        Assert.Multiple(() =>
        {
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(unknown.Headers.GetValues("x-amzn-ErrorType").Single(), Does.StartWith("UnknownOperationException"));
            Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task ControlPlanePaths_WrongCase_AreUnknownOperations()
    {
        await using var emulator = await KvsEmulator.StartAsync();

        using var response = await CoreTestSupport.PostSignedAsync(emulator, "/tagResource", "{}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task MediaStorageConfiguration_EnableThenDescribe_ReportsStreamAndAddsWebRtcEndpoint()
    {
        await using var emulator = await KvsEmulator.StartAsync();
        var arn = emulator.CreateSignalingChannel("storage");
        const string streamArn = "arn:aws:kinesisvideo:us-west-2:123456789012:stream/cam/1712136149494";
        using var disabledEndpoints = await CoreTestSupport.PostSignedAsync(emulator, "/getSignalingChannelEndpoint",
            $"{{\"ChannelARN\":\"{arn}\",\"SingleMasterChannelEndpointConfiguration\":{{\"Protocols\":[\"WEBRTC\"],\"Role\":\"MASTER\"}}}}");

        using var update = await CoreTestSupport.PostSignedAsync(emulator, "/updateMediaStorageConfiguration",
            $"{{\"ChannelARN\":\"{arn}\",\"MediaStorageConfiguration\":{{\"Status\":\"ENABLED\",\"StreamARN\":\"{streamArn}\"}}}}");
        using var describe = await CoreTestSupport.PostSignedAsync(emulator, "/describeMediaStorageConfiguration", $"{{\"ChannelName\":\"storage\"}}");
        using var endpoints = await CoreTestSupport.PostSignedAsync(emulator, "/getSignalingChannelEndpoint",
            $"{{\"ChannelARN\":\"{arn}\",\"SingleMasterChannelEndpointConfiguration\":{{\"Protocols\":[\"WEBRTC\",\"WSS\"],\"Role\":\"MASTER\"}}}}");

        using var configuration = JsonDocument.Parse(await describe.Content.ReadAsStringAsync());
        using var list = JsonDocument.Parse(await endpoints.Content.ReadAsStringAsync());
        Assert.Multiple(() =>
        {
            Assert.That(disabledEndpoints.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(update.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(configuration.RootElement.GetProperty("MediaStorageConfiguration").GetProperty("Status").GetString(), Is.EqualTo("ENABLED"));
            Assert.That(configuration.RootElement.GetProperty("MediaStorageConfiguration").GetProperty("StreamARN").GetString(), Is.EqualTo(streamArn));
            Assert.That(list.RootElement.GetProperty("ResourceEndpointList").EnumerateArray().Select(e => e.GetProperty("Protocol").GetString()), Is.EqualTo(new[] { "WEBRTC", "WSS" }));
        });
    }

    [Test]
    public async Task GetSignalingChannelEndpoint_NoConfiguration_ReturnsWssAndHttpsForMaster()
    {
        await using var emulator = await KvsEmulator.StartAsync();
        var arn = emulator.CreateSignalingChannel("defaults");
        using var client = CoreTestSupport.CreateClient(emulator);

        var response = await client.GetSignalingChannelEndpointAsync(new GetSignalingChannelEndpointRequest { ChannelARN = arn });

        var endpoints = response.ResourceEndpointList!.ToDictionary(e => e.Protocol!.Value.Value, e => e.ResourceEndpoint);
        Assert.Multiple(() =>
        {
            Assert.That(endpoints["WSS"], Is.EqualTo(emulator.GetSignalingEndpoint(arn, KvsEmulatorRole.Master).AbsoluteUri));
            Assert.That(endpoints["HTTPS"], Is.EqualTo(emulator.ServiceUrl.AbsoluteUri.TrimEnd('/')));
        });
    }

    [Test]
    public async Task GetIceServerConfig_NothingConfigured_ReturnsAnEmptyList()
    {
        await using var emulator = await KvsEmulator.StartAsync();
        var arn = emulator.CreateSignalingChannel("no-ice");
        using var client = CoreTestSupport.CreateSignalingClient(emulator);

        var response = await client.GetIceServerConfigAsync(new GetIceServerConfigRequest { ChannelARN = arn });

        Assert.That(response.IceServerList, Is.Empty);
    }

    [Test]
    public async Task GetIceServerConfig_ServiceOtherThanTurn_ThrowsInvalidArgument()
    {
        await using var emulator = await KvsEmulator.StartAsync();
        var arn = emulator.CreateSignalingChannel("ice-args");

        using var response = await CoreTestSupport.PostSignedAsync(emulator, "/v1/get-ice-server-config", $"{{\"ChannelARN\":\"{arn}\",\"Service\":\"STUN\"}}");

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(response.Headers.GetValues("x-amzn-ErrorType").Single(), Does.StartWith("InvalidArgumentException:").And.Contain("2019-12-04"));
        });
    }

    [TestCase("")]
    [TestCase("bad name")]
    public async Task CreateSignalingChannel_InvalidName_ThrowsArgumentException(string name)
    {
        await using var emulator = await KvsEmulator.StartAsync();

        Assert.That(() => emulator.CreateSignalingChannel(name), Throws.InstanceOf<ArgumentException>());
    }

    [Test]
    public async Task CreateSignalingChannel_TakenNameOrBadTtl_ThrowsArgumentException()
    {
        await using var emulator = await KvsEmulator.StartAsync();
        emulator.CreateSignalingChannel("taken");

        Assert.Multiple(() =>
        {
            Assert.That(() => emulator.CreateSignalingChannel("taken"), Throws.ArgumentException);
            Assert.That(() => emulator.CreateSignalingChannel("ttl", messageTtlSeconds: 121), Throws.ArgumentException);
        });
    }

    [Test]
    public async Task GetSignalingEndpoint_UnknownArn_ThrowsArgumentException()
    {
        await using var emulator = await KvsEmulator.StartAsync();

        Assert.That(() => emulator.GetSignalingEndpoint("arn:aws:kinesisvideo:us-west-2:123456789012:channel/x/1", KvsEmulatorRole.Viewer), Throws.ArgumentException);
    }

    [Test]
    public async Task EndpointHostName_Custom_IsUsedInServiceUrlAndEndpoints()
    {
        await using var emulator = await KvsEmulator.StartAsync(new KvsEmulatorOptions { EndpointHostName = "localhost" });
        var arn = emulator.CreateSignalingChannel("named");

        Assert.Multiple(() =>
        {
            Assert.That(emulator.ServiceUrl.Host, Is.EqualTo("localhost"));
            Assert.That(emulator.GetSignalingEndpoint(arn, KvsEmulatorRole.Viewer).AbsoluteUri, Does.StartWith("ws://localhost:" + emulator.ServiceUrl.Port.ToString(CultureInfo.InvariantCulture) + "/v/"));
        });
    }

    [Test]
    public async Task DisposeAsync_CalledTwice_IsIdempotentAndStopsListening()
    {
        var emulator = await KvsEmulator.StartAsync();
        var url = emulator.ServiceUrl;

        await emulator.DisposeAsync();
        await emulator.DisposeAsync();

        using var http = new HttpClient();
        Assert.That(async () => await http.PostAsync(new Uri(url, "listSignalingChannels"), new StringContent("{}")), Throws.InstanceOf<HttpRequestException>());
    }

    [Test]
    public async Task Logs_IceConfigurationWithSecretsServedAndFailedRequests_NeverContainTurnSecretsOrPasswords()
    {
        var logs = new CoreCapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var options = new KvsEmulatorOptions { LoggerFactory = factory, TurnSharedSecret = "turn-shared-secret-value" };
        options.TurnUris.Add("turn:127.0.0.1:3478?transport=udp");
        options.IceServers.Add(new FixedIceServer(["turn:127.0.0.1:3479"], "user", "fixed-password-value"));
        string mintedPassword;
        string secret;
        await using (var emulator = await KvsEmulator.StartAsync(options))
        {
            secret = emulator.Credentials.SecretAccessKey;
            var arn = emulator.CreateSignalingChannel("secrets");
            using var client = CoreTestSupport.CreateSignalingClient(emulator);
            var response = await client.GetIceServerConfigAsync(new GetIceServerConfigRequest { ChannelARN = arn });
            mintedPassword = response.IceServerList![0].Credential!;
            using var bad = await CoreTestSupport.PostSignedAsync(emulator, "/v1/get-ice-server-config", "{\"ChannelARN\":\"nope\"}");
        }

        Assert.Multiple(() =>
        {
            Assert.That(logs.Lines, Is.Not.Empty);
            Assert.That(logs.AllText, Does.Not.Contain("turn-shared-secret-value"));
            Assert.That(logs.AllText, Does.Not.Contain("fixed-password-value"));
            Assert.That(logs.AllText, Does.Not.Contain(mintedPassword));
            Assert.That(logs.AllText, Does.Not.Contain(secret));
        });
    }

    [Test]
    public async Task Credentials_ToString_DoesNotRevealTheSecret()
    {
        await using var emulator = await KvsEmulator.StartAsync();

        Assert.That(emulator.Credentials.ToString(), Does.Not.Contain(emulator.Credentials.SecretAccessKey));
    }
}
