using Kvs.WebRtc.Emulator;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Sessions;
using Kvs.WebRtc.Signaling;
using Kvs.WebRtc.Testing;
using Kvs.WebRtc.Testing.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Sessions;

/// <summary>
/// Signaling is only for setting up: when it breaks, media to connected viewers keeps flowing, the master reconnects
/// (forever, by default), and new viewers can join once it is back.
/// </summary>
[TestFixture]
[CancelAfter(180_000)]
public sealed class SignalingOutageTests : SessionFixture
{
    private const int Drops = 100;
    private const int JoinEvery = 10;

    /// <inheritdoc />
    protected override string ChannelPrefix => "outage-";

    [Test]
    public async Task SignalingDropped100TimesMidStream_ConnectedViewerMissesNoFrame_NewViewersJoinAfterReconnects(CancellationToken cancellationToken)
    {
        var video = new EncodedFrameTrack(RTCRtpCodec.H264);
        await using var master = await MasterSession.StartAsync(new MasterSessionOptions { Channel = ChannelOptions, PeerConfiguration = Loopback, Tracks = [video] }, cancellationToken);
        await using var watcher = await ViewerSession.ConnectAsync(new ViewerSessionOptions { Channel = ChannelOptions, ClientId = "watcher", PeerConfiguration = Loopback, ReceiveAudio = false }, cancellationToken);
        await WaitUntilAsync(() => video.SenderCount == 1, cancellationToken);

        // The camera: the test file looped at 30 fps, timestamps growing without a break, until the drops are done.
        await using var camera = LoopingCamera.Start(video, cancellationToken);

        var received = new List<EncodedFrame>();
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reader = Task.Run(async () =>
        {
            await foreach (var frame in watcher.VideoTrack!.ReadFramesAsync(stopReading.Token).ConfigureAwait(false))
            {
                lock (received)
                {
                    received.Add(frame);
                }
            }
        }, CancellationToken.None);

        var joined = 0;
        for (var drop = 1; drop <= Drops; drop++)
        {
            var before = MasterConnectionId();
            Assert.That(Emulator.Faults.DropConnections(c => c.Role == KvsEmulatorRole.Master), Is.EqualTo(1), $"drop {drop}: one master connection to drop");
            await WaitUntilAsync(() => MasterConnectionId() is { } now && now != before, cancellationToken);
            if (drop % JoinEvery == 0)
            {
                // A new viewer joins through the reconnected signaling channel and gets video.
                await using var late = await ViewerSession.ConnectAsync(new ViewerSessionOptions { Channel = ChannelOptions, ClientId = "late-" + drop, PeerConfiguration = Loopback, ReceiveAudio = false }, cancellationToken);
                var first = await ReadFramesAsync(late.VideoTrack!, 1, cancellationToken);
                Assert.That(first, Has.Count.EqualTo(1), $"the viewer joining after drop {drop} receives video");
                Assert.That(first[0].IsKeyFrame, Is.True, "a joining viewer starts on a key frame");
                joined++;
            }
        }

        var total = await camera.StopAsync();
        await WaitUntilAsync(() => Count(received) >= total, cancellationToken);
        await stopReading.CancelAsync();
        await reader.ContinueWith(_ => { }, TaskScheduler.Default);

        List<EncodedFrame> frames;
        lock (received)
        {
            frames = [.. received];
        }

        // 1/30 s is not a whole number of ticks: a step may round to one RTP unit either side of 3,000; a lost frame is ~6,000.
        var gaps = frames.Zip(frames.Skip(1)).Count(p => Math.Abs((int)unchecked(p.Second.RtpTimestamp - p.First.RtpTimestamp) - (90_000 / TestMedia.FramesPerSecond)) > 1);
        await TestContext.Out.WriteLineAsync($"{Drops} signaling drops; frames written {total}, received by the connected viewer {frames.Count}, gaps {gaps}; late viewers joined {joined}");
        Assert.Multiple(() =>
        {
            Assert.That(frames, Has.Count.EqualTo(total), "every frame written reached the viewer connected throughout");
            Assert.That(gaps, Is.Zero, "consecutive RTP timestamps one frame apart (no frame missing in between)");
            Assert.That(joined, Is.EqualTo(Drops / JoinEvery));
            Assert.That(master.Viewers.Any(v => v.ClientId == "watcher"), Is.True, "the first viewer is still joined");
        });
    }

    [Test]
    public async Task TwoMinuteSignalingOutage_OnAVirtualClock_MasterKeepsTryingWithDefaultsAndReconnects(CancellationToken cancellationToken)
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var options = CreateChannelOptions(o => o.TimeProvider = clock);
        await using var channel = await KvsChannel.ConnectAsMasterAsync(options, cancellationToken);
        Assert.That(channel.Signaling.State, Is.EqualTo(SignalingConnectionState.Connected));

        // Two minutes of outage: every connect attempt is refused while the virtual clock runs.
        Emulator.Faults.RejectNextConnects(int.MaxValue);
        var rejectedBefore = Emulator.GetStatistics().ConnectionsRejected;
        Assert.That(Emulator.Faults.DropConnections(c => c.Role == KvsEmulatorRole.Master), Is.EqualTo(1));
        var outage = TimeSpan.FromMinutes(2);
        for (var elapsed = TimeSpan.Zero; elapsed < outage; elapsed += TimeSpan.FromSeconds(1))
        {
            await SettleAsync(cancellationToken);
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        await SettleAsync(cancellationToken);
        var attempts = Emulator.GetStatistics().ConnectionsRejected - rejectedBefore;
        Assert.That(channel.Signaling.State, Is.Not.EqualTo(SignalingConnectionState.Failed).And.Not.EqualTo(SignalingConnectionState.Closed),
            "a master does not give up during a two-minute outage");
        // Capped back-off (10 s by default, jittered down to half): at least one attempt per 10 s of outage.
        Assert.That(attempts, Is.GreaterThanOrEqualTo((long)(outage / TimeSpan.FromSeconds(10))), "attempts during the outage");

        // The service is back: the next attempt, at most one capped delay later, connects.
        Emulator.Faults.Reset();
        for (var waited = TimeSpan.Zero; channel.Signaling.State != SignalingConnectionState.Connected; waited += TimeSpan.FromSeconds(1))
        {
            Assert.That(waited, Is.LessThanOrEqualTo(TimeSpan.FromSeconds(11)), "reconnected within one capped back-off delay");
            clock.Advance(TimeSpan.FromSeconds(1));
            await SettleAsync(cancellationToken);
        }

        await TestContext.Out.WriteLineAsync($"{attempts} refused attempts during a {outage.TotalSeconds} s virtual outage, then reconnected");
        Assert.That(Emulator.GetConnections().Count(c => c.Role == KvsEmulatorRole.Master), Is.EqualTo(1));
    }

    // Lets the real-time work a virtual-clock step released (an HTTP upgrade against the emulator) run; bounded.
    private static async Task SettleAsync(CancellationToken cancellationToken) => await Task.Delay(100, cancellationToken);

    private long? MasterConnectionId() => Emulator.GetConnections().FirstOrDefault(c => c.Role == KvsEmulatorRole.Master)?.ConnectionId;

    private static int Count(List<EncodedFrame> frames)
    {
        lock (frames)
        {
            return frames.Count;
        }
    }
}
