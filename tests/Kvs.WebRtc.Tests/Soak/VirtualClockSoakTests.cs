using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Kvs.WebRtc.Emulator;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.Sessions;
using Kvs.WebRtc.Signaling;
using Kvs.WebRtc.Signaling.Auth;
using Kvs.WebRtc.Testing;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Soak;

/// <summary>
/// A master runs many hours on a virtual clock against the emulator (docs/soak.md): the service closes its signaling
/// connection at one hour and after ten idle minutes, sends GO_AWAY, has outages of seconds to minutes; its AWS session
/// credentials rotate and expire; ICE-server credentials expire and are fetched again; its wall clock jumps by minutes;
/// viewers join and leave while one viewer stays connected all along. The master must stay reachable, the long-lived
/// viewer must not be lost, resources must stay flat, and nothing may be logged at Error.
/// </summary>
/// <remarks>
/// The emulator, the sessions and their peer connections share one <see cref="ManualTimeProvider"/> (the master's
/// wall clock is a skewed view of it); sockets, HTTP and WebSockets run in real time. The test advances the clock in
/// steps, yielding real time after each, and uses small steps whenever something real-time is expected (a reconnect,
/// a viewer connecting, a data round trip). The simulated span is <c>KVS_SOAK_HOURS</c> (default
/// <see cref="DefaultHours"/>); docs/soak.md shows how to run the full day.
/// </remarks>
[TestFixture]
[Category("Soak")]
[NonParallelizable]
public sealed class VirtualClockSoakTests
{
    /// <summary>The simulated span of the normal (CI) run, in hours.</summary>
    public const double DefaultHours = 24;

    // Below the ICE agent's 10 s "Disconnected" threshold minus the 6 s longest consent interval, so that a consent
    // response answered right after each step always lands in time.
    private static readonly TimeSpan IdleStep = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan BarrierBound = TimeSpan.FromMilliseconds(250);
    private readonly Dictionary<RTCPeerConnection, long> _consentGap = [];
    private int _barrierTimeouts;
    private static readonly TimeSpan BusyStep = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ConnectStep = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan RealWait = TimeSpan.FromSeconds(60);

    private ManualTimeProvider _clock = null!;

    [Test]
    [CancelAfter(1_800_000)]
    public async Task Master_RunsSimulatedHours_StaysReachable_KeepsItsViewer_ResourcesFlat_NoErrors(CancellationToken cancellationToken)
    {
        var hours = SimulatedHours();
        var wall = Stopwatch.StartNew();
        _clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero));
        var deviceClock = new SkewedTimeProvider(_clock);
        var logs = new SoakLogSink();

        // The emulator runs its TURN server (allocation lifetimes on the virtual clock); every peer allocates a relay
        // with the minted credentials, and the server is restarted (every allocation dropped) during the run.
        var emulatorOptions = new KvsEmulatorOptions
        {
            TimeProvider = _clock,
            LoggerFactory = logs,
            TurnSharedSecret = "soak-turn-secret",
            RunTurnServer = true,
            IceServerTtl = TimeSpan.FromMinutes(5),
            EnableStorageSessions = false,
        };
        await using var emulator = await KvsEmulator.StartAsync(emulatorOptions, cancellationToken);

        var credentials = new RotatingCredentialsProvider(emulator, deviceClock);
        var channelName = "soak-" + Guid.NewGuid().ToString("N");
        var masterChannel = new KvsChannelOptions
        {
            Channel = channelName,
            Region = emulator.Region,
            ServiceUrl = emulator.ServiceUrl,
            Credentials = credentials,
            TimeProvider = deviceClock,
            LoggerFactory = logs,
            UseTurn = true,
        };
        // Long-lived viewers keep their signaling through outages as the master does (the viewer default gives up after
        // ~40 s and says so at Error, by design).
        var viewerChannel = new KvsChannelOptions
        {
            Channel = channelName,
            Region = emulator.Region,
            ServiceUrl = emulator.ServiceUrl,
            Credentials = new StaticCredentialsProvider(emulator.Credentials),
            TimeProvider = _clock,
            LoggerFactory = logs,
            UseTurn = true,
            Reconnect = new SignalingReconnectPolicy { MaxAttempts = int.MaxValue },
        };
        var loopback = new RTCConfiguration { IncludeLoopbackCandidates = true, EnableIpv6 = false, HostAddresses = [IPAddress.Loopback] };

        var masterTask = MasterSession.StartAsync(new MasterSessionOptions { Channel = masterChannel, PeerConfiguration = loopback }, cancellationToken);
        await PumpAsync(masterTask, cancellationToken);
        var master = await masterTask;
        ViewerSession? watcher = null;
        ViewerSession? churn = null;
        try
        {
            var received = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
            var left = new ConcurrentQueue<string>();
            using var messages = master.Messages.Subscribe(new ActionObserver<KvsPeerMessage>(m => received[m.ClientId + ":" + m.Text] = true));
            using var leaves = master.ViewerLeft.Subscribe(new ActionObserver<KvsViewer>(v => left.Enqueue(v.ClientId)));

            ViewerSessionOptions ViewerOptions(string clientId) =>
                new() { Channel = viewerChannel, ClientId = clientId, PeerConfiguration = loopback, ReceiveAudio = false, ReceiveVideo = false };

            // The viewer that stays connected for the whole run.
            watcher = await ConnectViewerAsync(ViewerOptions("watcher"), cancellationToken);
            var watcherStates = new ConcurrentQueue<RTCPeerConnectionState>();
            watcher.PeerConnection.ConnectionStateChanged += (_, _) =>
            {
                var state = watcher.PeerConnection.ConnectionState;
                watcherStates.Enqueue(state);
                logs.Note(string.Create(CultureInfo.InvariantCulture, $"watcher peer connection {state} at {_clock.GetUtcNow():O}"));
            };
            await RoundTripAsync(master, watcher, "watcher", "start", received, cancellationToken);

            var start = _clock.GetUtcNow();
            var end = start + TimeSpan.FromHours(hours);
            var samples = new List<ResourceSample> { Sample(0) };
            var nextSample = start + TimeSpan.FromHours(1);
            var nextGoAway = start + TimeSpan.FromMinutes(150);
            var nextOutage = start + TimeSpan.FromMinutes(220);
            var nextSkew = start + TimeSpan.FromMinutes(110);
            var nextChurn = start + TimeSpan.FromMinutes(20);
            var nextTurnRestart = start + TimeSpan.FromMinutes(330);
            TimeSpan[] outageLengths = [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(45), TimeSpan.FromMinutes(3)];
            // Beyond the service's 5-minute tolerance too (+7): the next signed upgrade or REST call is refused once and the
            // signer's offset is corrected from the service's Date header.
            TimeSpan[] skews = [TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(-4), TimeSpan.FromMinutes(7), TimeSpan.FromMinutes(-2), TimeSpan.Zero];
            DateTimeOffset? outageEnds = null;
            string? churnId = null;
            DateTimeOffset churnLeaves = default;
            int goAways = 0, outages = 0, skewJumps = 0, churnJoins = 0, turnChecks = 0, turnRestarts = 0;
            long allocationsBeforeRestart = 0;
            var turnUsernames = new HashSet<string>(StringComparer.Ordinal);
            var masterDown = TimeSpan.Zero;
            IReadOnlyList<string> viewersAtEnd;

            while (_clock.GetUtcNow() < end)
            {
                var now = _clock.GetUtcNow();
                if (now >= nextSample)
                {
                    samples.Add(Sample((now - start).TotalHours));
                    nextSample += TimeSpan.FromHours(1);
                }

                if (outageEnds is { } over && now >= over)
                {
                    emulator.Faults.Reset();
                    outageEnds = null;
                }

                if (outageEnds is null && now >= nextOutage)
                {
                    // The service is unreachable: upgrades refused with 503, REST calls fail with 503, the master's socket drops.
                    var length = outageLengths[outages % outageLengths.Length];
                    emulator.Faults.RejectNextConnects(int.MaxValue, HttpStatusCode.ServiceUnavailable);
                    emulator.Faults.FailNextRequests(int.MaxValue, HttpStatusCode.ServiceUnavailable);
                    emulator.Faults.DropConnections(c => c.Role == KvsEmulatorRole.Master);
                    outageEnds = now + length;
                    outages++;
                    nextOutage += TimeSpan.FromHours(4);
                }

                if (now >= nextGoAway)
                {
                    goAways += emulator.Faults.SendGoAway(c => c.Role == KvsEmulatorRole.Master, closeAfter: TimeSpan.FromMinutes(1));
                    nextGoAway += TimeSpan.FromHours(3);
                }

                if (now >= nextTurnRestart)
                {
                    // A TURN server restart, as a restarted coturn: every allocation is gone, the port is the same.
                    allocationsBeforeRestart = emulator.GetTurnStatistics()!.Allocations;
                    await emulator.RestartTurnServerAsync();
                    turnRestarts++;
                    nextTurnRestart += TimeSpan.FromHours(8);
                }

                if (now >= nextSkew)
                {
                    deviceClock.Skew = skews[skewJumps % skews.Length];
                    skewJumps++;
                    nextSkew += TimeSpan.FromHours(2);
                }

                if (churn is not null && now >= churnLeaves)
                {
                    await DisposePumpedAsync(churn, cancellationToken);
                    churn = null;
                    await PumpUntilAsync(() => !master.Viewers.Any(v => v.ClientId == churnId), BusyStep, cancellationToken);
                }

                var masterConnected = master.Channel.Signaling.State == SignalingConnectionState.Connected;
                if (churn is null && outageEnds is null && now >= nextChurn)
                {
                    if (!masterConnected)
                    {
                        // A viewer can only reach a master that is on signaling: wait for the reconnect first (bounded).
                        await PumpUntilAsync(() => master.Channel.Signaling.State == SignalingConnectionState.Connected, BusyStep, cancellationToken);
                    }

                    churnJoins++;
                    churnId = string.Create(CultureInfo.InvariantCulture, $"churn-{churnJoins}");
                    churn = await ConnectViewerAsync(ViewerOptions(churnId), cancellationToken);
                    await RoundTripAsync(master, churn, churnId, "hello", received, cancellationToken);
                    turnChecks += await CheckTurnCredentialsAsync(master.Channel, turnUsernames, cancellationToken);
                    churnLeaves = _clock.GetUtcNow() + TimeSpan.FromMinutes(10);
                    nextChurn = _clock.GetUtcNow() + TimeSpan.FromMinutes(25);
                    continue;
                }

                if (outageEnds is not null)
                {
                    await StepAsync(TimeSpan.FromSeconds(1), 5, cancellationToken);
                }
                else if (!masterConnected || !IsConnected(watcher) || (churn is not null && !IsConnected(churn)))
                {
                    // Someone is reconnecting in real time: small steps, so its connect timeout (virtual) is not outrun.
                    masterDown += masterConnected ? TimeSpan.Zero : BusyStep;
                    await StepAsync(BusyStep, 10, cancellationToken);
                }
                else
                {
                    _clock.Advance(IdleStep);
                    await ConsentBarrierAsync(master, watcher, churn, cancellationToken);
                }
            }

            if (churn is not null)
            {
                await DisposePumpedAsync(churn, cancellationToken);
                churn = null;
            }

            // Reachable at the end: a new viewer connects and exchanges data; the first viewer still does too.
            await PumpUntilAsync(() => master.Channel.Signaling.State == SignalingConnectionState.Connected, BusyStep, cancellationToken);
            churn = await ConnectViewerAsync(ViewerOptions("last"), cancellationToken);
            await RoundTripAsync(master, churn, "last", "end", received, cancellationToken);
            await RoundTripAsync(master, watcher, "watcher", "end", received, cancellationToken);
            viewersAtEnd = [.. master.Viewers.Select(v => v.ClientId)];

            // The master never used an expired lease, yet the emulator did enforce expiry: the first lease is refused now.
            var expiredLeaseStatus = await PostSignedAsync(emulator, credentials.First!, cancellationToken);

            samples.Add(Sample((_clock.GetUtcNow() - start).TotalHours));
            var statistics = emulator.GetStatistics();
            var report = new StringBuilder();
            report.AppendLine(CultureInfo.InvariantCulture, $"Soak: {hours} simulated hours in {wall.Elapsed.TotalSeconds:0} s of wall time");
            report.AppendLine(CultureInfo.InvariantCulture, $"  signaling connections accepted {statistics.ConnectionsAccepted}, refused {statistics.ConnectionsRejected}; REST requests {statistics.RestRequests}, auth failures {statistics.RestAuthenticationFailures}");
            report.AppendLine(CultureInfo.InvariantCulture, $"  GO_AWAY sent {goAways}, outages {outages}, skew jumps {skewJumps}, AWS credential leases {credentials.Issued}, viewers joined and left {churnJoins}, TURN credentials checked {turnChecks} ({turnUsernames.Count} distinct)");
            var turn = emulator.GetTurnStatistics()!;
            report.AppendLine(CultureInfo.InvariantCulture, $"  TURN server: restarts {turnRestarts} (allocations dropped at the last one {allocationsBeforeRestart}), allocations created {turn.AllocationsCreated}, live at the end {turn.Allocations}, 401s {turn.Unauthorized}, relayed datagrams {turn.RelayedDatagrams}, malformed dropped {turn.MalformedDropped}");
            report.AppendLine(CultureInfo.InvariantCulture, $"  master signaling down (outside outages) {masterDown.TotalSeconds:0} virtual s; consent barrier timeouts {_barrierTimeouts}; log entries: warning {logs.Count(LogLevel.Warning)}, error {logs.Count(LogLevel.Error)}, critical {logs.Count(LogLevel.Critical)}");
            report.AppendLine("  resource curve (GC.GetTotalMemory(true), heap size after the last full GC, ThreadPool.ThreadCount, Process.HandleCount):");
            foreach (var sample in samples)
            {
                report.AppendLine("    " + sample);
            }

            var errors = logs.Kept.Where(e => e.Level >= LogLevel.Error).ToList();
            foreach (var entry in errors.Take(20))
            {
                report.AppendLine(CultureInfo.InvariantCulture, $"  ERROR {entry.Category} [{entry.EventId.Id}] {entry.Message}");
            }

            foreach (var group in logs.Kept.Where(e => e.Level == LogLevel.Warning).GroupBy(e => e.Category + " [" + e.EventId.Id + "]").OrderByDescending(g => g.Count()).Take(12))
            {
                report.AppendLine(CultureInfo.InvariantCulture, $"  warning x{group.Count()} {group.Key}: {group.First().Message}");
            }

            await TestContext.Out.WriteLineAsync(report.ToString());

            var baseline = samples[Math.Min(1, samples.Count - 1)];
            var final = samples[^1];
            Assert.Multiple(() =>
            {
                Assert.That(errors, Is.Empty, "nothing logged at Error or Critical");
                Assert.That(left, Does.Not.Contain("watcher"), "the viewer connected all along never left");
                Assert.That(watcherStates, Is.Empty, "the long-lived viewer's peer connection never left Connected");
                Assert.That(viewersAtEnd, Is.EquivalentTo(new[] { "watcher", "last" }), "the master's viewers at the end");
                Assert.That(left.Count(id => id.StartsWith("churn-", StringComparison.Ordinal)), Is.EqualTo(churnJoins), "every churn viewer's leave was reported once");
                // Signaling events really happened: at least one closed connection per hour (1-hour limit) for the master.
                Assert.That(statistics.ConnectionsAccepted, Is.GreaterThanOrEqualTo((long)hours + churnJoins + 2), "the master reconnected through the run");
                Assert.That(credentials.Issued, Is.GreaterThanOrEqualTo((int)(hours / 1.0)), "session credentials rotated about hourly");
                Assert.That(expiredLeaseStatus, Is.EqualTo(hours >= 1 ? HttpStatusCode.Forbidden : HttpStatusCode.OK), "the first lease is refused once expired");
                Assert.That(turnUsernames, Has.Count.GreaterThanOrEqualTo(Math.Min(churnJoins, 2)), "TURN credentials were fetched afresh after their TTL");
                Assert.That(turnRestarts, Is.EqualTo(hours > 5.5 ? (int)Math.Ceiling((hours - 5.5) / 8) : 0), "the TURN server was restarted");
                Assert.That(turn.AllocationsCreated, Is.GreaterThan(churnJoins), "peers allocated relays on the emulator's TURN server");
                Assert.That(turn.MalformedDropped, Is.Zero, "our TURN client sent nothing the server could not parse");
                Assert.That(final.ManagedBytes - baseline.ManagedBytes, Is.LessThan(24L * 1024 * 1024), "managed memory flat (grew < 24 MiB after the first hour)");
                Assert.That(final.HeapBytes - baseline.HeapBytes, Is.LessThan(32L * 1024 * 1024), "GC heap flat (grew < 32 MiB after the first hour)");
                Assert.That(final.ThreadPoolThreads, Is.LessThanOrEqualTo(Math.Max(baseline.ThreadPoolThreads * 2, baseline.ThreadPoolThreads + 16)), "thread-pool threads flat");
                Assert.That(final.Handles, Is.LessThanOrEqualTo(baseline.Handles + 64), "handles (file descriptors) flat");
            });
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            await TestContext.Out.WriteLineAsync($"Soak failed at virtual {_clock.GetUtcNow():O}: {failure.GetType().Name}: {failure.Message}");
            foreach (var entry in logs.Kept.Take(60))
            {
                await TestContext.Out.WriteLineAsync($"  {entry.Level} {entry.Category} [{entry.EventId.Id}] {entry.Message}");
            }

            throw;
        }
        finally
        {
            // Closing runs timers too (close handshakes): keep the clock moving while the sessions shut down.
            foreach (var session in new IAsyncDisposable?[] { churn, watcher, master })
            {
                if (session is not null)
                {
                    await DisposePumpedAsync(session, CancellationToken.None);
                }
            }
        }
    }

    private async Task DisposePumpedAsync(IAsyncDisposable session, CancellationToken cancellationToken)
    {
        var task = session.DisposeAsync().AsTask();
        await PumpAsync(task, cancellationToken);
        await task;
    }

    private async Task<HttpStatusCode> PostSignedAsync(KvsEmulator emulator, AwsCredentialsSnapshot credentials, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = RealWait };
        var body = "{}"u8.ToArray();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(emulator.ServiceUrl, "/listSignalingChannels")) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        new SigV4Signer().SignRequest(request, body, credentials, emulator.Region, signingTime: _clock.GetUtcNow());
        using var response = await http.SendAsync(request, cancellationToken);
        return response.StatusCode;
    }

    private static bool IsConnected(ViewerSession viewer) => viewer.Channel.Signaling.State == SignalingConnectionState.Connected;

    private static double SimulatedHours()
    {
        var text = Environment.GetEnvironmentVariable("KVS_SOAK_HOURS");
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var hours) && hours > 0 ? hours : DefaultHours;
    }

    private static ResourceSample Sample(double virtualHours)
    {
        var managed = GC.GetTotalMemory(forceFullCollection: true);
        var heap = GC.GetGCMemoryInfo(GCKind.FullBlocking).HeapSizeBytes;
        using var process = Process.GetCurrentProcess();
        return new ResourceSample(virtualHours, managed, heap, ThreadPool.ThreadCount, process.HandleCount);
    }

    // Every TURN server the master would hand a new viewer carries a credential that has not expired on the service's clock.
    private async Task<int> CheckTurnCredentialsAsync(KvsChannel channel, HashSet<string> seen, CancellationToken cancellationToken)
    {
        var task = channel.IceServers.GetIceServersAsync(cancellationToken).AsTask();
        await PumpAsync(task, cancellationToken);
        var servers = await task;
        var checkedCount = 0;
        foreach (var server in servers.Where(s => s.Urls.Any(u => u.StartsWith("turn:", StringComparison.Ordinal))))
        {
            var username = server.Username ?? string.Empty;
            var colon = username.IndexOf(':', StringComparison.Ordinal);
            Assert.That(colon, Is.GreaterThan(0), "minted TURN username {expiry}:{id}");
            var expiry = DateTimeOffset.FromUnixTimeSeconds(long.Parse(username[..colon], CultureInfo.InvariantCulture));
            Assert.That(expiry, Is.GreaterThan(_clock.GetUtcNow()), "the TURN credential in use has not expired");
            seen.Add(username);
            checkedCount++;
        }

        Assert.That(checkedCount, Is.GreaterThan(0), "GetIceServerConfig returned the TURN server");
        return checkedCount;
    }

    private async Task<ViewerSession> ConnectViewerAsync(ViewerSessionOptions options, CancellationToken cancellationToken)
    {
        var task = ViewerSession.ConnectAsync(options, cancellationToken);
        await PumpAsync(task, cancellationToken);
        return await task;
    }

    // Master to viewer and viewer to master over the data channel.
    private async Task RoundTripAsync(MasterSession master, ViewerSession viewer, string clientId, string tag, ConcurrentDictionary<string, bool> received, CancellationToken cancellationToken)
    {
        var down = tag + "-down-" + clientId;
        var up = tag + "-up-" + clientId;
        var got = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnMessage(object? sender, RTCDataChannelMessageEventArgs e)
        {
            if (e.Text == down)
            {
                got.TrySetResult();
            }
        }

        viewer.DataChannel.MessageReceived += OnMessage;
        try
        {
            // The viewer's side opens first; the master may still be finishing its side of the data channel.
            await PumpUntilAsync(() => master.Viewers.Any(v => v.ClientId == clientId), ConnectStep, cancellationToken);
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    var send = master.SendAsync(clientId, down, cancellationToken).AsTask();
                    await PumpAsync(send, cancellationToken);
                    await send;
                    break;
                }
                catch (InvalidOperationException) when (attempt < 100)
                {
                    _clock.Advance(ConnectStep);
                    await Task.Delay(20, cancellationToken);
                }
                catch (KvsSessionException e) when (attempt < 100 && e.Error == KvsSessionError.ViewerNotConnected)
                {
                    _clock.Advance(ConnectStep);
                    await Task.Delay(20, cancellationToken);
                }
            }

            var reply = viewer.SendAsync(up, cancellationToken).AsTask();
            await PumpAsync(reply, cancellationToken);
            await reply;
            await PumpUntilAsync(() => got.Task.IsCompleted && received.ContainsKey(clientId + ":" + up), ConnectStep, cancellationToken);
        }
        finally
        {
            viewer.DataChannel.MessageReceived -= OnMessage;
        }
    }

    private Task PumpAsync(Task task, CancellationToken cancellationToken) => PumpUntilAsync(() => task.IsCompleted, ConnectStep, cancellationToken);

    // Advances the virtual clock in small steps, yielding real time, until the condition holds (bounded in real time).
    private async Task PumpUntilAsync(Func<bool> condition, TimeSpan step, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(RealWait.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            Assert.That(Stopwatch.GetTimestamp(), Is.LessThan(deadline), "condition not met within the real-time bound");
            _clock.Advance(step);
            await Task.Delay(5, cancellationToken);
        }
    }

    // Waits (bounded) until every live peer connection got the answers to the consent checks the last step sent, so
    // that virtual time never runs ahead of the real-time exchange it stands for.
    private async Task ConsentBarrierAsync(MasterSession master, ViewerSession watcher, ViewerSession? churn, CancellationToken cancellationToken)
    {
        var connections = new List<RTCPeerConnection> { watcher.PeerConnection };
        if (churn is not null)
        {
            connections.Add(churn.PeerConnection);
        }

        foreach (var viewer in master.Viewers)
        {
            if (master.GetPeerConnection(viewer.ClientId) is { } connection)
            {
                connections.Add(connection);
            }
        }

        foreach (var gone in _consentGap.Keys.Except(connections).ToList())
        {
            _consentGap.Remove(gone);
        }

        var deadline = Stopwatch.GetTimestamp() + (long)(BarrierBound.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var waiting = false;
            foreach (var connection in connections)
            {
                var pair = connection.GetStats().Stats.OfType<RTCIceCandidatePairStats>().FirstOrDefault(p => p.Selected);
                if (pair is null)
                {
                    continue;
                }

                var gap = pair.RequestsSent - pair.ResponsesReceived;
                if (!_consentGap.TryGetValue(connection, out var baseline))
                {
                    _consentGap[connection] = gap;
                }
                else if (gap > baseline)
                {
                    waiting = true;
                }
            }

            if (!waiting)
            {
                await Task.Yield();
                return;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                _barrierTimeouts++;
                return;
            }

            await Task.Delay(1, cancellationToken);
        }
    }

    private async Task StepAsync(TimeSpan step, int realDelayMilliseconds, CancellationToken cancellationToken)
    {
        _clock.Advance(step);
        await Task.Delay(realDelayMilliseconds, cancellationToken);
    }
}
