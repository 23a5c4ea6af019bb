using Kvs.WebRtc.Emulator;
using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.Media;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Sessions;
using Kvs.WebRtc.Signaling.Auth;
using Kvs.WebRtc.Testing.Media;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.Ingestion;

/// <summary>
/// WebRTC ingestion end to end: a master in ingestion mode streams 10 s of the test H.264 and Opus to the emulator's
/// storage session while a viewer watches live and another viewer watches through the storage session
/// (<c>JoinStorageSessionAsViewer</c>); Debian ffmpeg, an independent decoder, decodes the recording, raw and muxed to
/// Matroska, with the frame count and duration that were sent. Fails (not skips) under <c>CI=true</c> when ffmpeg is missing.
/// </summary>
[TestFixture]
[CancelAfter(180_000)]
public sealed class IngestionFfmpegTests
{
    private static readonly TimeSpan s_streamFor = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    [Test]
    public async Task MasterInIngestionMode_TenSecondsOfVideoAndAudio_RecordingDecodesWithTheSentFramesAndDuration_AndAStorageViewerWatches(CancellationToken cancellationToken)
    {
        Ffmpeg.RequireFfmpeg();
        var recordings = Path.Combine(Path.GetTempPath(), "kvs-ingest-interop-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var emulator = await KvsEmulator.StartAsync(new KvsEmulatorOptions { RecordingDirectory = recordings }, cancellationToken);
            var channelName = "ingest-" + Guid.NewGuid().ToString("N");
            var arn = emulator.CreateSignalingChannel(channelName);
            emulator.EnableMediaStorage(arn);
            var channel = new KvsChannelOptions
            {
                Channel = channelName,
                Region = emulator.Region,
                ServiceUrl = emulator.ServiceUrl,
                Credentials = new StaticCredentialsProvider(emulator.Credentials),
                UseTurn = false,
            };
            var loopback = new RTCConfiguration { IncludeLoopbackCandidates = true, EnableIpv6 = false, HostAddresses = [System.Net.IPAddress.Loopback] };
            var video = new EncodedFrameTrack(RTCRtpCodec.H264);
            var audio = new EncodedFrameTrack(RTCRtpCodec.Opus);
            await using var master = await MasterSession.StartAsync(
                new MasterSessionOptions { Channel = channel, PeerConfiguration = loopback, Tracks = [video, audio], JoinStorageSession = true }, cancellationToken);
            await using var viewer = await ViewerSession.ConnectAsync(
                new ViewerSessionOptions { Channel = channel, ClientId = "live-viewer", PeerConfiguration = loopback }, cancellationToken);
            await WaitUntilAsync(() => master.StorageSessionConnection?.ConnectionState == RTCPeerConnectionState.Connected && video.SenderCount == 2 && audio.SenderCount == 2, cancellationToken);

            await using var storageViewer = await ViewerSession.ConnectAsync(
                new ViewerSessionOptions
                {
                    Channel = new KvsChannelOptions
                    {
                        Channel = channelName,
                        Region = emulator.Region,
                        ServiceUrl = emulator.ServiceUrl,
                        Credentials = new StaticCredentialsProvider(emulator.Credentials),
                        UseTurn = false,
                        UseMediaStorage = true,
                    },
                    ClientId = "storage-viewer",
                    PeerConfiguration = loopback,
                    JoinStorageSession = true,
                },
                cancellationToken);
            Assert.That(master.Viewers.Select(v => v.ClientId), Is.EqualTo(new[] { "live-viewer" }), "the storage viewer talks to the storage session, not to the master");

            var live = CountFramesAsync(viewer.VideoTrack!, (int)(s_streamFor.TotalSeconds * TestMedia.FramesPerSecond) - 3, cancellationToken);
            var throughStorage = CountFramesAsync(storageViewer.VideoTrack!, (int)(s_streamFor.TotalSeconds * TestMedia.FramesPerSecond) - 10, cancellationToken);
            var (videoSent, audioSent) = await StreamAsync(video, audio, cancellationToken);
            await WaitUntilAsync(() => Recording(emulator, arn) is { } r && r.VideoFrames >= videoSent - 3 && r.AudioFrames >= audioSent - 5, cancellationToken);
            var recording = Recording(emulator, arn)!;
            await master.DisposeAsync();
            Assert.That(await live, Is.GreaterThanOrEqualTo(videoSent - 3), "the live viewer got the frames while the storage peer recorded");
            Assert.That(await throughStorage, Is.GreaterThanOrEqualTo(videoSent - 10), "the storage viewer got the master's frames through the storage session");
            Assert.That(recording.ViewerJoins, Is.EqualTo(1));

            await emulator.DisposeAsync(); // closes the recording files and muxes them to Matroska
            var muxed = Recording(emulator, arn)!.MatroskaPath;
            Assert.That(muxed, Is.Not.Null.And.EndsWith(".mkv"), "ffmpeg muxed the finished recording");
            var (duration, codecs) = await Ffmpeg.ProbeContainerAsync(muxed!, cancellationToken);
            var muxedVideo = await Ffmpeg.ProbeStreamAsync(muxed!, cancellationToken: cancellationToken);
            var decodedMuxed = await Ffmpeg.DecodeAsync(muxed!, cancellationToken: cancellationToken);
            var decodedVideo = await Ffmpeg.DecodeAsync(recording.VideoPath, "h264", cancellationToken);
            var decodedAudio = await Ffmpeg.DecodeAsync(recording.AudioPath, cancellationToken: cancellationToken);
            Assert.Multiple(() =>
            {
                Assert.That(recording.VideoFrames, Is.InRange(videoSent - 3, videoSent), "video frames recorded");
                Assert.That(recording.AudioFrames, Is.InRange(audioSent - 5, audioSent), "audio packets recorded");
                Assert.That(decodedVideo.IsClean, Is.True, decodedVideo.ToString());
                Assert.That(decodedVideo.FramesDecoded, Is.InRange(videoSent - 3, videoSent), "H.264 frames ffmpeg decodes");
                Assert.That(decodedAudio.IsClean, Is.True, decodedAudio.ToString());
                Assert.That(decodedAudio.DecodedDuration.TotalSeconds, Is.EqualTo(s_streamFor.TotalSeconds).Within(0.5), "Opus duration ffmpeg decodes");
                Assert.That(codecs, Is.EqualTo(new[] { "h264", "opus" }), "one Matroska file with the video and the audio");
                Assert.That(duration.TotalSeconds, Is.EqualTo(s_streamFor.TotalSeconds).Within(s_streamFor.TotalSeconds * 0.1), "Matroska duration");
                Assert.That(muxedVideo.FramesRead, Is.InRange(videoSent - 3, videoSent), "video frames in the Matroska file");
                Assert.That(decodedMuxed.IsClean, Is.True, decodedMuxed.ToString());
            });
        }
        finally
        {
            if (Directory.Exists(recordings))
            {
                Directory.Delete(recordings, recursive: true);
            }
        }
    }

    private static KvsEmulatorRecording? Recording(KvsEmulator emulator, string arn) => emulator.Recordings.SingleOrDefault(r => r.ChannelArn == arn);

    /// <summary>Writes <see cref="s_streamFor"/> of the looped test video (30 fps) and tone (20 ms packets) in real time.</summary>
    private static async Task<(int Video, int Audio)> StreamAsync(EncodedFrameTrack video, EncodedFrameTrack audio, CancellationToken cancellationToken)
    {
        var frames = AnnexBReader.ReadFile(TestMedia.H264Path, AnnexBCodec.H264, TestMedia.FramesPerSecond).ToList();
        var packets = OggOpusReader.ReadFile(TestMedia.OpusOggPath).Packets;
        var frameInterval = TimeSpan.FromSeconds(1.0 / TestMedia.FramesPerSecond);
        var packetInterval = TimeSpan.FromMilliseconds(20);
        var videoCount = (int)(s_streamFor / frameInterval);
        var audioCount = (int)(s_streamFor / packetInterval);
        var videoLoop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(frameInterval);
            for (var i = 0; i < videoCount && await timer.WaitForNextTickAsync(cancellationToken); i++)
            {
                var frame = frames[i % frames.Count];
                await video.WriteFrameAsync(new EncodedFrame(frame.AccessUnit, frameInterval * i, frame.IsKeyFrame), cancellationToken);
            }
        }, cancellationToken);
        var audioLoop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(packetInterval);
            for (var i = 0; i < audioCount && await timer.WaitForNextTickAsync(cancellationToken); i++)
            {
                await audio.WriteFrameAsync(new EncodedFrame(packets[i % packets.Count].Data, packetInterval * i, true), cancellationToken);
            }
        }, cancellationToken);
        await Task.WhenAll(videoLoop, audioLoop);
        return (videoCount, audioCount);
    }

    private static async Task<int> CountFramesAsync(RemoteMediaTrack track, int enough, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(s_streamFor + s_wait);
        var count = 0;
        try
        {
            await foreach (var _ in track.ReadFramesAsync(limit.Token))
            {
                if (++count >= enough)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        return count;
    }

    private static Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken) => Wait.UntilAsync(condition, s_wait, cancellationToken: cancellationToken);
}
