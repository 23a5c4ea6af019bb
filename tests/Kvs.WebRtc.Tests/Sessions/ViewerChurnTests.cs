using System.Diagnostics;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Kvs.WebRtc.Emulator;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Sessions;
using Kvs.WebRtc.Testing.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Sessions;

/// <summary>
/// A master at its viewer limit under churn: three steady viewers stay connected while seeded random viewers take and
/// give back the other seven slots; the steady viewers miss no frame and their echoes keep coming back, and an eleventh
/// viewer is refused fast with the reason.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class ViewerChurnTests : SessionFixture
{
    private const int MaxViewers = 10;
    private const int SteadyViewers = 3;
    private const int ChurnSlots = MaxViewers - SteadyViewers;
    private const int Seed = 12;
    private const int RtpStep = 90_000 / TestMedia.FramesPerSecond;
    private static readonly TimeSpan s_churnTime = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan s_quickRefusal = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_viewerConnectTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_echoInterval = TimeSpan.FromMilliseconds(200);

    /// <inheritdoc />
    protected override string ChannelPrefix => "churn-";

    /// <inheritdoc />
    /// <remarks>
    /// The master's own limit is under test, not the service's: the emulator admits more signaling clients than the
    /// master admits viewers (a disposed viewer's WebSocket may also still be closing when its successor connects).
    /// </remarks>
    protected override KvsEmulatorOptions CreateEmulatorOptions() => new() { MaxViewersPerChannel = 3 * MaxViewers };

    [Test]
    public async Task TenViewers_SevenSlotsChurn_SteadyViewersMissNoFrameAndKeepEchoing_EleventhRefusedFast(CancellationToken cancellationToken)
    {
        var video = new EncodedFrameTrack(RTCRtpCodec.H264);
        await using var master = await MasterSession.StartAsync(new MasterSessionOptions { Channel = ChannelOptions, PeerConfiguration = Loopback, Tracks = [video], MaxViewers = MaxViewers }, cancellationToken);
        var echoFailures = 0;
        var joinedEvents = 0;
        var leftEvents = 0;
        using var echo = master.Messages.Subscribe(m => _ = EchoAsync(m));
        using var joinedSubscription = master.ViewerJoined.Subscribe(_ => Interlocked.Increment(ref joinedEvents));
        using var leftSubscription = master.ViewerLeft.Subscribe(_ => Interlocked.Increment(ref leftEvents));

        var steady = new List<ViewerSession>();
        var churn = new List<(string ClientId, ViewerSession Session)>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stopPings = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        LoopingCamera? camera = null;
        var background = new List<Task>();
        var pings = new List<Task>();
        try
        {
            for (var i = 0; i < SteadyViewers; i++)
            {
                steady.Add(await ViewerSession.ConnectAsync(new ViewerSessionOptions { Channel = ChannelOptions, ClientId = "steady-" + i, PeerConfiguration = Loopback, ReceiveAudio = false }, cancellationToken));
            }

            await WaitUntilAsync(() => video.SenderCount == SteadyViewers && master.Viewers.Count == SteadyViewers, cancellationToken);

            // Readers first, then the camera: every steady viewer sees the stream from its first frame on.
            var received = steady.Select(_ => new List<(uint RtpTimestamp, long ArrivedAt)>()).ToArray();
            background.AddRange(steady.Select((viewer, i) => ReadAllAsync(viewer.VideoTrack!, received[i], stop.Token)));
            camera = LoopingCamera.Start(video, cancellationToken);

            // Each steady viewer pings the master in a loop and waits for every echo.
            var echoes = new EchoStats[SteadyViewers];
            for (var i = 0; i < SteadyViewers; i++)
            {
                echoes[i] = new EchoStats();
                pings.Add(PingLoopAsync(steady[i], "steady-" + i, echoes[i], stopPings.Token, cancellationToken));
            }

            // The churn: seeded random joins and leaves over the other seven slots for a bounded time.
            var random = new Random(Seed);
            var joins = 0;
            var leaves = 0;
            var joinTimes = new List<TimeSpan>();
            var connectTimes = new List<TimeSpan>();
            var leaveTimes = new List<TimeSpan>();
            var churnClock = Stopwatch.StartNew();
            while (churnClock.Elapsed < s_churnTime)
            {
                var join = churn.Count == 0 || (churn.Count < ChurnSlots && random.Next(2) == 0);
                if (join)
                {
                    joinTimes.Add(await JoinAsync(master, churn, "churn-" + joins, connectTimes, cancellationToken));
                    joins++;
                }
                else
                {
                    leaveTimes.Add(await LeaveAsync(master, churn, churn[random.Next(churn.Count)], cancellationToken));
                    leaves++;
                }

                await Task.Delay(random.Next(0, 300), cancellationToken);
            }

            // Every slot taken: the eleventh viewer is refused with the reason, long before its connect timeout.
            while (churn.Count < ChurnSlots)
            {
                joinTimes.Add(await JoinAsync(master, churn, "churn-" + joins, connectTimes, cancellationToken));
                joins++;
            }

            await WaitUntilAsync(() => master.Viewers.Count == MaxViewers, cancellationToken);
            var refusalWatch = Stopwatch.StartNew();
            var refused = Assert.ThrowsAsync<KvsSessionException>(
                async () => await ViewerSession.ConnectAsync(new ViewerSessionOptions { Channel = ChannelOptions, ClientId = "eleventh", PeerConfiguration = Loopback, ReceiveAudio = false, ConnectTimeout = s_viewerConnectTimeout }, cancellationToken));
            refusalWatch.Stop();
            Assert.Multiple(() =>
            {
                Assert.That(refused!.Reason, Is.EqualTo(KvsSessionException.ViewerLimitReached));
                Assert.That(refused.Message, Does.Contain("viewer limit reached"));
                Assert.That(refusalWatch.Elapsed, Is.LessThan(s_quickRefusal), "refused well before the connect timeout");
                Assert.That(master.Viewers, Has.Count.EqualTo(MaxViewers));
                Assert.That(master.Viewers.Any(v => v.ClientId == "eleventh"), Is.False);
            });

            // One leaves: the refused viewer, trying again, now gets in (and starts on a key frame).
            leaveTimes.Add(await LeaveAsync(master, churn, churn[random.Next(churn.Count)], cancellationToken));
            leaves++;
            joinTimes.Add(await JoinAsync(master, churn, "eleventh", connectTimes, cancellationToken));
            joins++;

            // The camera stops; the steady viewers get every frame written, in order and without a gap.
            var total = await camera.StopAsync();
            await WaitForLastFramesAsync(received, total, cancellationToken);
            await stopPings.CancelAsync();
            await Task.WhenAll(pings).WaitAsync(WaitTimeout, cancellationToken);
            await stop.CancelAsync();
            await Task.WhenAll(background.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));

            var report = new List<string>
            {
                $"{MaxViewers} viewers ({SteadyViewers} steady), {s_churnTime.TotalSeconds} s of churn (seed {Seed}): {joins} joins, {leaves} leaves",
                $"join: connect median {Median(connectTimes).TotalMilliseconds:F0} ms (max {connectTimes.Max().TotalMilliseconds:F0}), " +
                $"with first key frame and an echo median {Median(joinTimes).TotalMilliseconds:F0} ms (max {joinTimes.Max().TotalMilliseconds:F0}); " +
                $"leave (dispose until the master lets the viewer go) median {Median(leaveTimes).TotalMilliseconds:F0} ms (max {leaveTimes.Max().TotalMilliseconds:F0})",
                $"master events: {Volatile.Read(ref joinedEvents)} joined, {Volatile.Read(ref leftEvents)} left",
                $"11th viewer refused in {refusalWatch.Elapsed.TotalMilliseconds:F0} ms (\"{refused!.Reason}\")",
                $"frames written {total}",
            };
            for (var i = 0; i < SteadyViewers; i++)
            {
                var frames = Snapshot(received[i]);
                var steps = frames.Zip(frames.Skip(1)).Select(p => (int)unchecked(p.Second.RtpTimestamp - p.First.RtpTimestamp)).ToList();
                var gaps = steps.Count(s => Math.Abs(s - RtpStep) > 1);
                var maxStep = steps.Count == 0 ? 0 : steps.Max(s => Math.Abs(s));
                var maxArrival = frames.Zip(frames.Skip(1)).Select(p => Stopwatch.GetElapsedTime(p.First.ArrivedAt, p.Second.ArrivedAt)).DefaultIfEmpty().Max();
                report.Add($"steady-{i}: frames {frames.Count}, gaps {gaps}, max RTP step {maxStep} ({maxStep / (double)RtpStep:F2} frames), " +
                    $"max time between frames {maxArrival.TotalMilliseconds:F0} ms; echoes {echoes[i].Returned}/{echoes[i].Sent}, max echo {echoes[i].MaxRoundTrip.TotalMilliseconds:F0} ms");
                Assert.Multiple(() =>
                {
                    Assert.That(frames, Has.Count.EqualTo(total), $"steady-{i}: every frame written arrived");
                    Assert.That(gaps, Is.Zero, $"steady-{i}: consecutive RTP timestamps one frame apart (±1 for rounding)");
                    Assert.That(echoes[i].Failed, Is.Zero, $"steady-{i}: no echo lost or late");
                    Assert.That(echoes[i].Returned, Is.EqualTo(echoes[i].Sent).And.GreaterThan((int)(s_churnTime / s_echoInterval) / 4), $"steady-{i}: echoes kept coming back");
                });
            }

            await TestContext.Out.WriteLineAsync(string.Join(Environment.NewLine, report));
            Assert.Multiple(() =>
            {
                Assert.That(joins, Is.GreaterThanOrEqualTo(2 * ChurnSlots), "the churn went through the slots more than once");
                Assert.That(leaves, Is.GreaterThanOrEqualTo(ChurnSlots));
                Assert.That(Volatile.Read(ref echoFailures), Is.Zero, "the master echoed every message");
                Assert.That(Volatile.Read(ref joinedEvents), Is.EqualTo(SteadyViewers + joins), "ViewerJoined once per join");
                Assert.That(Volatile.Read(ref leftEvents), Is.EqualTo(leaves), "ViewerLeft once per leave");
                Assert.That(master.Viewers.Count(v => v.ClientId.StartsWith("steady-", StringComparison.Ordinal)), Is.EqualTo(SteadyViewers), "the steady viewers stayed joined");
            });
        }
        finally
        {
            // Also on a failed assertion: nothing keeps running after the test.
            if (camera is not null)
            {
                await camera.DisposeAsync();
            }

            await stopPings.CancelAsync();
            await stop.CancelAsync();
            await Task.WhenAll(background.Concat(pings).Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
            foreach (var viewer in churn)
            {
                await viewer.Session.DisposeAsync();
            }

            foreach (var viewer in steady)
            {
                await viewer.DisposeAsync();
            }
        }

        async Task EchoAsync(KvsPeerMessage message)
        {
            try
            {
                await master.SendAsync(message.ClientId, "echo " + message.Text, cancellationToken);
            }
            catch (Exception ex) when (ex is KvsSessionException or WebRtcException or OperationCanceledException)
            {
                // A churn viewer may leave right after its message; only the steady viewers' echoes are asserted.
                if (message.ClientId.StartsWith("steady-", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref echoFailures);
                }
            }
        }
    }

    /// <summary>
    /// Connects a churn viewer (the master must have a free slot), reads its first frame (a key frame) and has one
    /// message echoed; returns how long that took, and adds the time to a connected session to <paramref name="connectTimes"/>.
    /// </summary>
    private async Task<TimeSpan> JoinAsync(MasterSession master, List<(string ClientId, ViewerSession Session)> churn, string clientId, List<TimeSpan> connectTimes, CancellationToken cancellationToken)
    {
        Assert.That(master.Viewers, Has.Count.LessThan(MaxViewers), $"a free slot for {clientId}");
        var watch = Stopwatch.StartNew();
        var session = await ViewerSession.ConnectAsync(new ViewerSessionOptions { Channel = ChannelOptions, ClientId = clientId, PeerConfiguration = Loopback, ReceiveAudio = false, ConnectTimeout = s_viewerConnectTimeout }, cancellationToken);
        connectTimes.Add(watch.Elapsed);
        churn.Add((clientId, session));
        await WaitUntilAsync(() => master.Viewers.Any(v => v.ClientId == clientId), cancellationToken);
        var first = await ReadFramesAsync(session.VideoTrack!, 1, cancellationToken);
        Assert.That(first, Has.Count.EqualTo(1), $"{clientId} receives video");
        Assert.That(first[0].IsKeyFrame, Is.True, $"{clientId} starts on a key frame");
        var echoed = session.Messages.FirstAsync(m => m.Text == "echo hello from " + clientId).ToTask(cancellationToken);
        await session.SendAsync("hello from " + clientId, cancellationToken);
        await echoed.WaitAsync(WaitTimeout, cancellationToken);
        return watch.Elapsed;
    }

    /// <summary>Disposes a churn viewer and waits until the master has let it go; returns how long that took.</summary>
    private static async Task<TimeSpan> LeaveAsync(MasterSession master, List<(string ClientId, ViewerSession Session)> churn, (string ClientId, ViewerSession Session) leaving, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        churn.Remove(leaving);
        await leaving.Session.DisposeAsync();
        await WaitUntilAsync(() => master.Viewers.All(v => v.ClientId != leaving.ClientId), cancellationToken);
        Assert.That(master.Viewers, Has.Count.EqualTo(SteadyViewers + churn.Count), $"after {leaving.ClientId} left");
        return watch.Elapsed;
    }

    private static async Task ReadAllAsync(RemoteMediaTrack track, List<(uint RtpTimestamp, long ArrivedAt)> received, CancellationToken cancellationToken)
    {
        await foreach (var frame in track.ReadFramesAsync(cancellationToken).ConfigureAwait(false))
        {
            lock (received)
            {
                received.Add((frame.RtpTimestamp, Stopwatch.GetTimestamp()));
            }
        }
    }

    /// <summary>Pings the master every <see cref="s_echoInterval"/> until <paramref name="stop"/>; every ping's echo is awaited (5 s at most).</summary>
    private static async Task PingLoopAsync(ViewerSession viewer, string clientId, EchoStats stats, CancellationToken stop, CancellationToken cancellationToken)
    {
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var text = $"ping {n} from {clientId}";
            var echoed = viewer.Messages.FirstAsync(m => m.Text == "echo " + text).ToTask(cancellationToken);
            var watch = Stopwatch.StartNew();
            await viewer.SendAsync(text, cancellationToken).ConfigureAwait(false);
            stats.Sent++;
            try
            {
                await echoed.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
                stats.Returned++;
                stats.MaxRoundTrip = TimeSpan.FromTicks(Math.Max(stats.MaxRoundTrip.Ticks, watch.Elapsed.Ticks));
            }
            catch (TimeoutException)
            {
                stats.Failed++;
            }

            try
            {
                await Task.Delay(s_echoInterval, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Waits until every steady viewer has <paramref name="total"/> frames, or none got a frame for a second (a lost
    /// frame then fails the count and gap assertions with figures rather than a timeout).
    /// </summary>
    private static async Task WaitForLastFramesAsync(List<(uint RtpTimestamp, long ArrivedAt)>[] received, int total, CancellationToken cancellationToken)
    {
        var counts = received.Select(Count).ToArray();
        var quiet = Stopwatch.StartNew();
        var deadline = Stopwatch.StartNew();
        while (counts.Any(c => c < total) && quiet.Elapsed < TimeSpan.FromSeconds(1) && deadline.Elapsed < WaitTimeout)
        {
            await Task.Delay(20, cancellationToken);
            var now = received.Select(Count).ToArray();
            if (!now.SequenceEqual(counts))
            {
                counts = now;
                quiet.Restart();
            }
        }
    }

    private static int Count(List<(uint RtpTimestamp, long ArrivedAt)> frames)
    {
        lock (frames)
        {
            return frames.Count;
        }
    }

    private static List<(uint RtpTimestamp, long ArrivedAt)> Snapshot(List<(uint RtpTimestamp, long ArrivedAt)> frames)
    {
        lock (frames)
        {
            return [.. frames];
        }
    }

    private static TimeSpan Median(List<TimeSpan> values) => values.Count == 0 ? TimeSpan.Zero : values.Order().ElementAt(values.Count / 2);

    /// <summary>One steady viewer's echo counts (written by its ping loop, read after it stopped).</summary>
    private sealed class EchoStats
    {
        public int Sent { get; set; }

        public int Returned { get; set; }

        public int Failed { get; set; }

        public TimeSpan MaxRoundTrip { get; set; }
    }
}
