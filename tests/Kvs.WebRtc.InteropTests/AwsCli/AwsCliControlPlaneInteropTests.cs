using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Kvs.WebRtc.Emulator;
using Kvs.WebRtc.InteropTests.Support;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.AwsCli;

/// <summary>
/// The AWS CLI (Debian <c>awscli</c>, botocore's own signer and rest-json parser), pointed at the emulator with
/// <c>--endpoint-url</c>: a client nobody here wrote must accept our wire format, and the emulator must accept its
/// signatures (content-type;host;x-amz-date, port in the signed host, <c>{}</c> bodies, NextToken paging).
/// </summary>
[TestFixture]
[Category("Interop")]
[NonParallelizable]
public sealed class AwsCliControlPlaneInteropTests
{
    private static readonly Regex s_arn = new(@"^arn:aws:kinesisvideo:us-west-2:\d{12}:channel/[a-zA-Z0-9_.-]+/\d{13}$");
    private KvsEmulator _emulator = null!;

    [OneTimeSetUp]
    public async Task StartEmulator()
    {
        AwsCliRunner.Require();
        _emulator = await KvsEmulator.StartAsync(new KvsEmulatorOptions
        {
            TurnUris = { "turn:127.0.0.1:3478?transport=udp", "turns:127.0.0.1:5349?transport=tcp" },
            TurnSharedSecret = "interop-turn-secret",
        });
    }

    [OneTimeTearDown]
    public async Task StopEmulator() => await _emulator.DisposeAsync();

    private Task<JsonNode?> Cli(params string[] args) =>
        AwsCliRunner.RunAsync(_emulator, null, [.. args, "--endpoint-url", _emulator.ServiceUrl.ToString().TrimEnd('/')]);

    [Test]
    public async Task CreateThenDescribe_PrintsArnAndChannelInfo()
    {
        var created = await Cli("kinesisvideo", "create-signaling-channel", "--channel-name", "cli-describe",
            "--single-master-configuration", "MessageTtlSeconds=30", "--tags", "Key=env,Value=test");
        var arn = (string?)created!["ChannelARN"];
        Assert.That(arn, Does.Match(s_arn));

        var described = await Cli("kinesisvideo", "describe-signaling-channel", "--channel-name", "cli-describe");
        var info = described!["ChannelInfo"]!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)info["ChannelARN"], Is.EqualTo(arn));
            Assert.That((string?)info["ChannelName"], Is.EqualTo("cli-describe"));
            Assert.That((string?)info["ChannelStatus"], Is.EqualTo("ACTIVE"));
            Assert.That((string?)info["ChannelType"], Is.EqualTo("SINGLE_MASTER"));
            Assert.That((int?)info["SingleMasterConfiguration"]!["MessageTtlSeconds"], Is.EqualTo(30));
            Assert.That((string?)info["Version"], Does.Match("^[a-zA-Z0-9]{1,64}$"));
            Assert.That(info["CreationTime"], Is.Not.Null);
        });
    }

    [Test]
    public async Task GetSignalingChannelEndpoint_ReturnsWssAndHttpsOfTheEmulator()
    {
        var created = await Cli("kinesisvideo", "create-signaling-channel", "--channel-name", "cli-endpoint");
        var arn = (string)created!["ChannelARN"]!;
        var result = await Cli("kinesisvideo", "get-signaling-channel-endpoint", "--channel-arn", arn,
            "--single-master-channel-endpoint-configuration", "Protocols=WSS,HTTPS,Role=VIEWER");
        var endpoints = result!["ResourceEndpointList"]!.AsArray()
            .ToDictionary(e => (string)e!["Protocol"]!, e => (string)e!["ResourceEndpoint"]!);
        Assert.That(endpoints.Keys, Is.EquivalentTo(new[] { "WSS", "HTTPS" }));
        Assert.That(new Uri(endpoints["WSS"]).Scheme, Is.AnyOf("ws", "wss"));
        Assert.That(new Uri(endpoints["HTTPS"]).Port, Is.EqualTo(_emulator.ServiceUrl.Port));
    }

    [Test]
    public async Task ListSignalingChannels_FollowsNextTokenAcrossPages()
    {
        for (var i = 0; i < 5; i++)
        {
            await Cli("kinesisvideo", "create-signaling-channel", "--channel-name", $"cli-page-{i}");
        }

        var listed = await Cli("kinesisvideo", "list-signaling-channels", "--page-size", "2",
            "--channel-name-condition", "ComparisonOperator=BEGINS_WITH,ComparisonValue=cli-page-");
        var names = listed!["ChannelInfoList"]!.AsArray().Select(c => (string)c!["ChannelName"]!).ToList();
        Assert.That(names, Is.EquivalentTo(Enumerable.Range(0, 5).Select(i => $"cli-page-{i}")));
    }

    [Test]
    public async Task DeleteSignalingChannel_ThenDescribe_FailsWithResourceNotFound()
    {
        var created = await Cli("kinesisvideo", "create-signaling-channel", "--channel-name", "cli-delete");
        await Cli("kinesisvideo", "delete-signaling-channel", "--channel-arn", (string)created!["ChannelARN"]!);

        var (exit, _, stderr) = await AwsCliRunner.RunRawAsync(_emulator, null,
            "kinesisvideo", "describe-signaling-channel", "--channel-name", "cli-delete", "--endpoint-url", _emulator.ServiceUrl.ToString().TrimEnd('/'));
        Assert.That(exit, Is.Not.EqualTo(0));
        Assert.That(stderr, Does.Contain("ResourceNotFoundException"));
    }

    [Test]
    public async Task GetIceServerConfig_OnTheChannelHttpsEndpoint_PrintsIceServers()
    {
        var created = await Cli("kinesisvideo", "create-signaling-channel", "--channel-name", "cli-ice");
        var arn = (string)created!["ChannelARN"]!;
        var endpoint = await Cli("kinesisvideo", "get-signaling-channel-endpoint", "--channel-arn", arn,
            "--single-master-channel-endpoint-configuration", "Protocols=HTTPS,Role=MASTER");
        var https = (string)endpoint!["ResourceEndpointList"]![0]!["ResourceEndpoint"]!;

        var ice = await AwsCliRunner.RunAsync(_emulator, null, "kinesis-video-signaling", "get-ice-server-config",
            "--channel-arn", arn, "--client-id", "cli-viewer", "--service", "TURN", "--endpoint-url", https);
        var servers = ice!["IceServerList"]!.AsArray();
        Assert.That(servers, Is.Not.Empty);
        foreach (var server in servers)
        {
            Assert.That(server!["Uris"]!.AsArray(), Is.Not.Empty);
            Assert.That((string?)server["Username"], Is.Not.Empty);
            Assert.That((string?)server["Password"], Is.Not.Empty);
            Assert.That((int?)server["Ttl"], Is.GreaterThan(30));
        }
    }

    [Test]
    public async Task WrongSecretKey_IsRejectedWithSignatureError()
    {
        var (exit, _, stderr) = await AwsCliRunner.RunWithSecretAsync(_emulator, null, "not-the-secret",
            ["kinesisvideo", "list-signaling-channels", "--endpoint-url", _emulator.ServiceUrl.ToString().TrimEnd('/')]);
        Assert.That(exit, Is.Not.EqualTo(0));
        Assert.That(stderr, Does.Contain("403").Or.Contain("Signature").Or.Contain("AccessDenied"));
    }
}
