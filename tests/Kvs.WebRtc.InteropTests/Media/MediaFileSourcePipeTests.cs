using System.Diagnostics;
using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.Media;
using Kvs.WebRtc.PeerConnection.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.Media;

/// <summary>
/// <see cref="MediaFileSource.FromStreamAsync"/> reads what Debian ffmpeg writes to a pipe (<c>-f h264 -</c>,
/// <c>-f hevc -</c>, <c>-f ivf -</c>, <c>-f ogg -</c>): every frame, with its key frames, as ffmpeg encoded them.
/// </summary>
[TestFixture]
[Category("Interop")]
[CancelAfter(120_000)]
public sealed class MediaFileSourcePipeTests
{
    private static IEnumerable<TestCaseData> Pipes()
    {
        yield return new TestCaseData(MediaFileFormat.H264AnnexB, new[] { "-pix_fmt", "yuv420p", "-c:v", "libx264", "-profile:v", "baseline", "-g", "15", "-bsf:v", "h264_mp4toannexb", "-f", "h264" }, "video/H264", 60, 4)
            .SetName("FromStreamAsync_FfmpegH264Pipe_EveryAccessUnitAndKeyFrame");
        yield return new TestCaseData(MediaFileFormat.H265AnnexB, new[] { "-c:v", "libx265", "-x265-params", "keyint=15:min-keyint=15:log-level=error", "-f", "hevc" }, "video/H265", 60, 4)
            .SetName("FromStreamAsync_FfmpegH265Pipe_EveryAccessUnitAndKeyFrame");
        yield return new TestCaseData(MediaFileFormat.Ivf, new[] { "-c:v", "libvpx", "-g", "15", "-auto-alt-ref", "0", "-f", "ivf" }, "video/VP8", 60, 4)
            .SetName("FromStreamAsync_FfmpegVp8IvfPipe_EveryFrameAndKeyFrame");
        yield return new TestCaseData(MediaFileFormat.OggOpus, new[] { "-c:a", "libopus", "-frame_duration", "20", "-f", "ogg" }, "audio/opus", 100, 100)
            .SetName("FromStreamAsync_FfmpegOggOpusPipe_EveryPacket");
    }

    [TestCaseSource(nameof(Pipes))]
    public async Task FromStreamAsync_FfmpegPipe(MediaFileFormat format, string[] encode, string mimeType, int minFrames, int minKeyFrames, CancellationToken cancellationToken)
    {
        var ffmpeg = Ffmpeg.RequireFfmpeg();
        string[] input = format == MediaFileFormat.OggOpus
            ? ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=2"]
            : ["-f", "lavfi", "-i", "testsrc=size=160x120:rate=30:duration=2"];
        var psi = new ProcessStartInfo(ffmpeg) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in (string[])["-hide_banner", "-nostdin", "-v", "error", .. input, .. encode, "-"])
        {
            psi.ArgumentList.Add(argument);
        }

        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            using var source = await MediaFileSource.FromStreamAsync(
                process.StandardOutput.BaseStream, format, new MediaFileSourceOptions { FramesPerSecond = 1000 }, "ffmpeg", cancellationToken);
            var frames = new List<EncodedFrame>();
            await source.PlayAsync((f, _) => { frames.Add(f with { Data = f.Data.ToArray() }); return ValueTask.CompletedTask; }, null, cancellationToken);
            await process.WaitForExitAsync(cancellationToken);

            var errors = await stderr;
            Assert.That(process.ExitCode, Is.Zero, errors);
            Assert.That(source.Codec.MimeType, Is.EqualTo(mimeType));
            Assert.That(frames, Has.Count.GreaterThanOrEqualTo(minFrames), errors);
            Assert.That(frames.Count(f => f.IsKeyFrame), Is.GreaterThanOrEqualTo(minKeyFrames));
            Assert.That(frames[0].IsKeyFrame, Is.True, "ffmpeg starts on a key frame");
            Assert.That(frames.Select(f => f.Timestamp), Is.Ordered.Ascending);
            if (format is MediaFileFormat.H264AnnexB or MediaFileFormat.H265AnnexB)
            {
                var codec = format == MediaFileFormat.H264AnnexB ? AnnexBCodec.H264 : AnnexBCodec.H265;
                var parameterSet = codec == AnnexBCodec.H264 ? 7 : 33;
                Assert.That(frames.Where(f => f.IsKeyFrame).Select(f => AnnexBReader.SplitNalUnits(f.Data).Select(n => AnnexBReader.NalType(n.Span, codec))),
                    Has.All.Contains(parameterSet), "every key frame carries its parameter sets");
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
