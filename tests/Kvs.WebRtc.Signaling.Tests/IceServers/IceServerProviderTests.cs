using Kvs.WebRtc.Signaling.ControlPlane;
using Kvs.WebRtc.Signaling.ControlPlane.Model;
using Kvs.WebRtc.Signaling.IceServers;
using Kvs.WebRtc.Signaling.Tests.ControlPlane;
using Kvs.WebRtc.Testing;
using NUnit.Framework;
using IceServer = Kvs.WebRtc.Signaling.IceServers.IceServer;

namespace Kvs.WebRtc.Signaling.Tests.IceServers;

[TestFixture]
public sealed class IceServerProviderTests
{
    private const string Password = "nhgUYYY0TKW5knkHAU92JI9whmOO058qbmxRvyIY2Rg=";

    [TestCase("us-west-2", false, false, "stun:stun.kinesisvideo.us-west-2.amazonaws.com:443")]
    [TestCase("us-east-1", true, false, "stuns:stun.kinesisvideo-fips.us-east-1.amazonaws.com:443")]
    [TestCase("eu-west-1", false, true, "stun:stun.kinesisvideo.eu-west-1.api.aws:443")]
    [TestCase("cn-north-1", false, false, "stun:stun.kinesisvideo.cn-north-1.amazonaws.com.cn:443")]
    public async Task GetIceServersAsync_StunOnly_SynthesisesThePartitionHost(string region, bool fips, bool dualStack, string expected)
    {
        var provider = new IceServerProvider((KinesisVideoSignalingClient?)null, new IceServerProviderOptions { Region = region, UseFips = fips, UseDualStack = dualStack, IncludeTurn = false });

        var servers = await provider.GetIceServersAsync();

        Assert.That(servers.Single().Urls, Is.EqualTo(new[] { expected }));
        Assert.That(servers.Single().Credential, Is.Null);
    }

    [Test]
    public async Task GetIceServersAsync_WithTurn_ReturnsStunThenTurnServers()
    {
        var fetcher = new Fetcher(300, 600);
        var provider = new IceServerProvider(fetcher.FetchAsync, Options());

        var servers = await provider.GetIceServersAsync();

        Assert.Multiple(() =>
        {
            Assert.That(servers, Has.Count.EqualTo(3));
            Assert.That(servers[0].Urls[0], Does.StartWith("stun:"));
            Assert.That(servers[1].Urls[0], Does.StartWith("turn:"));
            Assert.That(servers[1].Username, Is.EqualTo("user-1"));
            Assert.That(servers[1].Credential, Is.EqualTo(Password));
            Assert.That(servers[1].Ttl, Is.EqualTo(TimeSpan.FromSeconds(300)));
        });
    }

    [Test]
    public async Task GetIceServersAsync_BeforeMinTtlMinusMargin_UsesCacheThenRefreshes()
    {
        var time = new SignallingTimeProvider();
        var fetcher = new Fetcher(300, 600);
        var provider = new IceServerProvider(fetcher.FetchAsync, Options(time));

        await provider.GetIceServersAsync();
        time.Advance(TimeSpan.FromSeconds(269));
        await provider.GetIceServersAsync();
        Assert.That(fetcher.Calls, Is.EqualTo(1));

        time.Advance(TimeSpan.FromSeconds(1));
        await provider.GetIceServersAsync();
        Assert.That(fetcher.Calls, Is.EqualTo(2));
        Assert.That(provider.RefreshAt, Is.EqualTo(time.GetUtcNow() + TimeSpan.FromSeconds(270)));
    }

    [Test]
    public async Task GetIceServersAsync_TtlNotAboveMargin_FetchesEveryTime()
    {
        var fetcher = new Fetcher(30);
        var provider = new IceServerProvider(fetcher.FetchAsync, Options(new SignallingTimeProvider()));

        await provider.GetIceServersAsync();
        await provider.GetIceServersAsync();

        Assert.That(fetcher.Calls, Is.EqualTo(2));
    }

    [Test]
    public async Task GetIceServersAsync_ConcurrentCallers_ShareOneRequest()
    {
        var fetcher = new Fetcher(300) { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var provider = new IceServerProvider(fetcher.FetchAsync, Options());

        var callers = Enumerable.Range(0, 8).Select(_ => provider.GetIceServersAsync().AsTask()).ToList();
        await fetcher.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        fetcher.Gate.SetResult();
        var results = await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(fetcher.Calls, Is.EqualTo(1));
        Assert.That(results.Select(r => r[1].Credential).Distinct().Count(), Is.EqualTo(1));
    }

    [Test]
    public async Task RefreshAsync_FreshCache_FetchesNewCredentials()
    {
        var fetcher = new Fetcher(300);
        var provider = new IceServerProvider(fetcher.FetchAsync, Options(new SignallingTimeProvider()));

        var before = await provider.GetIceServersAsync();
        var after = await provider.RefreshAsync();

        Assert.That(fetcher.Calls, Is.EqualTo(2));
        Assert.That(after[1].Username, Is.Not.EqualTo(before[1].Username));
        Assert.That((await provider.GetIceServersAsync())[1].Username, Is.EqualTo(after[1].Username));
    }

    [Test]
    public async Task GetIceServersAsync_CallerCancels_AbandonsOnlyItsWait()
    {
        var fetcher = new Fetcher(300) { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var provider = new IceServerProvider(fetcher.FetchAsync, Options());
        using var cts = new CancellationTokenSource();

        var cancelled = provider.GetIceServersAsync(cts.Token).AsTask();
        var patient = provider.GetIceServersAsync().AsTask();
        await fetcher.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cts.CancelAsync();

        Assert.That(async () => await cancelled, Throws.InstanceOf<OperationCanceledException>());
        fetcher.Gate.SetResult();
        Assert.That(await patient.WaitAsync(TimeSpan.FromSeconds(10)), Has.Count.EqualTo(2));
    }

    [Test]
    public void GetIceServersAsync_FetchFails_PropagatesAndRetriesNextCall()
    {
        var fetcher = new Fetcher(300) { Failure = new SignalingException(SignalingError.ResourceNotFound, "gone", errorCode: "ResourceNotFoundException") };
        var provider = new IceServerProvider(fetcher.FetchAsync, Options());

        SignalingAssert.ThrowsAsync(SignalingError.ResourceNotFound, "ResourceNotFoundException", async () => await provider.GetIceServersAsync());
        fetcher.Failure = null;

        Assert.That(async () => await provider.GetIceServersAsync(), Has.Count.EqualTo(2));
        Assert.That(fetcher.Calls, Is.EqualTo(2));
    }

    [Test]
    public async Task GetIceServersAsync_StunDisabled_ReturnsOnlyTurn()
    {
        var fetcher = new Fetcher(300);
        var provider = new IceServerProvider(fetcher.FetchAsync, new IceServerProviderOptions(Options()) { IncludeStun = false });

        var servers = await provider.GetIceServersAsync();

        Assert.That(servers.Single().Urls[0], Does.StartWith("turn:"));
    }

    [Test]
    public async Task GetIceServersAsync_StunAndTurnDisabled_ReturnsNoServerAndFetchesNothing()
    {
        var fetcher = new Fetcher(300);
        var provider = new IceServerProvider(fetcher.FetchAsync, new IceServerProviderOptions(Options()) { IncludeStun = false, IncludeTurn = false });

        var servers = await provider.GetIceServersAsync();

        Assert.That(servers, Is.Empty);
        Assert.That(fetcher.Calls, Is.Zero);
    }

    [Test]
    public async Task GetIceServersAsync_NoTurnServersReturned_CachesForEmptyListDuration()
    {
        var time = new SignallingTimeProvider();
        var fetcher = new Fetcher();
        var provider = new IceServerProvider(fetcher.FetchAsync, Options(time));

        var servers = await provider.GetIceServersAsync();
        time.Advance(IceServerProvider.EmptyListCacheDuration - TimeSpan.FromSeconds(1));
        await provider.GetIceServersAsync();
        Assert.That(fetcher.Calls, Is.EqualTo(1));

        time.Advance(TimeSpan.FromSeconds(1));
        await provider.GetIceServersAsync();
        Assert.That(fetcher.Calls, Is.EqualTo(2));
        Assert.That(servers.Single().Urls[0], Does.StartWith("stun:"));
    }

    [Test]
    public void IceServer_ToString_DoesNotShowCredential()
    {
        var server = new IceServer(["turn:example:443"], "user", Password, TimeSpan.FromSeconds(300));

        Assert.That(server.ToString(), Does.Not.Contain(Password));
        Assert.That(server.ToString(), Does.Contain("user"));
    }

    [Test]
    public void Constructor_TurnWithoutClient_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => _ = new IceServerProvider((KinesisVideoSignalingClient?)null, Options()));
    }

    private static IceServerProviderOptions Options(TimeProvider? time = null) => new()
    {
        Region = ControlPlaneTestSupport.Region,
        ChannelArn = ControlPlaneTestSupport.ChannelArn,
        TimeProvider = time,
    };

    private sealed class Fetcher(params int[] ttls)
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public TaskCompletionSource? Gate { get; init; }

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Exception? Failure { get; set; }

        public async Task<GetIceServerConfigResponse> FetchAsync(CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _calls);
            Started.TrySetResult();
            if (Gate is not null)
            {
                await Gate.Task.WaitAsync(cancellationToken);
            }

            if (Failure is not null)
            {
                throw Failure;
            }

            return new GetIceServerConfigResponse
            {
                IceServerList = ttls.Select((ttl, i) => new IceServer(
                    [$"turn:{i}.t-1.kinesisvideo.us-west-2.amazonaws.com:443?transport=udp"],
                    $"user-{call}",
                    Password,
                    ttl > 0 ? TimeSpan.FromSeconds(ttl) : null)).ToList(),
            };
        }
    }
}
