using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.Media;
using Kvs.WebRtc.Testing.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.Media;

/// <summary>ffmpeg decodes the committed media cleanly with the expected frame counts, and reports damage in a copy.</summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class FfmpegTests
{
    private static IEnumerable<TestCaseData> CommittedMedia()
    {
        yield return new TestCaseData("pattern-320x240.h264", "h264", TestMedia.VideoFrameCount).SetName("DecodeAsync_H264_Clean150Frames");
        yield return new TestCaseData("pattern-320x240.ivf", null, TestMedia.VideoFrameCount).SetName("DecodeAsync_Vp8Ivf_Clean150Frames");
        yield return new TestCaseData("pattern-320x240-h265.h265", "hevc", TestMedia.VideoFrameCount).SetName("DecodeAsync_H265_Clean150Frames");
        yield return new TestCaseData("tone-48k.ogg", null, TestMedia.OpusPacketCount).SetName("DecodeAsync_OpusOgg_CleanOneFramePerPacket");
        yield return new TestCaseData("tone-8k.pcmu", "mulaw", TestMedia.PcmuByteCount / 320).SetName("DecodeAsync_Pcmu_Clean320SampleFrames");
    }

    [TestCaseSource(nameof(CommittedMedia))]
    public async Task DecodeAsync_CommittedMedia(string file, string? format, int frames, CancellationToken cancellationToken)
    {
        var result = await Ffmpeg.DecodeAsync(Path.Combine(TestMedia.Directory, file), format, cancellationToken);

        Assert.That(result.IsClean, Is.True, result.ToString());
        Assert.That(result.FramesDecoded, Is.EqualTo(frames), result.ToString());
        Assert.That(result.DecodedDuration.TotalSeconds, Is.EqualTo(TestMedia.Duration.TotalSeconds).Within(0.05), result.ToString());
    }

    [TestCase("pattern-320x240.h264", "h264")]
    [TestCase("pattern-320x240.ivf", null)]
    public async Task DecodeAsync_CorruptedCopy_ReportsErrors(string file, string? format, CancellationToken cancellationToken)
    {
        var data = await File.ReadAllBytesAsync(Path.Combine(TestMedia.Directory, file), cancellationToken);
        // Damage every keyframe with seeded noise (H.264: the middle third of the IDR slice).
        var random = new Random(1234);
        if (format == "h264")
        {
            foreach (var unit in AnnexBReader.Read(data, AnnexBCodec.H264, TestMedia.FramesPerSecond).Where(u => u.IsKeyFrame))
            {
                var slice = unit.NalUnits[^1];
                random.NextBytes(data.AsSpan(Offset(data, slice) + (slice.Length / 3), slice.Length / 3));
            }
        }
        else
        {
            var offset = 32;
            foreach (var frame in IvfReader.Read(data.ToArray()).Frames)
            {
                if (frame.IsKeyFrame)
                {
                    // VP8's boolean decoder turns noise into some picture, so break the key frame start code (9D 01 2A).
                    random.NextBytes(data.AsSpan(offset + 12 + 3, 3));
                }

                offset += 12 + frame.Data.Length;
            }
        }

        var path = Path.Combine(Path.GetTempPath(), $"kvs-corrupt-{Guid.NewGuid():N}{Path.GetExtension(file)}");
        await File.WriteAllBytesAsync(path, data, cancellationToken);
        try
        {
            var result = await Ffmpeg.DecodeAsync(path, format, cancellationToken);

            Assert.That(result.Errors, Is.Not.Empty, result.ToString());
            Assert.That(result.IsClean, Is.False);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Where <paramref name="part"/> (a slice of <paramref name="whole"/>) starts in it.</summary>
    private static int Offset(byte[] whole, ReadOnlyMemory<byte> part) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(part, out var segment) && segment.Array == whole
            ? segment.Offset
            : throw new InvalidOperationException("The access unit is not a slice of the file bytes.");
}
