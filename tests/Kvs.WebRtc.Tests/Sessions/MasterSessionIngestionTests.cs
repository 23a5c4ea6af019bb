using Kvs.WebRtc.Emulator;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Sessions;
using Kvs.WebRtc.Signaling;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Sessions;

/// <summary>
/// WebRTC ingestion against the emulator: a master with <see cref="MasterSessionOptions.JoinStorageSession"/> joins the
/// storage session, answers the emulated storage peer's offer (no sender id) and streams into its recording, while an
/// ordinary viewer watches; a signaling reconnect joins again and the recording continues.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class MasterSessionIngestionTests : SessionFixture
{
    private string _recordings = null!;

    /// <inheritdoc />
    protected override string ChannelPrefix => "ingest-";

    /// <inheritdoc />
    protected override KvsEmulatorOptions CreateEmulatorOptions()
    {
        _recordings = Path.Combine(Path.GetTempPath(), "kvs-ingest-tests-" + Guid.NewGuid().ToString("N"));
        return new KvsEmulatorOptions { RecordingDirectory = _recordings, MaxStorageSessionViewers = 2, FfmpegPath = "" };
    }

    [TearDown]
    public void DeleteRecordings()
    {
        if (Directory.Exists(_recordings))
        {
            Directory.Delete(_recordings, recursive: true);
        }
    }

    [Test]
    public async Task StartAsync_ChannelWithoutMediaStorage_FailsWithMediaStorageNotEnabled(CancellationToken cancellationToken)
    {
        Emulator.CreateSignalingChannel(ChannelOptions.Channel);

        var error = Assert.ThrowsAsync<KvsSessionException>(
            async () => await MasterSession.StartAsync(new MasterSessionOptions { Channel = ChannelOptions, PeerConfiguration = Loopback, JoinStorageSession = true }, cancellationToken));

        Assert.That(error!.Error, Is.EqualTo(KvsSessionError.MediaStorageNotEnabled));
        Assert.That(error.Message, Does.Contain("UpdateMediaStorageConfiguration"));
        Assert.That(Emulator.Recordings, Is.Empty);
        Assert.That(Emulator.GetConnections(), Is.Empty, "the failed start left no signaling connection");
    }

    [Test]
    public async Task JoinStorageSession_RecordsTheMastersMedia_WhileAViewerWatches_AndDoesNotTakeAViewerSlot(CancellationToken cancellationToken)
    {
        var arn = Emulator.CreateSignalingChannel(ChannelOptions.Channel);
        Emulator.EnableMediaStorage(arn);
        var video = new EncodedFrameTrack(RTCRtpCodec.H264);
        var audio = new EncodedFrameTrack(RTCRtpCodec.Opus);
        await using var master = await MasterSession.StartAsync(
            new MasterSessionOptions { Channel = ChannelOptions, PeerConfiguration = Loopback, Tracks = [video, audio], JoinStorageSession = true, MaxViewers = 1 }, cancellationToken);
        Assert.That(master.StorageSessionJoins, Is.EqualTo(1));

        await WaitUntilAsync(() => master.StorageSessionConnection?.ConnectionState == RTCPeerConnectionState.Connected, cancellationToken);
        await using var viewer = await ViewerSession.ConnectAsync(ViewerOptions("live"), cancellationToken);
        await WaitUntilAsync(() => master.Viewers.Count == 1 && video.SenderCount == 2, cancellationToken);
        Assert.That(master.Viewers.Select(v => v.ClientId), Is.EqualTo(new[] { "live" }), "the storage peer is not a viewer, and MaxViewers = 1 left room for the live one");

        var live = ReadFramesAsync(viewer.VideoTrack!, 30, cancellationToken);
        await using var camera = LoopingCamera.Start(video, cancellationToken);
        await using var microphone = LoopingMicrophone.Start(audio, cancellationToken);
        await WaitUntilAsync(() => Recording(arn) is { VideoFrames: >= 60, AudioFrames: >= 50 }, cancellationToken);
        Assert.That(await live, Has.Count.EqualTo(30), "the live viewer gets frames while the storage peer records");

        var written = await camera.StopAsync();
        await WaitUntilAsync(() => Recording(arn)!.VideoFrames >= written - 3, cancellationToken);
        var recording = Recording(arn)!;
        Assert.That(recording.VideoFrames, Is.InRange(written - 3, written), "every frame the camera wrote after the storage peer connected");
        Assert.That(recording.Joins, Is.EqualTo(1));
        Assert.That(recording.IsConnected, Is.True);
        Assert.That(new FileInfo(recording.VideoPath).Length, Is.GreaterThan(2_000), "H.264 access units were written");
        Assert.That(File.ReadAllBytes(recording.AudioPath).AsSpan(0, 4).ToArray(), Is.EqualTo("OggS"u8.ToArray()));
    }

    [Test]
    public async Task SignalingReconnect_JoinsTheStorageSessionAgain_AndTheRecordingContinues(CancellationToken cancellationToken)
    {
        var arn = Emulator.CreateSignalingChannel(ChannelOptions.Channel);
        Emulator.EnableMediaStorage(arn);
        var video = new EncodedFrameTrack(RTCRtpCodec.H264);
        await using var master = await MasterSession.StartAsync(
            new MasterSessionOptions { Channel = ChannelOptions, PeerConfiguration = Loopback, Tracks = [video], JoinStorageSession = true }, cancellationToken);
        await using var camera = LoopingCamera.Start(video, cancellationToken);
        await WaitUntilAsync(() => Recording(arn) is { VideoFrames: >= 30 }, cancellationToken);
        var firstPath = Recording(arn)!.VideoPath;

        Assert.That(Emulator.Faults.DropConnections(c => c.Role == KvsEmulatorRole.Master), Is.EqualTo(1));

        await WaitUntilAsync(() => master.StorageSessionJoins == 2 && Recording(arn)!.Joins == 2, cancellationToken);
        var atRejoin = Recording(arn)!.VideoFrames;
        await WaitUntilAsync(() => Recording(arn) is { Connections: 2 } r && r.VideoFrames >= atRejoin + 45, cancellationToken);
        var recording = Recording(arn)!;
        Assert.That(recording.VideoPath, Is.EqualTo(firstPath), "one recording per session: the files continue");
        Assert.That(Emulator.Recordings, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task SignalingReconnect_RejoinRefused_RetriesWithBackOffUntilJoined(CancellationToken cancellationToken)
    {
        var arn = Emulator.CreateSignalingChannel(ChannelOptions.Channel);
        Emulator.EnableMediaStorage(arn);
        var video = new EncodedFrameTrack(RTCRtpCodec.H264);
        await using var master = await MasterSession.StartAsync(
            new MasterSessionOptions { Channel = ChannelOptions, PeerConfiguration = Loopback, Tracks = [video], JoinStorageSession = true }, cancellationToken);
        await WaitUntilAsync(() => Recording(arn) is { Connections: 1 }, cancellationToken);

        // The next two REST calls (the rejoins after the reconnect) are refused with a non-retryable error.
        var before = Emulator.GetStatistics().RestRequests;
        Emulator.Faults.FailNextRequests(2, System.Net.HttpStatusCode.BadRequest, "InvalidArgumentException");
        Emulator.Faults.DropConnections(c => c.Role == KvsEmulatorRole.Master);

        await WaitUntilAsync(() => master.StorageSessionJoins == 2 && Recording(arn) is { Joins: 2, Connections: 2 }, cancellationToken);
        Assert.That(Emulator.GetStatistics().RestRequests - before, Is.GreaterThanOrEqualTo(3), "two refused rejoins, then one that worked");
    }

    [Test]
    public async Task KvsChannel_ViewerWithMediaStorage_JoinsTheStorageSessionAsViewer(CancellationToken cancellationToken)
    {
        var arn = Emulator.CreateSignalingChannel(ChannelOptions.Channel);
        Emulator.EnableMediaStorage(arn);
        await using var plain = await KvsChannel.OpenViewerAsync(ChannelOptions, "plain-viewer", cancellationToken);
        await using var storage = await KvsChannel.OpenViewerAsync(CreateChannelOptions(o => o.UseMediaStorage = true), "storage-viewer", cancellationToken);

        Assert.That(() => plain.JoinStorageSessionAsync(cancellationToken), Throws.InvalidOperationException);
        Assert.That(storage.Endpoints.WebRtcEndpoint, Is.Not.Null);
        await storage.JoinStorageSessionAsync(cancellationToken);
        Assert.That(Emulator.Recordings.Single(), Has.Property(nameof(KvsEmulatorRecording.ViewerJoins)).EqualTo(1)
            .And.Property(nameof(KvsEmulatorRecording.VideoFrames)).EqualTo(0), "a viewer may join before the master: the session waits for it");
    }

    [Test]
    public async Task ViewerSession_JoinStorageSession_GetsTheMastersVideoAndAudioThroughTheStorageSession_NotFromTheMaster(CancellationToken cancellationToken)
    {
        var arn = Emulator.CreateSignalingChannel(ChannelOptions.Channel);
        Emulator.EnableMediaStorage(arn);
        var video = new EncodedFrameTrack(RTCRtpCodec.H264);
        var audio = new EncodedFrameTrack(RTCRtpCodec.Opus);
        await using var master = await MasterSession.StartAsync(
            new MasterSessionOptions { Channel = ChannelOptions, PeerConfiguration = Loopback, Tracks = [video, audio], JoinStorageSession = true }, cancellationToken);
        await WaitUntilAsync(() => master.StorageSessionConnection?.ConnectionState == RTCPeerConnectionState.Connected, cancellationToken);
        await using var camera = LoopingCamera.Start(video, cancellationToken);
        await using var microphone = LoopingMicrophone.Start(audio, cancellationToken);

        await using var viewer = await ViewerSession.ConnectAsync(StorageViewerOptions("through-storage"), cancellationToken);

        var frames = await ReadFramesAsync(viewer.VideoTrack!, 30, cancellationToken);
        var sound = await ReadFramesAsync(viewer.AudioTrack!, 25, cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(viewer.StorageSessionJoins, Is.GreaterThanOrEqualTo(1));
            Assert.That(frames, Has.Count.EqualTo(30));
            Assert.That(frames[0].IsKeyFrame, Is.True, "a viewer joining a running stream starts on a key frame (the session asked the master for one)");
            Assert.That(sound, Has.Count.EqualTo(25));
            Assert.That(master.Viewers, Is.Empty, "the viewer is the storage session's, not the master's");
            Assert.That(Recording(arn), Has.Property(nameof(KvsEmulatorRecording.Viewers)).EqualTo(1).And.Property(nameof(KvsEmulatorRecording.ViewerJoins)).EqualTo(1));
        });
    }

    [Test]
    public async Task ViewerSession_JoinStorageSession_ChannelWithoutMediaStorage_FailsWithMediaStorageNotEnabled(CancellationToken cancellationToken)
    {
        Emulator.CreateSignalingChannel(ChannelOptions.Channel);

        var error = Assert.ThrowsAsync<KvsSessionException>(async () => await ViewerSession.ConnectAsync(StorageViewerOptions("v"), cancellationToken));
        Assert.That(error!.Error, Is.EqualTo(KvsSessionError.MediaStorageNotEnabled));
        var withoutStorage = ViewerOptions("v");
        withoutStorage.JoinStorageSession = true;
        var refused = Assert.ThrowsAsync<ArgumentException>(
            async () => await ViewerSession.ConnectAsync(withoutStorage, cancellationToken),
            "JoinStorageSession without UseMediaStorage is refused at the door");
        Assert.That(refused!.ParamName, Is.EqualTo(nameof(ViewerSessionOptions.JoinStorageSession)));
    }

    [Test]
    public async Task ViewerSession_JoinStorageSession_SessionViewerLimitReached_FailsWithTheServiceErrorAtOnce(CancellationToken cancellationToken)
    {
        var arn = Emulator.CreateSignalingChannel(ChannelOptions.Channel);
        Emulator.EnableMediaStorage(arn);
        var video = new EncodedFrameTrack(RTCRtpCodec.H264);
        await using var master = await MasterSession.StartAsync(new MasterSessionOptions { Channel = ChannelOptions, PeerConfiguration = Loopback, Tracks = [video], JoinStorageSession = true }, cancellationToken);
        await using var camera = LoopingCamera.Start(video, cancellationToken);
        await using var first = await ViewerSession.ConnectAsync(StorageViewerOptions("first"), cancellationToken);
        await using var second = await ViewerSession.ConnectAsync(StorageViewerOptions("second"), cancellationToken);

        var started = DateTime.UtcNow;
        var error = Assert.ThrowsAsync<SignalingException>(
            async () => await ViewerSession.ConnectAsync(StorageViewerOptions("third"), cancellationToken));
        Assert.That((error!.Error, error.ErrorCode), Is.EqualTo((SignalingError.ClientLimitExceeded, "ClientLimitExceededException")));
        Assert.That(error!.Message, Does.Contain("maximum number of viewers"));
        Assert.That(DateTime.UtcNow - started, Is.LessThan(TimeSpan.FromSeconds(20)), "not retried until the connect timeout");
        Assert.That(Recording(arn)!.Viewers, Is.EqualTo(2));
    }

    private ViewerSessionOptions StorageViewerOptions(string clientId)
    {
        var options = ViewerOptions(clientId);
        options.Channel = CreateChannelOptions(o => o.UseMediaStorage = true);
        options.JoinStorageSession = true;
        return options;
    }

    private KvsEmulatorRecording? Recording(string arn) => Emulator.Recordings.SingleOrDefault(r => r.ChannelArn == arn);

    /// <summary>Opus packets of the test tone, looped every 20 ms.</summary>
    private sealed class LoopingMicrophone : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop;
        private readonly Task _loop;

        private LoopingMicrophone(EncodedFrameTrack audio, CancellationToken cancellationToken)
        {
            var packets = Kvs.WebRtc.Media.OggOpusReader.ReadFile(Kvs.WebRtc.Testing.Media.TestMedia.OpusOggPath).Packets;
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var token = _stop.Token;
            _loop = Task.Run(async () =>
            {
                var interval = TimeSpan.FromMilliseconds(20);
                using var timer = new PeriodicTimer(interval);
                for (var i = 0; await timer.WaitForNextTickAsync(token).ConfigureAwait(false); i++)
                {
                    await audio.WriteFrameAsync(new EncodedFrame(packets[i % packets.Count].Data, interval * i, true), token).ConfigureAwait(false);
                }
            }, CancellationToken.None);
        }

        public static LoopingMicrophone Start(EncodedFrameTrack audio, CancellationToken cancellationToken) => new(audio, cancellationToken);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _loop.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            _stop.Dispose();
        }
    }
}
