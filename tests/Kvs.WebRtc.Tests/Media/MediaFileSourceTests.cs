using Kvs.WebRtc.Media;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Testing;
using Kvs.WebRtc.Testing.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Media;

/// <summary>The player: real-time pacing on a manual clock, looping, key frame replay, errors, cancellation.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class MediaFileSourceTests
{
    [Test]
    public void Open_EachTestFile_KnowsCodecAndFrameCount()
    {
        using var h264 = MediaFileSource.Open(TestMedia.H264Path);
        using var h265 = MediaFileSource.Open(TestMedia.H265Path);
        using var vp8 = MediaFileSource.Open(TestMedia.Vp8IvfPath);
        using var opus = MediaFileSource.Open(TestMedia.OpusOggPath);

        Assert.That(new[] { h264.Codec, h265.Codec, vp8.Codec, opus.Codec }, Is.EqualTo(new[] { RTCRtpCodec.H264, RTCRtpCodec.H265, RTCRtpCodec.Vp8, RTCRtpCodec.Opus }));
        Assert.That(new[] { h264.FrameCount, h265.FrameCount, vp8.FrameCount, opus.FrameCount }, Is.EqualTo(new int?[] { 150, 150, 150, TestMedia.OpusPacketCount }));
        Assert.That(h264.CanLoop, Is.True);
        Assert.That(h264.CreateTrack().Codec, Is.EqualTo(RTCRtpCodec.H264));
    }

    [Test]
    public void Open_UnknownExtensionOrMissingFile_Throws()
    {
        Assert.That(() => MediaFileSource.Open("clip.mp4"), Throws.TypeOf<MediaFormatException>().With.Message.Contains("extension"));
        Assert.That(() => MediaFileSource.Open("/nonexistent/clip.h264"), Throws.InstanceOf<IOException>());
    }

    [Test]
    public void Open_TruncatedIvf_ThrowsWithFileAndOffset()
    {
        var data = File.ReadAllBytes(TestMedia.Vp8IvfPath);
        var path = Path.Combine(Path.GetTempPath(), $"kvs-truncated-{Guid.NewGuid():N}.ivf");
        File.WriteAllBytes(path, data.AsSpan(0, 32 + 12 + 10).ToArray());
        try
        {
            var ex = Assert.Throws<MediaFormatException>(() => MediaFileSource.Open(path));

            Assert.That(ex!.SourceName, Is.EqualTo(path));
            Assert.That(ex.Offset, Is.EqualTo(32));
            Assert.That(ex.Message, Does.Contain(path).And.Contain("byte 32"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task PlayAsync_OnAManualClock_WritesEachFrameAtItsTime()
    {
        var time = new ManualTimeProvider();
        using var source = MediaFileSource.Open(TestMedia.Vp8IvfPath, new MediaFileSourceOptions { Loop = false, TimeProvider = time });
        var written = new List<(TimeSpan Timestamp, TimeSpan At)>();
        var start = time.GetTimestamp();
        var play = source.PlayAsync((f, _) => { written.Add((f.Timestamp, time.GetElapsedTime(start))); return ValueTask.CompletedTask; }, null, CancellationToken.None);

        await PumpAsync(time, play, TimeSpan.FromSeconds(1));
        Assert.That(written, Has.Count.InRange(30, 31), "one second of a 30 fps file");

        await PumpAsync(time, play, TimeSpan.FromSeconds(5));
        await play;
        Assert.That(written, Has.Count.EqualTo(150));
        Assert.That(written.Select(w => (w.At - w.Timestamp).Duration()), Is.All.LessThan(TimeSpan.FromMilliseconds(11)));
        Assert.That(written[^1].Timestamp.TotalSeconds, Is.EqualTo(149 / 30.0).Within(0.001));
        Assert.That(source.FramesWritten, Is.EqualTo(150));
        Assert.That(source.Loops, Is.Zero);
    }

    [Test]
    public async Task PlayAsync_Looping_MediaTimeRunsOnAcrossLoops()
    {
        var time = new ManualTimeProvider();
        using var source = MediaFileSource.Open(TestMedia.OpusOggPath, new MediaFileSourceOptions { TimeProvider = time });
        var timestamps = new List<TimeSpan>();
        using var stop = new CancellationTokenSource();
        var play = source.PlayAsync((f, _) => { timestamps.Add(f.Timestamp); return ValueTask.CompletedTask; }, null, stop.Token);

        await PumpAsync(time, play, TimeSpan.FromSeconds(12));
        await stop.CancelAsync();

        Assert.That(source.Loops, Is.EqualTo(2));
        Assert.That(timestamps, Is.Ordered.Ascending);
        Assert.That(timestamps.Zip(timestamps.Skip(1), (a, b) => b - a), Is.All.EqualTo(TimeSpan.FromMilliseconds(20)));
        Assert.That(async () => await play, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task PlayAsync_KeyFrameRequestedMidGop_PlaysOnFromTheLastKeyFrame()
    {
        var time = new ManualTimeProvider();
        using var source = MediaFileSource.Open(TestMedia.H264Path, new MediaFileSourceOptions { Loop = false, TimeProvider = time });
        var written = new List<(ReadOnlyMemory<byte> Data, TimeSpan Timestamp, bool IsKeyFrame)>();
        var play = source.PlayAsync((f, _) => { written.Add((f.Data, f.Timestamp, f.IsKeyFrame)); return ValueTask.CompletedTask; }, null, CancellationToken.None);
        await PumpAsync(time, play, TimeSpan.FromSeconds(40 / 30.0)); // frames 0..40 written
        var before = written.Count;

        source.RequestKeyFrame();
        await PumpAsync(time, play, TimeSpan.FromSeconds(0.1));

        Assert.That(source.KeyFrameReplays, Is.EqualTo(1));
        Assert.That(written[before].IsKeyFrame, Is.True, "the next frame written is a key frame");
        Assert.That(written[before].Data.ToArray(), Is.EqualTo(written[30].Data.ToArray()), "the last key frame (frame 30), again");
        Assert.That(written[before + 1].Data.ToArray(), Is.EqualTo(written[31].Data.ToArray()), "then the frames after it");
        Assert.That(written.Select(w => w.Timestamp), Is.Ordered.Ascending.And.Unique, "media time runs on");
        var nalTypes = AnnexBReader.SplitNalUnits(written[before].Data).Select(n => AnnexBReader.NalType(n.Span, AnnexBCodec.H264)).ToList();
        Assert.That(nalTypes, Does.Contain(7).And.Contain(8), "with its parameter sets");

        // A viewer that joined during the replay is answered at once too, by skipping ahead to the next key frame
        // (frame 60) rather than rewinding again: requests cannot hold playback in a loop.
        var beforeSkip = written.Count;
        source.RequestKeyFrame();
        await PumpAsync(time, play, TimeSpan.FromSeconds(0.1));
        Assert.That(source.KeyFrameReplays, Is.EqualTo(2));
        Assert.That(written[beforeSkip].IsKeyFrame, Is.True, "the next frame written is a key frame");
        Assert.That(written[beforeSkip].Data.ToArray(), Is.Not.EqualTo(written[30].Data.ToArray()), "the next one, not frame 30 again");
        Assert.That(written.Select(w => w.Timestamp), Is.Ordered.Ascending.And.Unique, "media time runs on");
    }

    [Test]
    public async Task PlayAsync_AudioTrack_IgnoresKeyFrameRequests()
    {
        var time = new ManualTimeProvider();
        using var source = MediaFileSource.Open(TestMedia.OpusOggPath, new MediaFileSourceOptions { Loop = false, TimeProvider = time });
        var count = 0;
        var play = source.PlayAsync((_, _) => { count++; return ValueTask.CompletedTask; }, null, CancellationToken.None);

        await PumpAsync(time, play, TimeSpan.FromSeconds(1));
        source.RequestKeyFrame();
        await PumpAsync(time, play, TimeSpan.FromSeconds(6));
        await play;

        Assert.That(source.KeyFrameReplays, Is.Zero);
        Assert.That(count, Is.EqualTo(TestMedia.OpusPacketCount));
    }

    [Test]
    public async Task PlayAsync_TwiceAtOnce_Throws()
    {
        var time = new ManualTimeProvider();
        using var source = MediaFileSource.Open(TestMedia.OpusOggPath, new MediaFileSourceOptions { TimeProvider = time });
        using var stop = new CancellationTokenSource();
        var play = source.PlayAsync((_, _) => ValueTask.CompletedTask, null, stop.Token);

        Assert.That(async () => await source.PlayAsync((_, _) => ValueTask.CompletedTask, null, CancellationToken.None), Throws.InvalidOperationException);
        await stop.CancelAsync();
        await PumpAsync(time, play, TimeSpan.FromMilliseconds(40));
        Assert.That(play.IsCanceled, Is.True);
    }

    [Test]
    public async Task FromStreamAsync_AnnexBPipe_PlaysToTheEndAndDisposesTheStream()
    {
        var time = new ManualTimeProvider();
        var stream = new TrickleStream(File.ReadAllBytes(TestMedia.H264Path), 3);
        using var source = await MediaFileSource.FromStreamAsync(stream, MediaFileFormat.H264AnnexB, new MediaFileSourceOptions { TimeProvider = time, FramesPerSecond = 25 });
        var keyFrames = 0;
        var play = source.PlayAsync((f, _) => { keyFrames += f.IsKeyFrame ? 1 : 0; return ValueTask.CompletedTask; }, null, CancellationToken.None);

        await PumpAsync(time, play, TimeSpan.FromSeconds(7));
        await play;
        source.Dispose();

        Assert.That(source.CanLoop, Is.False);
        Assert.That(source.FrameCount, Is.Null);
        Assert.That(source.FramesWritten, Is.EqualTo(150));
        Assert.That(keyFrames, Is.EqualTo(TestMedia.KeyFrameCount));
        Assert.That(stream.Disposed, Is.True);
    }

    [Test]
    public async Task PlayAsync_MalformedStream_FailsWithMediaFormatException()
    {
        var data = File.ReadAllBytes(TestMedia.OpusOggPath);
        data[5000] ^= 0x55;
        var time = new ManualTimeProvider();
        using var source = await MediaFileSource.FromStreamAsync(new MemoryStream(data), MediaFileFormat.OggOpus, new MediaFileSourceOptions { TimeProvider = time });
        var play = source.PlayAsync((_, _) => ValueTask.CompletedTask, null, CancellationToken.None);

        await PumpAsync(time, play, TimeSpan.FromSeconds(6));

        Assert.That(async () => await play, Throws.TypeOf<MediaFormatException>().With.Property(nameof(MediaFormatException.Offset)).GreaterThan(0));
    }

    /// <summary>Advances <paramref name="time"/> in 5 ms steps for <paramref name="duration"/>, letting the player park on its next timer after each.</summary>
    private static async Task PumpAsync(ManualTimeProvider time, Task play, TimeSpan duration)
    {
        for (var elapsed = TimeSpan.Zero; elapsed < duration && !play.IsCompleted; elapsed += TimeSpan.FromMilliseconds(5))
        {
            await SettleAsync(time, play);
            time.Advance(TimeSpan.FromMilliseconds(5));
        }

        await SettleAsync(time, play);
    }

    private static async Task SettleAsync(ManualTimeProvider time, Task play)
    {
        for (var i = 0; i < 10_000 && time.NextDue is null && !play.IsCompleted; i++)
        {
            await Task.Yield();
        }
    }
}
