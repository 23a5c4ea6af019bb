using Kvs.WebRtc.Testing;
using System.Net;
using Kvs.WebRtc.Signaling.ControlPlane;
using Kvs.WebRtc.Signaling.ControlPlane.Model;
using NUnit.Framework;
using static Kvs.WebRtc.Signaling.Tests.ControlPlane.ControlPlaneTestSupport;

namespace Kvs.WebRtc.Signaling.Tests.ControlPlane;

[TestFixture]
public sealed class SignalingChannelResolverTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = Path.Combine(Path.GetTempPath(), "kvs-resolver-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task ResolveAsync_ExistingChannel_ReturnsArnRegionAndEndpoints()
    {
        var handler = ServiceHandler();
        using var client = new KinesisVideoClient(Options(handler));
        var resolver = new SignalingChannelResolver(client);

        var result = await resolver.ResolveAsync("demo-channel", ChannelRole.Viewer);

        Assert.Multiple(() =>
        {
            Assert.That(result.ChannelArn, Is.EqualTo(ChannelArn));
            Assert.That(result.Region, Is.EqualTo("us-west-2"));
            Assert.That(result.Role, Is.EqualTo(ChannelRole.Viewer));
            Assert.That(result.WssEndpoint, Is.EqualTo(new Uri("wss://m-1.kinesisvideo.us-west-2.amazonaws.com")));
            Assert.That(result.HttpsEndpoint, Is.EqualTo(new Uri("https://r-1.kinesisvideo.us-west-2.amazonaws.com")));
            Assert.That(handler.RequestList.Select(r => r.Path), Is.EqualTo(new[] { "/describeSignalingChannel", "/getSignalingChannelEndpoint" }));
            Assert.That(handler.RequestList[1].Body, Does.Contain("\"Role\":\"VIEWER\""));
        });
    }

    [Test]
    public async Task ResolveAsync_SecondCall_IsServedFromMemory()
    {
        var handler = ServiceHandler();
        using var client = new KinesisVideoClient(Options(handler));
        var resolver = new SignalingChannelResolver(client);

        var first = await resolver.ResolveAsync("demo-channel", ChannelRole.Master);
        var second = await resolver.ResolveAsync("demo-channel", ChannelRole.Master);

        Assert.That(second, Is.EqualTo(first));
        Assert.That(handler.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task ResolveAsync_CacheExpired_ResolvesAgain()
    {
        var time = new SignallingTimeProvider();
        var handler = ServiceHandler();
        using var client = new KinesisVideoClient(Options(handler, time));
        var resolver = new SignalingChannelResolver(client, new SignalingChannelResolverOptions { CacheDuration = TimeSpan.FromHours(10) });

        await resolver.ResolveAsync("demo-channel", ChannelRole.Master);
        time.Advance(TimeSpan.FromHours(10));
        await resolver.ResolveAsync("demo-channel", ChannelRole.Master);

        Assert.That(handler.Requests, Has.Count.EqualTo(4));
    }

    [Test]
    public async Task ResolveAsync_FileCache_SurvivesANewResolver()
    {
        var path = Path.Combine(_directory, "cache.json");
        var handler = ServiceHandler();
        using var client = new KinesisVideoClient(Options(handler));
        var first = await new SignalingChannelResolver(client, new SignalingChannelResolverOptions { CacheFilePath = path })
            .ResolveAsync("demo-channel", ChannelRole.Master);

        var second = await new SignalingChannelResolver(client, new SignalingChannelResolverOptions { CacheFilePath = path })
            .ResolveAsync("demo-channel", ChannelRole.Master);

        Assert.That(File.Exists(path), Is.True);
        Assert.That(second, Is.EqualTo(first));
        Assert.That(handler.Requests, Has.Count.EqualTo(2));
        Assert.That(File.ReadAllText(path), Does.Not.Contain(SecretAccessKey));
    }

    [Test]
    public async Task ResolveAsync_FileSharedByAnotherControlPlane_DoesNotReuseItsEntries()
    {
        var path = Path.Combine(_directory, "cache.json");
        var handler = ServiceHandler();
        using var emulatorClient = new KinesisVideoClient(new KinesisVideoClientOptions(Options(handler)) { ServiceUrl = new Uri("http://127.0.0.1:4566/") });
        using var serviceClient = new KinesisVideoClient(Options(handler));
        await new SignalingChannelResolver(emulatorClient, new SignalingChannelResolverOptions { CacheFilePath = path })
            .ResolveAsync("demo-channel", ChannelRole.Master);

        await new SignalingChannelResolver(serviceClient, new SignalingChannelResolverOptions { CacheFilePath = path })
            .ResolveAsync("demo-channel", ChannelRole.Master);

        Assert.That(handler.Requests, Has.Count.EqualTo(4));
    }

    [Test]
    public async Task ResolveAsync_CorruptFile_IsDeletedAndIgnored()
    {
        var path = Path.Combine(_directory, "cache.json");
        await File.WriteAllTextAsync(path, "{ this is not json");
        var handler = ServiceHandler();
        using var client = new KinesisVideoClient(Options(handler));
        var resolver = new SignalingChannelResolver(client, new SignalingChannelResolverOptions { CacheFilePath = path });

        var result = await resolver.ResolveAsync("demo-channel", ChannelRole.Master);

        Assert.That(result.ChannelArn, Is.EqualTo(ChannelArn));
        Assert.That(handler.Requests, Has.Count.EqualTo(2));
        Assert.That(await File.ReadAllTextAsync(path), Does.Contain(ChannelArn));
    }

    [Test]
    public async Task ResolveAsync_ConcurrentCallers_ShareOneResolution()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new FakeHttpMessageHandler(async (r, _) =>
        {
            await release.Task;
            return Respond(r);
        });
        using var client = new KinesisVideoClient(Options(handler));
        var resolver = new SignalingChannelResolver(client);

        var callers = Enumerable.Range(0, 5).Select(_ => resolver.ResolveAsync("demo-channel", ChannelRole.Master)).ToList();
        await handler.WaitForRequestAsync();
        release.SetResult();
        var results = await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(results.Distinct().Count(), Is.EqualTo(1));
        Assert.That(handler.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task ResolveAsync_MissingChannelWithCreate_CreatesItAndResolves()
    {
        var created = false;
        var handler = new FakeHttpMessageHandler(r => r.Path switch
        {
            "/describeSignalingChannel" when !created => FakeHttpMessageHandler.Json("{\"Message\":\"nope\"}", HttpStatusCode.NotFound, "ResourceNotFoundException"),
            "/createSignalingChannel" => CreateResponse(ref created),
            _ => Respond(r),
        });
        using var client = new KinesisVideoClient(Options(handler));
        var resolver = new SignalingChannelResolver(client, new SignalingChannelResolverOptions { MessageTtlSecondsForCreate = 30 });

        var result = await resolver.ResolveAsync("demo-channel", ChannelRole.Master, createIfMissing: true);

        Assert.That(result.ChannelArn, Is.EqualTo(ChannelArn));
        Assert.That(handler.RequestList.Select(r => r.Path), Is.EqualTo(new[]
        {
            "/describeSignalingChannel", "/createSignalingChannel", "/describeSignalingChannel", "/getSignalingChannelEndpoint",
        }));
        Assert.That(handler.RequestList[1].Body, Does.Contain("\"MessageTtlSeconds\":30"));
    }

    [Test]
    public void ResolveAsync_MissingChannelWithoutCreate_ThrowsResourceNotFound()
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json("{\"Message\":\"nope\"}", HttpStatusCode.NotFound, "ResourceNotFoundException"));
        using var client = new KinesisVideoClient(Options(handler));
        var resolver = new SignalingChannelResolver(client);

        SignalingAssert.ThrowsAsync(SignalingError.ResourceNotFound, "ResourceNotFoundException", () => resolver.ResolveAsync("demo-channel", ChannelRole.Master));
    }

    [Test]
    public void ResolveAsync_DeletingChannel_ThrowsResourceInUse()
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json(DescribeJson("DELETING")));
        using var client = new KinesisVideoClient(Options(handler));
        var resolver = new SignalingChannelResolver(client);

        SignalingAssert.ThrowsAsync(SignalingError.ResourceInUse, null, () => resolver.ResolveAsync(ChannelArn, ChannelRole.Master));
    }

    [Test]
    public void ResolveAsync_EndpointListWithoutWss_ThrowsInvalidResponse()
    {
        var handler = new FakeHttpMessageHandler(r => r.Path == "/describeSignalingChannel"
            ? FakeHttpMessageHandler.Json(DescribeJson())
            : FakeHttpMessageHandler.Json("{\"ResourceEndpointList\":[{\"Protocol\":\"HTTPS\",\"ResourceEndpoint\":\"https://r-1.example\"}]}"));
        using var client = new KinesisVideoClient(Options(handler));
        var resolver = new SignalingChannelResolver(client);

        SignalingAssert.ThrowsAsync(SignalingError.InvalidResponse, null, () => resolver.ResolveAsync("demo-channel", ChannelRole.Master));
    }

    [TestCase("bad name")]
    [TestCase("")]
    public void ResolveAsync_InvalidChannel_ThrowsArgumentException(string channel)
    {
        var handler = ServiceHandler();
        using var client = new KinesisVideoClient(Options(handler));
        var resolver = new SignalingChannelResolver(client);

        Assert.ThrowsAsync<ArgumentException>(() => resolver.ResolveAsync(channel, ChannelRole.Master));
        Assert.That(handler.Requests, Is.Empty);
    }

    [Test]
    public async Task Invalidate_CachedEntry_ForcesANewResolution()
    {
        var handler = ServiceHandler();
        using var client = new KinesisVideoClient(Options(handler));
        var resolver = new SignalingChannelResolver(client);

        await resolver.ResolveAsync("demo-channel", ChannelRole.Master);
        resolver.Invalidate("demo-channel", ChannelRole.Master);
        await resolver.ResolveAsync("demo-channel", ChannelRole.Master);

        Assert.That(handler.Requests, Has.Count.EqualTo(4));
    }

    private static HttpResponseMessage CreateResponse(ref bool created)
    {
        created = true;
        return FakeHttpMessageHandler.Json("{\"ChannelARN\":\"" + ChannelArn + "\"}");
    }

    private static FakeHttpMessageHandler ServiceHandler() => new(Respond);

    private static HttpResponseMessage Respond(RecordedRequest request) => request.Path switch
    {
        "/describeSignalingChannel" => FakeHttpMessageHandler.Json(DescribeJson()),
        "/getSignalingChannelEndpoint" => FakeHttpMessageHandler.Json(EndpointsJson),
        _ => FakeHttpMessageHandler.Json("{}", HttpStatusCode.NotFound, "UnknownOperationException"),
    };
}
