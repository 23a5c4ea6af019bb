using System.Diagnostics;
using System.Net;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Kvs.WebRtc.Emulator;
using Kvs.WebRtc.Hosting;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.Sessions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NUnit.Framework;

namespace Kvs.WebRtc.Extensions.Hosting.Tests;

/// <summary>
/// The hosted master of <c>AddKvsMaster</c> against the in-process KVS emulator: it starts with the host, a viewer
/// connects, and the host's StopAsync disconnects the viewer within the shutdown timeout.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class KvsMasterHostedServiceTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);
    private KvsEmulator _emulator = null!;

    private static RTCConfiguration Loopback => new() { IncludeLoopbackCandidates = true, EnableIpv6 = false, HostAddresses = [IPAddress.Loopback] };

    [SetUp]
    public async Task StartEmulatorAsync() => _emulator = await KvsEmulator.StartAsync();

    [TearDown]
    public async Task StopEmulatorAsync() => await _emulator.DisposeAsync();

    private IHost BuildHost(string serviceUrl, TimeSpan shutdownTimeout, Action<KvsMasterBuilder>? configure = null, params (string Key, string Value)[] extra)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(extra.Select(e => new KeyValuePair<string, string?>(e.Key, e.Value)));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kvs:Channel"] = "hosted-" + Guid.NewGuid().ToString("N"),
            ["Kvs:Region"] = _emulator.Region,
            ["Kvs:ServiceUrl"] = serviceUrl,
            ["Kvs:AccessKeyId"] = _emulator.Credentials.AccessKeyId,
            ["Kvs:SecretAccessKey"] = _emulator.Credentials.SecretAccessKey,
            ["Kvs:Ice:UseTurn"] = "false",
            ["Kvs:Master:RestartDelay"] = "00:00:00.100",
            ["Kvs:Master:MaxRestartDelay"] = "00:00:00.200",
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdownTimeout);
        builder.AddKvsWebRtc();
        var master = builder.Services.AddKvsMaster().ConfigureSession((_, options) => options.PeerConfiguration = Loopback);
        configure?.Invoke(master);
        return builder.Build();
    }

    [Test]
    public async Task Host_StartsMaster_ViewerConnects_StopAsyncDisconnectsViewerWithinTimeout(CancellationToken cancellationToken)
    {
        var started = 0;
        using var host = BuildHost(_emulator.ServiceUrl.ToString(), TimeSpan.FromSeconds(10), m => m.OnStarted((_, _, _) =>
        {
            Interlocked.Increment(ref started);
            return Task.CompletedTask;
        }));
        await host.StartAsync(cancellationToken);
        var accessor = host.Services.GetRequiredService<KvsMasterAccessor>();
        var master = await accessor.WaitForSessionAsync(cancellationToken).WaitAsync(s_wait, cancellationToken);
        var joined = master.ViewerJoined.FirstAsync().ToTask(cancellationToken);

        var factory = host.Services.GetRequiredService<KvsChannelFactory>();
        await using var viewer = await ViewerSession.ConnectAsync(
            OnLoopback(factory.CreateViewerSessionOptions("viewer-1")), cancellationToken);
        Assert.That((await joined.WaitAsync(s_wait, cancellationToken)).ClientId, Is.EqualTo("viewer-1"));
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        viewer.DataChannel.Closed += (_, _) => closed.TrySetResult();

        var stopwatch = Stopwatch.StartNew();
        await host.StopAsync(cancellationToken);
        stopwatch.Stop();

        Assert.Multiple(() =>
        {
            Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "the master stops within the host's shutdown timeout");
            Assert.That(accessor.Session, Is.Null);
            Assert.That(started, Is.EqualTo(1));
            Assert.That(master.Channel.Signaling.State, Is.EqualTo(Signaling.SignalingConnectionState.Closed));
        });
        await closed.Task.WaitAsync(s_wait, cancellationToken);
        Assert.That(viewer.DataChannel.ReadyState, Is.EqualTo(RTCDataChannelState.Closed), "the viewer is told the master left");
    }

    [Test]
    public async Task Host_ControlPlaneUnreachableAtStart_KeepsRetryingAndStopsPromptly(CancellationToken cancellationToken)
    {
        // A port nothing listens on: every start fails at the control plane.
        using var unused = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        unused.Start();
        var port = ((IPEndPoint)unused.LocalEndpoint).Port;
        unused.Stop();
        using var host = BuildHost($"http://127.0.0.1:{port}", TimeSpan.FromSeconds(10));

        await host.StartAsync(cancellationToken);
        var accessor = host.Services.GetRequiredService<KvsMasterAccessor>();
        var waiting = accessor.WaitForSessionAsync(cancellationToken);
        await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        Assert.That(waiting.IsCompleted, Is.False, "no session without a control plane");

        var stopwatch = Stopwatch.StartNew();
        await host.StopAsync(cancellationToken);
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
        Assert.That(accessor.Session, Is.Null);
    }

    [Test]
    public async Task Host_OnStartedThrows_MasterRestartsWithANewSession(CancellationToken cancellationToken)
    {
        var calls = 0;
        using var host = BuildHost(_emulator.ServiceUrl.ToString(), TimeSpan.FromSeconds(10), m => m.OnStarted((_, _, _) =>
            Interlocked.Increment(ref calls) == 1 ? throw new InvalidOperationException("first start fails") : Task.CompletedTask));

        await host.StartAsync(cancellationToken);
        var master = await host.Services.GetRequiredService<KvsMasterAccessor>().WaitForSessionAsync(cancellationToken).WaitAsync(s_wait, cancellationToken);

        Assert.That(calls, Is.EqualTo(2));
        Assert.That(master.Channel.Signaling.State, Is.EqualTo(Signaling.SignalingConnectionState.Connected));
        await host.StopAsync(cancellationToken);
    }

    [Test]
    public async Task Host_SignalingOutage_SameSessionReconnectsAndAViewerJoinsAfterwards(CancellationToken cancellationToken)
    {
        using var host = BuildHost(_emulator.ServiceUrl.ToString(), TimeSpan.FromSeconds(10));
        await host.StartAsync(cancellationToken);
        var accessor = host.Services.GetRequiredService<KvsMasterAccessor>();
        var master = await accessor.WaitForSessionAsync(cancellationToken).WaitAsync(s_wait, cancellationToken);
        var states = master.Channel.Signaling.States;
        var reconnected = states.SkipWhile(s => s != Signaling.SignalingConnectionState.Reconnecting)
            .FirstAsync(s => s == Signaling.SignalingConnectionState.Connected).ToTask(cancellationToken);

        // An outage: the socket drops and the next connects are refused.
        _emulator.Faults.RejectNextConnects(3, HttpStatusCode.ServiceUnavailable);
        Assert.That(_emulator.Faults.DropConnections(), Is.GreaterThanOrEqualTo(1));
        await reconnected.WaitAsync(s_wait, cancellationToken);

        var joined = master.ViewerJoined.FirstAsync().ToTask(cancellationToken);
        await using var viewer = await ViewerSession.ConnectAsync(
            OnLoopback(host.Services.GetRequiredService<KvsChannelFactory>().CreateViewerSessionOptions("after-outage")), cancellationToken);
        Assert.That((await joined.WaitAsync(s_wait, cancellationToken)).ClientId, Is.EqualTo("after-outage"));
        Assert.That(accessor.Session, Is.SameAs(master), "the master rode out the outage without a restart");
        await host.StopAsync(cancellationToken);
    }

    [Test]
    public async Task Host_SignalingGivesUp_MasterRestartsWithANewSession(CancellationToken cancellationToken)
    {
        var sessions = 0;
        using var host = BuildHost(
            _emulator.ServiceUrl.ToString(),
            TimeSpan.FromSeconds(10),
            m => m.OnStarted((_, _, _) =>
            {
                Interlocked.Increment(ref sessions);
                return Task.CompletedTask;
            }),
            ("Kvs:Reconnect:MaxAttempts", "1"));
        await host.StartAsync(cancellationToken);
        var accessor = host.Services.GetRequiredService<KvsMasterAccessor>();
        var first = await accessor.WaitForSessionAsync(cancellationToken).WaitAsync(s_wait, cancellationToken);
        var failed = first.Channel.Signaling.States.FirstAsync(s => s == Signaling.SignalingConnectionState.Failed).ToTask(cancellationToken);

        _emulator.Faults.RejectNextConnects(2, HttpStatusCode.ServiceUnavailable);
        _emulator.Faults.DropConnections();
        await failed.WaitAsync(s_wait, cancellationToken);

        var deadline = DateTime.UtcNow + s_wait;
        while (accessor.Session is not { } current || ReferenceEquals(current, first))
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "no new session in time");
            await Task.Delay(20, cancellationToken);
        }

        Assert.That(accessor.Session!.Channel.Signaling.State, Is.EqualTo(Signaling.SignalingConnectionState.Connected));
        Assert.That(first.Channel.Signaling.State, Is.EqualTo(Signaling.SignalingConnectionState.Closed), "the failed session was disposed");
        Assert.That(sessions, Is.GreaterThanOrEqualTo(2));
        await host.StopAsync(cancellationToken);
    }

    private static ViewerSessionOptions OnLoopback(ViewerSessionOptions options)
    {
        options.PeerConfiguration = Loopback;
        return options;
    }
}
