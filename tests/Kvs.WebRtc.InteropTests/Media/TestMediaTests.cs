using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.Testing.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.Media;

/// <summary>The facts recorded in <see cref="TestMedia"/> are what ffprobe finds in the committed files.</summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class TestMediaTests
{
    [Test]
    public void Files_ArePresentAndSmall()
    {
        string[] files = [TestMedia.H264Path, TestMedia.Vp8IvfPath, TestMedia.H265Path, TestMedia.OpusOggPath, TestMedia.PcmuPath];

        Assert.That(files, Has.All.Matches<string>(File.Exists));
        Assert.That(files.Sum(f => new FileInfo(f).Length), Is.LessThan(1 << 20));
        Assert.That(new FileInfo(TestMedia.PcmuPath).Length, Is.EqualTo(TestMedia.PcmuByteCount));
        Assert.That(TestMedia.PcmuByteCount / TestMedia.PcmuBytesPer20Ms, Is.EqualTo(250));
    }

    [TestCase("pattern-320x240.h264", "h264", "h264", "Constrained Baseline")]
    [TestCase("pattern-320x240.ivf", null, "vp8", "0")]
    [TestCase("pattern-320x240-h265.h265", "hevc", "hevc", "Main")]
    public async Task VideoFiles_MatchTheRecordedFacts(string file, string? format, string codec, string profile, CancellationToken cancellationToken)
    {
        var info = await Ffmpeg.ProbeStreamAsync(Path.Combine(TestMedia.Directory, file), format, cancellationToken);

        Assert.That(info, Is.EqualTo(new FfprobeStreamInfo(codec, profile, TestMedia.Width, TestMedia.Height, TestMedia.VideoFrameCount, 0, 0)));
    }
}
