using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.Samples.Master;
using Kvs.WebRtc.Samples.Viewer;
using Kvs.WebRtc.Testing.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.Samples;

/// <summary>
/// The console master (<c>kvs-master --local</c>) and the console viewer (<c>kvs-viewer --local URL</c>) run
/// in-process against the master's embedded emulator; what the viewer recorded is decoded by Debian ffmpeg.
/// </summary>
[TestFixture]
[Category("Interop")]
[NonParallelizable]
[CancelAfter(120_000)]
public sealed class ConsoleSamplesTests
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);

    [Test]
    public async Task MasterAndViewer_LocalFilesLooping_ViewerRecordsVideoAndAudioThatFfmpegDecodes(CancellationToken cancellationToken)
    {
        Ffmpeg.RequireFfmpeg();
        var directory = Directory.CreateTempSubdirectory("kvs-viewer-").FullName;
        var masterOut = new CapturingWriter();
        var masterErr = new CapturingWriter();
        using var stopMaster = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var master = MasterApp.RunAsync(
            ["--local", "--channel", "samples-files", "--video", TestMedia.H264Path, "--audio", TestMedia.OpusOggPath, "--stats", "1"],
            Stream.Null, masterOut, masterErr, stopMaster.Token);
        try
        {
            var url = await ViewerUrlAsync(masterOut, master, cancellationToken);
            var viewerOut = new CapturingWriter();
            var viewerErr = new CapturingWriter();

            var viewerExit = await ViewerApp.RunAsync(
                ["--local", url, "--channel", "samples-files", "--client-id", "sample-viewer", "--duration", "7", "--out", directory, "--send", "hello", "--stats", "1"],
                Stream.Null, viewerOut, viewerErr, cancellationToken);

            var report = $"viewer:\n{viewerOut}\n{viewerErr}\nmaster:\n{masterOut}\n{masterErr}";
            Assert.That(viewerExit, Is.Zero, report);
            Assert.That(viewerOut.Lines, Has.Some.Contains("first video frame (video/H264)"), report);
            Assert.That(viewerOut.Lines, Has.Some.Contains("first audio frame (audio/opus)"), report);
            Assert.That(viewerOut.Lines, Has.Some.EqualTo("master> echo: hello"), report);
            Assert.That(masterOut.Lines, Has.Some.Contains("viewer sample-viewer joined"), report);
            Assert.That(masterOut.Lines, Has.Some.StartsWith("stats      viewers 1"), report);

            var video = await Ffmpeg.DecodeAsync(Path.Combine(directory, "video.h264"), "h264", cancellationToken);
            var audio = await Ffmpeg.DecodeAsync(Path.Combine(directory, "audio.ogg"), (string?)null, cancellationToken);
            Assert.That(video.IsClean, Is.True, video.ToString());
            Assert.That(video.FramesDecoded, Is.GreaterThanOrEqualTo(100), $"about 6 s at 30 fps\n{video}\n{report}");
            Assert.That(audio.IsClean, Is.True, audio.ToString());
            Assert.That(audio.FramesDecoded, Is.GreaterThanOrEqualTo(200), $"about 6 s of 20 ms packets\n{audio}\n{report}");
        }
        finally
        {
            await stopMaster.CancelAsync();
            Assert.That(await master, Is.Zero, $"{masterOut}\n{masterErr}");
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task Master_VideoFromStdinAsFfmpegPipesIt_ViewerRecordsDecodableH264(CancellationToken cancellationToken)
    {
        Ffmpeg.RequireFfmpeg();
        var directory = Directory.CreateTempSubdirectory("kvs-viewer-").FullName;
        var masterOut = new CapturingWriter();
        var masterErr = new CapturingWriter();
        using var stopMaster = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // stdin carries a raw H.264 Annex-B stream, as from `ffmpeg ... -f h264 -`: read incrementally and paced at --fps.
        using var stdin = new FileStream(TestMedia.H264Path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        var master = MasterApp.RunAsync(
            ["--local", "--channel", "samples-stdin", "--video", "-", "--video-format", "h264", "--no-audio", "--fps", "30"],
            stdin, masterOut, masterErr, stopMaster.Token);
        try
        {
            var url = await ViewerUrlAsync(masterOut, master, cancellationToken);
            var viewerOut = new CapturingWriter();
            var viewerErr = new CapturingWriter();

            var viewerExit = await ViewerApp.RunAsync(
                ["--local", url, "--channel", "samples-stdin", "--no-audio", "--duration", "3", "--out", directory],
                Stream.Null, viewerOut, viewerErr, cancellationToken);

            var report = $"viewer:\n{viewerOut}\n{viewerErr}\nmaster:\n{masterOut}\n{masterErr}";
            Assert.That(viewerExit, Is.Zero, report);
            var video = await Ffmpeg.DecodeAsync(Path.Combine(directory, "video.h264"), "h264", cancellationToken);
            Assert.That(video.IsClean, Is.True, video.ToString());
            Assert.That(video.FramesDecoded, Is.GreaterThanOrEqualTo(30), $"{video}\n{report}");
        }
        finally
        {
            await stopMaster.CancelAsync();
            Assert.That(await master, Is.Zero, $"{masterOut}\n{masterErr}");
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task Master_MalformedVideo_ExitsOneNamingTheFileAndOffset(CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), $"kvs-broken-{Guid.NewGuid():N}.ivf");
        await File.WriteAllBytesAsync(path, "DKIF"u8.ToArray().Concat(new byte[28]).ToArray(), cancellationToken);
        try
        {
            var output = new CapturingWriter();
            var error = new CapturingWriter();

            var exit = await MasterApp.RunAsync(["--video", path, "--no-audio"], Stream.Null, output, error, cancellationToken);

            Assert.That(exit, Is.EqualTo(1));
            Assert.That(error.ToString(), Does.Contain("bad media").And.Contain(path).And.Contain("at byte"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task Samples_BadOption_ExitTwoWithAReason(CancellationToken cancellationToken)
    {
        var masterErr = new CapturingWriter();
        var viewerErr = new CapturingWriter();

        Assert.That(await MasterApp.RunAsync(["--video", "-"], Stream.Null, TextWriter.Null, masterErr, cancellationToken), Is.EqualTo(2));
        Assert.That(await ViewerApp.RunAsync(["--bogus"], Stream.Null, TextWriter.Null, viewerErr, cancellationToken), Is.EqualTo(2));
        Assert.That(masterErr.ToString(), Does.Contain("--video-format"));
        Assert.That(viewerErr.ToString(), Does.Contain("--bogus"));
    }

    private static async Task<string> ViewerUrlAsync(CapturingWriter masterOut, Task<int> master, CancellationToken cancellationToken)
    {
        var hint = masterOut.WaitForLineAsync(l => l.Contains("kvs-viewer --local", StringComparison.Ordinal), s_startTimeout, cancellationToken);
        var first = await Task.WhenAny(hint, master);
        if (first == master)
        {
            Assert.Fail($"The master exited with {await master} before it was ready:\n{masterOut}");
        }

        var words = (await hint).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words[Array.IndexOf(words, "--local") + 1];
    }
}
