using Kvs.WebRtc.Media;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Testing.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Media;

/// <summary>The incremental (stdin) and frame-directory sources read the same frames as the whole-file readers.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class MediaFrameSourceTests
{
    private static readonly MediaFileSourceOptions s_options = new();

    [TestCase(AnnexBCodec.H264, 1)]
    [TestCase(AnnexBCodec.H264, 2)]
    [TestCase(AnnexBCodec.H265, 3)]
    public async Task AnnexBStream_ReadInSmallChunks_GivesTheFileReadersAccessUnits(AnnexBCodec codec, int seed)
    {
        var data = File.ReadAllBytes(codec == AnnexBCodec.H264 ? TestMedia.H264Path : TestMedia.H265Path);
        var expected = AnnexBReader.Read(data, codec, 30);
        using var source = new AnnexBStreamSource(new TrickleStream(data, seed), codec, s_options, "stdin");

        var frames = await ReadAllAsync(source);

        Assert.That(frames, Has.Count.EqualTo(TestMedia.VideoFrameCount));
        Assert.That(frames.Select(f => f.IsKeyFrame), Is.EqualTo(expected.Select(u => u.IsKeyFrame)));
        for (var i = 0; i < frames.Count; i++)
        {
            Assert.That(frames[i].Data, Is.EqualTo(expected[i].AccessUnit.ToArray()), $"access unit {i}");
        }

        Assert.That(frames[1].Duration, Is.EqualTo(TimeSpan.FromTicks(333_333)));
    }

    [Test]
    public async Task IvfStream_ReadInSmallChunks_GivesTheFileReadersFramesAndDurations()
    {
        var data = File.ReadAllBytes(TestMedia.Vp8IvfPath);
        var expected = IvfReader.Read(data).Frames;
        using var source = new IvfStreamSource(new TrickleStream(data, 7), s_options, "stdin");
        await source.ReadHeaderAsync(CancellationToken.None);

        var frames = await ReadAllAsync(source);

        Assert.That(source.Codec, Is.EqualTo(RTCRtpCodec.Vp8));
        Assert.That(frames.Select(f => f.Data), Is.EqualTo(expected.Select(f => f.Data.ToArray())));
        Assert.That(frames.Select(f => f.IsKeyFrame), Is.EqualTo(expected.Select(f => f.IsKeyFrame)));
        Assert.That(frames.Select(f => f.Duration.TotalMilliseconds), Is.All.EqualTo(1000.0 / 30).Within(0.01));
    }

    [Test]
    public async Task OggOpusStream_ReadInSmallChunks_GivesTheFileReadersPackets()
    {
        var data = File.ReadAllBytes(TestMedia.OpusOggPath);
        var expected = OggOpusReader.Read(data).Packets;
        using var source = new OggOpusStreamSource(new TrickleStream(data, 11), s_options, "stdin");

        var frames = await ReadAllAsync(source);

        Assert.That(frames, Has.Count.EqualTo(TestMedia.OpusPacketCount));
        Assert.That(frames.Select(f => f.Data), Is.EqualTo(expected.Select(p => p.Data.ToArray())));
        Assert.That(frames.Select(f => f.Duration), Is.All.EqualTo(TimeSpan.FromMilliseconds(20)));
    }

    [Test]
    public async Task AnnexBStream_ForbiddenBitInTheSecondAccessUnit_ThrowsWithItsStreamOffset()
    {
        var data = File.ReadAllBytes(TestMedia.H264Path);
        var units = AnnexBReader.Read(data, AnnexBCodec.H264, 30);
        var secondStart = units[0].AccessUnit.Length;
        data[Array.IndexOf(data, (byte)1, secondStart) + 1] |= 0x80; // the first NAL header byte after the start code
        using var source = new AnnexBStreamSource(new TrickleStream(data, 5), AnnexBCodec.H264, s_options, "camera.h264");

        var ex = Assert.ThrowsAsync<MediaFormatException>(async () => await ReadAllAsync(source));

        Assert.That(ex!.Offset, Is.EqualTo(secondStart));
        Assert.That(ex.SourceName, Is.EqualTo("camera.h264"));
        Assert.That(ex.Message, Does.Contain("forbidden_zero_bit").And.Contain($"byte {secondStart}"));
    }

    [Test]
    public async Task IvfStream_FrameOverTheLimit_ThrowsWithTheFrameOffset()
    {
        var data = File.ReadAllBytes(TestMedia.Vp8IvfPath);
        var firstSize = BitConverter.ToInt32(data, 32);
        var secondHeader = 32 + 12 + firstSize;
        BitConverter.GetBytes(int.MaxValue).CopyTo(data, secondHeader);
        using var source = new IvfStreamSource(new TrickleStream(data, 5), s_options, "camera.ivf");
        await source.ReadHeaderAsync(CancellationToken.None);

        var ex = Assert.ThrowsAsync<MediaFormatException>(async () => await ReadAllAsync(source));

        Assert.That(ex!.Offset, Is.EqualTo(secondHeader));
        Assert.That(ex.Message, Does.Contain("limit"));
    }

    [Test]
    public async Task OggOpusStream_BadCrcOnThirdPage_ThrowsWithThePageOffset()
    {
        var data = File.ReadAllBytes(TestMedia.OpusOggPath);
        var pages = PageOffsets(data);
        data[pages[2] + 30] ^= 0xFF;
        using var source = new OggOpusStreamSource(new TrickleStream(data, 5), s_options, "mic.ogg");

        var ex = Assert.ThrowsAsync<MediaFormatException>(async () => await ReadAllAsync(source));

        Assert.That(ex!.Offset, Is.EqualTo(pages[2]));
        Assert.That(ex.Message, Does.Contain("CRC"));
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    public async Task StreamSources_MutatedInput_EndOrThrowMediaFormatException(int kind)
    {
        var path = kind switch { 0 => TestMedia.H264Path, 1 => TestMedia.Vp8IvfPath, _ => TestMedia.OpusOggPath };
        var original = File.ReadAllBytes(path).AsSpan(0, 6000).ToArray();
        var random = new Random(4242 + kind);
        var (ended, rejected) = (0, 0);
        for (var round = 0; round < 300; round++)
        {
            var data = original.AsSpan(0, random.Next(original.Length + 1)).ToArray();
            for (var flips = random.Next(1, 6); flips > 0 && data.Length > 0; flips--)
            {
                data[random.Next(data.Length)] = (byte)random.Next(256);
            }

            try
            {
                IMediaFrameSource source = kind switch
                {
                    0 => new AnnexBStreamSource(new MemoryStream(data), AnnexBCodec.H264, s_options, "x"),
                    1 => new IvfStreamSource(new MemoryStream(data), s_options, "x"),
                    _ => new OggOpusStreamSource(new MemoryStream(data), s_options, "x"),
                };
                using (source)
                {
                    if (source is IvfStreamSource ivf)
                    {
                        await ivf.ReadHeaderAsync(CancellationToken.None);
                    }

                    var frames = await ReadAllAsync(source);
                    Assert.That(frames.Sum(f => f.Data.Length), Is.LessThanOrEqualTo(data.Length + 4096));
                }

                ended++;
            }
            catch (MediaFormatException)
            {
                rejected++;
            }
        }

        Assert.That(ended + rejected, Is.EqualTo(300));
        Assert.That(rejected, Is.GreaterThan(0));
    }

    [Test]
    public async Task FrameDirectory_KvsSampleLayoutWithParameterSetsOnlyOnce_OrdersByNumberAndCompletesKeyFrames()
    {
        var units = AnnexBReader.ReadFile(TestMedia.H264Path, AnnexBCodec.H264, 30);
        var directory = Directory.CreateTempSubdirectory("kvs-frames-").FullName;
        try
        {
            for (var i = 0; i < 60; i++)
            {
                var unit = units[i].AccessUnit;
                if (i > 0)
                {
                    // Keep SPS/PPS only in the first file: the source must put them back in front of frame 30's IDR.
                    unit = Join(AnnexBReader.SplitNalUnits(unit).Where(n => AnnexBReader.NalType(n.Span, AnnexBCodec.H264) is not (7 or 8)));
                }

                File.WriteAllBytes(Path.Combine(directory, $"frame-{i + 1}.h264"), unit.ToArray()); // frame-1 .. frame-60: numeric, not text, order
            }

            File.WriteAllText(Path.Combine(directory, "README.txt"), "not a frame");
            using var source = new FrameDirectorySource(directory, s_options);

            var frames = await ReadAllAsync(source);

            Assert.That(source.Codec, Is.EqualTo(RTCRtpCodec.H264));
            Assert.That(frames, Has.Count.EqualTo(60));
            Assert.That(frames.Where(f => f.IsKeyFrame).Select(f => f.Index), Is.EqualTo(new[] { 0, 30 }));
            var keyNalTypes = AnnexBReader.SplitNalUnits(frames[30].Data).Select(n => AnnexBReader.NalType(n.Span, AnnexBCodec.H264)).ToList();
            Assert.That(keyNalTypes.Take(3), Is.EqualTo(new[] { 7, 8, 5 }).Or.EqualTo(new[] { 7, 8, 6 }));
            Assert.That(frames[5].Data, Is.EqualTo(File.ReadAllBytes(Path.Combine(directory, "frame-6.h264"))));

            source.Seek(30);
            Assert.That((await source.ReadAsync(CancellationToken.None))!.Value.Index, Is.EqualTo(30));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public void FrameDirectory_WithoutFrames_ThrowsMediaFormatException()
    {
        var directory = Directory.CreateTempSubdirectory("kvs-frames-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "notes.txt"), "x");

            Assert.That(() => new FrameDirectorySource(directory, s_options), Throws.TypeOf<MediaFormatException>().With.Message.Contains("No frame files"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task FrameDirectory_OpusAndAlawFrames_TakeTheirDurationsFromTheData()
    {
        var packets = OggOpusReader.ReadFile(TestMedia.OpusOggPath).Packets;
        var directory = Directory.CreateTempSubdirectory("kvs-frames-").FullName;
        try
        {
            for (var i = 0; i < 3; i++)
            {
                File.WriteAllBytes(Path.Combine(directory, $"sample-{i + 1:000}.opus"), packets[i].Data.ToArray());
            }

            using var opus = new FrameDirectorySource(directory, s_options);
            var frames = await ReadAllAsync(opus);
            Assert.That(opus.Codec, Is.EqualTo(RTCRtpCodec.Opus));
            Assert.That(frames.Select(f => f.Duration), Is.All.EqualTo(TimeSpan.FromMilliseconds(20)));

            foreach (var file in Directory.GetFiles(directory))
            {
                File.Delete(file);
            }

            File.WriteAllBytes(Path.Combine(directory, "sample-001.alaw"), new byte[160]);
            using var alaw = new FrameDirectorySource(directory, s_options);
            var alawFrames = await ReadAllAsync(alaw);
            Assert.That(alaw.Codec, Is.EqualTo(RTCRtpCodec.Pcma));
            Assert.That(alawFrames.Single().Duration, Is.EqualTo(TimeSpan.FromMilliseconds(20)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public void AnnexBParameterSetCache_KeyFrameWithItsOwnSets_IsReturnedAsIs()
    {
        var units = AnnexBReader.ReadFile(TestMedia.H264Path, AnnexBCodec.H264, 30);
        var cache = new AnnexBParameterSetCache(AnnexBCodec.H264);

        var first = cache.Apply(units[0].AccessUnit, isKeyFrame: true);
        var delta = cache.Apply(units[1].AccessUnit, isKeyFrame: false);

        Assert.That(first.Equals(units[0].AccessUnit), Is.True);
        Assert.That(delta.Equals(units[1].AccessUnit), Is.True);
        Assert.That(cache.Completed, Is.Zero);
    }

    private static async Task<List<(byte[] Data, TimeSpan Duration, bool IsKeyFrame, int Index)>> ReadAllAsync(IMediaFrameSource source)
    {
        var frames = new List<(byte[], TimeSpan, bool, int)>();
        for (var i = 0; i < 100_000; i++)
        {
            if (await source.ReadAsync(CancellationToken.None) is not { } frame)
            {
                return frames;
            }

            frames.Add((frame.Data.ToArray(), frame.Duration, frame.IsKeyFrame, frame.Index));
        }

        throw new AssertionException("The source never ended.");
    }

    private static ReadOnlyMemory<byte> Join(IEnumerable<ReadOnlyMemory<byte>> nals) =>
        nals.SelectMany(n => new byte[] { 0, 0, 0, 1 }.Concat(n.ToArray())).ToArray();

    private static List<int> PageOffsets(byte[] data)
    {
        var offsets = new List<int>();
        for (var offset = 0; offset + 27 <= data.Length;)
        {
            offsets.Add(offset);
            int segments = data[offset + 26];
            offset += 27 + segments + data.AsSpan(offset + 27, segments).ToArray().Sum(b => b);
        }

        return offsets;
    }
}
