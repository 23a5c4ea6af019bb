using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.Media;
using Kvs.WebRtc.Testing.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.Media;

/// <summary>
/// The shipped readers (<see cref="AnnexBReader"/>, <see cref="IvfReader"/>, <see cref="OggOpusReader"/>) agree with
/// ffprobe's parsers on the committed media. Their unit tests are in Kvs.WebRtc.Tests/Media.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class MediaReaderFfprobeTests
{
    [TestCase(AnnexBCodec.H264, "h264")]
    [TestCase(AnnexBCodec.H265, "hevc")]
    public async Task ReadFile_TestMedia_AccessUnitsMatchFfprobePackets(AnnexBCodec codec, string format, CancellationToken cancellationToken)
    {
        var path = codec == AnnexBCodec.H264 ? TestMedia.H264Path : TestMedia.H265Path;
        var packets = await Ffmpeg.ProbePacketsAsync(path, format, cancellationToken);

        var data = await File.ReadAllBytesAsync(path, cancellationToken);

        var units = AnnexBReader.Read(data, codec, TestMedia.FramesPerSecond);

        Assert.That(units, Has.Count.EqualTo(TestMedia.VideoFrameCount));
        Assert.That(packets, Has.Count.EqualTo(TestMedia.VideoFrameCount), "ffprobe");
        // Access unit starts agree with ffprobe's parser, except that ffmpeg's HEVC parser hands the zero_byte of a
        // 4-byte start code to the previous unit, while Annex B (B.2) puts it in the unit it opens, as this reader does.
        var probeStarts = packets.Select(p => p.Size).Aggregate(new List<int> { 0 }, (starts, size) => { starts.Add(starts[^1] + size); return starts; });
        var starts = units.Select(u => Offset(data, u.AccessUnit)).ToList();
        for (var i = 0; i < units.Count; i++)
        {
            var ours = starts[i];
            var theirs = probeStarts[i];
            Assert.That(ours == theirs || (ours == theirs - 1 && data.AsSpan(ours, 4).SequenceEqual((byte[])[0, 0, 0, 1])), Is.True,
                $"access unit {i} starts at {ours}, ffprobe's at {theirs}");
        }

        Assert.That(units.Select(u => u.IsKeyFrame), Is.EqualTo(packets.Select(p => p.IsKeyFrame)), "keyframe flags");
        Assert.That(units.Where(u => u.IsKeyFrame).Select(u => u.Index), Is.EqualTo(new[] { 0, 30, 60, 90, 120 }));
        Assert.That(units.Sum(u => u.AccessUnit.Length), Is.EqualTo(new FileInfo(path).Length), "the units tile the file");
    }

    [Test]
    public async Task ReadFile_Vp8TestMedia_HeaderAndFramesMatchFfprobe(CancellationToken cancellationToken)
    {
        var packets = await Ffmpeg.ProbePacketsAsync(TestMedia.Vp8IvfPath, cancellationToken: cancellationToken);

        var file = IvfReader.ReadFile(TestMedia.Vp8IvfPath);

        Assert.That((file.FourCc, file.Width, file.Height), Is.EqualTo(("VP80", TestMedia.Width, TestMedia.Height)));
        Assert.That((file.TimebaseNumerator, file.TimebaseDenominator), Is.EqualTo((1u, (uint)TestMedia.FramesPerSecond)));
        Assert.That(file.HeaderFrameCount, Is.EqualTo((uint)TestMedia.VideoFrameCount));
        Assert.That(file.Frames, Has.Count.EqualTo(TestMedia.VideoFrameCount));
        Assert.That(file.Frames.Select(f => f.Data.Length), Is.EqualTo(packets.Select(p => p.Size)), "frame sizes");
        Assert.That(file.Frames.Select(f => f.IsKeyFrame), Is.EqualTo(packets.Select(p => p.IsKeyFrame)), "key frames");
        Assert.That(file.Frames.Select(f => f.Pts), Is.EqualTo(packets.Select(p => p.Pts)), "pts");
        Assert.That(file.Frames.Count(f => f.IsKeyFrame), Is.EqualTo(TestMedia.KeyFrameCount));
        Assert.That(file.Frames[30].Timestamp, Is.EqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(file.Frames[1].RtpTimestamp(), Is.EqualTo(3000u));
    }

    [Test]
    public async Task ReadFile_TestMedia_PacketsMatchFfprobe(CancellationToken cancellationToken)
    {
        var packets = await Ffmpeg.ProbePacketsAsync(TestMedia.OpusOggPath, cancellationToken: cancellationToken);
        var stream = await Ffmpeg.ProbeStreamAsync(TestMedia.OpusOggPath, cancellationToken: cancellationToken);

        var file = OggOpusReader.ReadFile(TestMedia.OpusOggPath);

        Assert.That((stream.CodecName, stream.SampleRate, stream.Channels), Is.EqualTo(("opus", 48_000, TestMedia.OpusChannels)));
        Assert.That((file.Channels, file.PreSkip, file.InputSampleRate), Is.EqualTo((TestMedia.OpusChannels, TestMedia.OpusPreSkip, 48_000u)));
        Assert.That(file.Packets, Has.Count.EqualTo(TestMedia.OpusPacketCount));
        Assert.That(file.Packets.Select(p => p.Data.Length), Is.EqualTo(packets.Select(p => p.Size)), "packet sizes");
        // ffprobe trims the last packet to the end the final granule position sets (pre-skip + 5 s); RTP sends it whole.
        Assert.That(file.Packets.SkipLast(1).Select(p => (long)p.DurationSamples), Is.EqualTo(packets.SkipLast(1).Select(p => p.Duration)), "durations (1/48000)");
        Assert.That(packets[^1].Duration, Is.EqualTo(file.FinalGranulePosition - file.Packets[^1].Timestamp48K));
        Assert.That(file.FinalGranulePosition - file.PreSkip, Is.EqualTo(48_000 * 5), "5 s of audio after the pre-skip");
        Assert.That(file.Packets.Select(p => p.DurationSamples), Is.All.EqualTo(TestMedia.OpusSamplesPerPacket));
        Assert.That(file.Packets.Select(p => p.Timestamp48K), Is.EqualTo(Enumerable.Range(0, file.Packets.Count).Select(i => i * 960L)));
        Assert.That(file.Packets[0].Duration, Is.EqualTo(TimeSpan.FromMilliseconds(20)));
    }

    /// <summary>Where <paramref name="part"/> (a slice of <paramref name="whole"/>) starts in it.</summary>
    private static int Offset(byte[] whole, ReadOnlyMemory<byte> part) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(part, out var segment) && segment.Array == whole
            ? segment.Offset
            : throw new InvalidOperationException("The access unit is not a slice of the file bytes.");
}
