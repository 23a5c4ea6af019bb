using System.Text.Json;
using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.Media;
using Kvs.WebRtc.Sessions;
using Kvs.WebRtc.Testing.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.WebPage;

/// <summary>
/// The browser page of <c>kvs-emulator --web</c> (built on the official KVS JS SDK's SignalingClient) in headless
/// Chromium, through the emulator: as a viewer of our <see cref="MasterSession"/> streaming the test H.264 + Opus files
/// (Chromium decodes, the picture shows the pattern, audio arrives, chat is echoed), and as a master with Chromium's fake
/// camera, whose H.264 our <see cref="ViewerSession"/> receives and Debian ffmpeg decodes.
/// </summary>
[TestFixture]
[Category("Interop")]
[CancelAfter(120_000)]
public sealed class WebPageChromiumTests
{
    private const int ColourTolerance = 48;
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    [Test]
    public async Task PageViewer_OfOurMasterStreamingFiles_DecodesVideoShowsThePatternHearsAudioAndChats(CancellationToken cancellationToken)
    {
        await using var host = await WebPageHost.StartAsync(withJsSdk: true, cancellationToken);
        var channel = "web-viewer-" + Guid.NewGuid().ToString("N")[..8];
        using var videoSource = MediaFileSource.Open(TestMedia.H264Path);
        using var audioSource = MediaFileSource.Open(TestMedia.OpusOggPath);
        var video = videoSource.CreateTrack("camera-video");
        var audio = audioSource.CreateTrack("camera-audio");
        await using var master = await MasterSession.StartAsync(new MasterSessionOptions
        {
            Channel = host.ChannelOptions(channel), PeerConfiguration = WebPageHost.Loopback, Tracks = [video, audio],
        }, cancellationToken);
        var received = new List<string>();
        using var echo = master.Messages.Subscribe(message =>
        {
            lock (received)
            {
                received.Add(message.Text ?? string.Empty);
            }

            _ = master.SendAsync(message.ClientId, "echo: " + message.Text).AsTask()
                .ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        });
        using var stopPlaying = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var playing = Task.WhenAll(videoSource.PlayAsync(video, stopPlaying.Token), audioSource.PlayAsync(audio, stopPlaying.Token));

        await using var chromium = await ChromiumPage.LaunchAsync(cancellationToken);
        await host.OpenAsync(chromium.Page, cancellationToken);
        await chromium.EvaluateAsync("o => kvsPage.start(o)", new { channel, role = "viewer", clientId = "web-page-viewer", dataChannel = true });
        await WebPageHost.WaitForStatusAsync(chromium.Page, "connected", s_wait, cancellationToken);

        var stats = await ChromiumMediaPeer.WaitForAsync(ct => RtpStatsAsync<InboundVideoStats>(chromium, "inbound-rtp", "video"),
            s => s.FramesDecoded >= 60, s_wait, "60 frames decoded", cancellationToken: cancellationToken);
        // Chromium measures the audio level at playout: unmute the page's (muted for autoplay) video element.
        await chromium.EvaluateAsync("async () => { const v = document.getElementById('remote'); v.muted = false; await v.play(); }");
        var audioStats = await ChromiumMediaPeer.WaitForAsync(ct => RtpStatsAsync<InboundAudioStats>(chromium, "inbound-rtp", "audio"),
            s => s.TotalSamplesReceived > 0 && s.AudioLevel > 0, s_wait, "audio samples with a level", cancellationToken: cancellationToken);
        var colours = await SampleRemoteVideoAsync(chromium);

        Assert.That(await chromium.EvaluateAsync<int>("t => kvsPage.sendChat(t)", "hello from the page"), Is.EqualTo(1), "one open data channel");
        await ChromiumMediaPeer.WaitForAsync(_ => chromium.EvaluateAsync<string[]>("() => kvsPage.messages.map(m => m.text)"),
            m => m.Contains("echo: hello from the page"), s_wait, "the master's echo", cancellationToken: cancellationToken);
        var timeline = await TimelineAsync(chromium);
        await TestContext.Out.WriteLineAsync($"Chromium: {stats}; {audioStats}; colours {string.Join(", ", colours)}; timeline {string.Join(", ", timeline.Select(p => $"{p.Key}={p.Value}"))}");

        await stopPlaying.CancelAsync();
        await playing.ContinueWith(_ => { }, TaskScheduler.Default);
        Assert.Multiple(() =>
        {
            Assert.That(stats.MimeType, Is.EqualTo("video/H264"));
            Assert.That(stats.KeyFramesDecoded, Is.GreaterThanOrEqualTo(1));
            Assert.That((stats.FrameWidth, stats.FrameHeight), Is.EqualTo((TestMedia.Width, TestMedia.Height)));
            Assert.That(audioStats.MimeType, Is.EqualTo("audio/opus"));
            foreach (var (colour, quadrant) in colours.Zip(TestMedia.Quadrants))
            {
                Assert.That(colour.IsNear(quadrant.Colour, ColourTolerance), Is.True, $"{quadrant.Name}: {colour} vs {quadrant.Colour}");
            }

            lock (received)
            {
                Assert.That(received, Does.Contain("hello from the page"));
            }

            foreach (var step in new[] { "endpointResolved", "signalingOpen", "offerSent", "answerReceived", "iceConnected", "connected", "firstFrame", "dataChannelOpen" })
            {
                Assert.That(timeline.ContainsKey(step), Is.True, $"timeline has {step}");
            }

            Assert.That(timeline["signalingOpen"], Is.LessThanOrEqualTo(timeline["offerSent"]));
            Assert.That(timeline["offerSent"], Is.LessThanOrEqualTo(timeline["answerReceived"]));
            Assert.That(timeline["answerReceived"], Is.LessThanOrEqualTo(timeline["firstFrame"]));
        });
    }

    [Test]
    public async Task PageMaster_WithChromiumsFakeCamera_OurViewerReceivesH264ThatFfmpegDecodes(CancellationToken cancellationToken)
    {
        var ffmpeg = Ffmpeg.RequireFfmpeg();
        Assert.That(ffmpeg, Is.Not.Empty);
        await using var host = await WebPageHost.StartAsync(withJsSdk: true, cancellationToken);
        var channel = "web-master-" + Guid.NewGuid().ToString("N")[..8];
        await using var chromium = await ChromiumPage.LaunchAsync(cancellationToken);
        await host.OpenAsync(chromium.Page, cancellationToken);
        await chromium.EvaluateAsync("o => kvsPage.start(o)", new { channel, role = "master", sendVideo = true, sendAudio = true, codec = "H264", echo = true });
        await WebPageHost.WaitForStatusAsync(chromium.Page, "waiting for viewers", s_wait, cancellationToken);

        await using var viewer = await ViewerSession.ConnectAsync(new ViewerSessionOptions
        {
            Channel = host.ChannelOptions(channel), ClientId = "our-viewer", PeerConfiguration = WebPageHost.Loopback,
        }, cancellationToken);
        var echoed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var messages = viewer.Messages.Subscribe(m => echoed.TrySetResult(m.Text ?? string.Empty));
        Assert.That(viewer.VideoTrack, Is.Not.Null, "the page master sends video");
        var frames = await MediaStreaming.ReadFramesAsync(viewer.VideoTrack!, 60, s_wait, cancellationToken);
        await viewer.SendAsync("hello page", cancellationToken);
        var echo = await echoed.Task.WaitAsync(s_wait, cancellationToken);

        var path = Path.Combine(Path.GetTempPath(), $"kvs-web-master-{Guid.NewGuid():N}" + MediaFileWriter.GetExtension(viewer.VideoTrack!.Codec!));
        try
        {
            await using (var writer = await MediaFileWriter.CreateAsync(path, viewer.VideoTrack!.Codec!, cancellationToken))
            {
                foreach (var frame in frames)
                {
                    await writer.WriteAsync(frame, cancellationToken);
                }
            }

            var decoded = await Ffmpeg.DecodeAsync(path, cancellationToken: cancellationToken);
            await TestContext.Out.WriteLineAsync($"{frames.Count} frames ({frames.Count(f => f.IsKeyFrame)} key), ffmpeg: {decoded}; echo '{echo}'");
            Assert.Multiple(() =>
            {
                Assert.That(viewer.VideoTrack!.Codec!.Name, Is.EqualTo("H264"));
                Assert.That(frames, Has.Count.EqualTo(60));
                Assert.That(frames[0].IsKeyFrame, Is.True, "the first frame delivered is a key frame");
                Assert.That(decoded.Errors, Is.Empty);
                Assert.That(decoded.FramesDecoded, Is.GreaterThanOrEqualTo(55));
                Assert.That(echo, Is.EqualTo("hello page"));
            });
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task Page_WithoutTheJsSdkBundle_ShowsHowToGetIt(CancellationToken cancellationToken)
    {
        await using var host = await WebPageHost.StartAsync(withJsSdk: false, cancellationToken);
        await using var chromium = await ChromiumPage.LaunchAsync(cancellationToken);
        await chromium.Page.GotoAsync(host.PageUrl.ToString()).WaitAsync(s_wait, cancellationToken);
        await WebPageHost.WaitForStatusAsync(chromium.Page, "missing KVS JS SDK", s_wait, cancellationToken);
        var message = await chromium.Page.Locator("#sdk-missing").InnerTextAsync();
        var visible = await chromium.Page.Locator("#sdk-missing").IsVisibleAsync();
        var startDisabled = await chromium.Page.Locator("#start").IsDisabledAsync();
        Assert.Multiple(() =>
        {
            Assert.That(visible, Is.True);
            Assert.That(message, Does.Contain("npm install amazon-kinesis-video-streams-webrtc").And.Contain("--js-sdk"));
            Assert.That(startDisabled, Is.True);
        });
    }

    private static async Task<T> RtpStatsAsync<T>(ChromiumPage chromium, string type, string kind)
        where T : new() =>
        RtpStatsJson.Parse<T>(await chromium.EvaluateAsync<string>("([type, kind]) => kvsPage.rtpStats(type, kind)", new[] { type, kind }));

    private static async Task<Dictionary<string, double>> TimelineAsync(ChromiumPage chromium) =>
        JsonSerializer.Deserialize<Dictionary<string, double>>(await chromium.EvaluateAsync<string>("() => JSON.stringify(kvsPage.timeline)"))!;

    // The average colour of an 8x8 patch at each quadrant centre of the page's remote video (as the Chromium media tests sample).
    private static async Task<IReadOnlyList<Rgb>> SampleRemoteVideoAsync(ChromiumPage chromium)
    {
        var points = TestMedia.Quadrants.Select(q => new[] { q.X, q.Y }).ToArray();
        var json = await chromium.EvaluateAsync<string>("""
            points => {
              const video = document.getElementById('remote');
              const w = video.videoWidth, h = video.videoHeight;
              if (!w || !h) return 'null';
              const canvas = document.createElement('canvas');
              canvas.width = w; canvas.height = h;
              const ctx = canvas.getContext('2d', { willReadFrequently: true });
              ctx.drawImage(video, 0, 0, w, h);
              return JSON.stringify(points.map(([x, y]) => {
                const d = ctx.getImageData(Math.round(x * w) - 4, Math.round(y * h) - 4, 8, 8).data;
                let r = 0, g = 0, b = 0;
                for (let i = 0; i < d.length; i += 4) { r += d[i]; g += d[i + 1]; b += d[i + 2]; }
                return [Math.round(r / 64), Math.round(g / 64), Math.round(b / 64)];
              }));
            }
            """, points);
        var colours = JsonSerializer.Deserialize<int[][]?>(json) ?? throw new InvalidOperationException("The page's video has no frame to sample.");
        return colours.Select(c => new Rgb(c[0], c[1], c[2])).ToList();
    }
}
