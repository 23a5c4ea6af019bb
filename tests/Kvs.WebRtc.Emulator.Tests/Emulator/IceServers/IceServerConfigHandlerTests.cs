using Kvs.WebRtc.Testing;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Kvs.WebRtc.Signaling;
using Kvs.WebRtc.Signaling.Auth;
using Kvs.WebRtc.Signaling.ControlPlane;
using Kvs.WebRtc.Signaling.ControlPlane.Model;
using NUnit.Framework;
using FixedIceServer = Kvs.WebRtc.Signaling.IceServers.IceServer;

namespace Kvs.WebRtc.Emulator.Tests.Emulator.IceServers;

/// <summary><c>POST /v1/get-ice-server-config</c> (spec 4.1) through the SDK's <see cref="KinesisVideoSignalingClient"/>.</summary>
[TestFixture]
public sealed class IceServerConfigHandlerTests
{
    private const string TurnSecret = "coturn-static-auth-secret";

    [Test]
    public async Task GetIceServerConfig_SharedSecretConfigured_MintsRestStyleCredentialsWithTtl()
    {
        var options = new KvsEmulatorOptions { TurnSharedSecret = TurnSecret, TurnCredentialHashAlgorithm = HashAlgorithmName.SHA256 };
        options.TurnUris.Add("turn:127.0.0.1:3478?transport=udp");
        options.TurnUris.Add("turn:127.0.0.1:3478?transport=tcp");
        await using var emulator = await KvsEmulator.StartAsync(options);
        var arn = emulator.CreateSignalingChannel("ice");
        using var client = CreateClient(emulator);
        var before = DateTimeOffset.UtcNow;

        var response = await client.GetIceServerConfigAsync(new GetIceServerConfigRequest { ChannelARN = arn, ClientId = "viewer-1", Service = "TURN" });

        var server = response.IceServerList!.Single();
        var parts = server.Username!.Split(':', 2);
        var expiry = DateTimeOffset.FromUnixTimeSeconds(long.Parse(parts[0], CultureInfo.InvariantCulture));
        var expectedPassword = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(TurnSecret), Encoding.UTF8.GetBytes(server.Username)));
        Assert.Multiple(() =>
        {
            Assert.That(server.Urls, Is.EqualTo(options.TurnUris));
            Assert.That(server.Ttl, Is.EqualTo(TimeSpan.FromSeconds(300)));
            Assert.That(Encoding.UTF8.GetString(Convert.FromBase64String(parts[1])), Is.EqualTo("v1:" + arn));
            Assert.That(expiry, Is.InRange(before.AddSeconds(299), DateTimeOffset.UtcNow.AddSeconds(301)));
            Assert.That(server.Credential, Is.EqualTo(expectedPassword));
        });
    }

    [Test]
    public async Task GetIceServerConfig_FixedServersConfigured_ReturnsThemInOrder()
    {
        var options = new KvsEmulatorOptions();
        options.IceServers.Add(new FixedIceServer(["stun:127.0.0.1:3478"]));
        options.IceServers.Add(new FixedIceServer(["turn:127.0.0.1:3478"], "user", "pass"));
        await using var emulator = await KvsEmulator.StartAsync(options);
        var arn = emulator.CreateSignalingChannel("fixed");
        using var client = CreateClient(emulator);

        var response = await client.GetIceServerConfigAsync(new GetIceServerConfigRequest { ChannelARN = arn });

        Assert.Multiple(() =>
        {
            Assert.That(response.IceServerList!.Select(s => s.Urls[0]), Is.EqualTo(new[] { "stun:127.0.0.1:3478", "turn:127.0.0.1:3478" }));
            Assert.That(response.IceServerList![1].Username, Is.EqualTo("user"));
            Assert.That(response.IceServerList![1].Credential, Is.EqualTo("pass"));
        });
    }

    [Test]
    public async Task GetIceServerConfig_UnknownChannel_ThrowsResourceNotFound()
    {
        await using var emulator = await KvsEmulator.StartAsync();
        using var client = CreateClient(emulator);

        SignalingAssert.ThrowsAsync(SignalingError.ResourceNotFound, "ResourceNotFoundException", () => client.GetIceServerConfigAsync(new GetIceServerConfigRequest
        {
            ChannelARN = "arn:aws:kinesisvideo:us-west-2:123456789012:channel/none/1712136149494",
        }));
    }

    [Test]
    public void StartAsync_MoreThanFiveIceServers_ThrowsArgumentException()
    {
        var options = new KvsEmulatorOptions();
        for (var i = 0; i < 6; i++)
        {
            options.IceServers.Add(new FixedIceServer([$"stun:127.0.0.1:{3478 + i}"]));
        }

        Assert.ThrowsAsync<ArgumentException>(() => KvsEmulator.StartAsync(options));
    }

    [Test]
    public void StartAsync_IceServerWithFiveUris_ThrowsArgumentExceptionNamingIceServers()
    {
        var options = new KvsEmulatorOptions();
        options.IceServers.Add(new FixedIceServer([.. Enumerable.Range(0, 5).Select(i => $"stun:127.0.0.1:{i + 1}")]));

        var error = Assert.ThrowsAsync<ArgumentException>(() => KvsEmulator.StartAsync(options));
        Assert.That(error!.ParamName, Is.EqualTo(nameof(KvsEmulatorOptions.IceServers)));
    }

    private static KinesisVideoSignalingClient CreateClient(KvsEmulator emulator) => new(new KinesisVideoClientOptions
    {
        Region = emulator.Region,
        Credentials = new StaticCredentialsProvider(emulator.Credentials),
        ServiceUrl = emulator.ServiceUrl,
        MaxErrorRetries = 0,
    });
}
