using System.Globalization;
using System.Text.Json;
using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.Media;
using Kvs.WebRtc.Sessions;
using Kvs.WebRtc.Testing.Media;
using Microsoft.Playwright;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.WebPage;

/// <summary>
/// Time to first frame through the emulator on loopback, in one run, for the three pairs of issue 12: our master → our
/// <see cref="ViewerSession"/>; our master → the browser page viewer (official KVS JS SDK) in Chromium; and, as the
/// reference, the page as master with Chromium's fake camera → the page viewer. Each viewer connects <see cref="Runs"/>
/// times to a master that is already streaming; medians go to the test output. Speed is not asserted (that is no unit-test
/// matter); the test only checks that every run showed a frame.
/// </summary>
/// <remarks>
/// Measured from the viewer's start to its first frame: for our viewer <see cref="ConnectTimeline.FirstKeyFrame"/> (the
/// first complete key frame readable, control-plane calls included); for the page <c>kvsPage.timeline.firstFrame</c> (the
/// first frame presented, by <c>requestVideoFrameCallback</c>, since <c>kvsPage.start()</c>, the page's own
/// <c>api/connect</c> call included).
/// </remarks>
[TestFixture]
[Category("Interop")]
[Category("Measurement")]
[NonParallelizable]
[CancelAfter(240_000)]
public sealed class TimeToFirstFrameMeasurements
{
    /// <summary>Connects per pair.</summary>
    public const int Runs = 7;

    private const string FirstFrame = "first frame";
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    [Test]
    public async Task TimeToFirstFrame_ThreePairsThroughTheEmulator_MediansPrinted(CancellationToken cancellationToken)
    {
        await using var host = await WebPageHost.StartAsync(withJsSdk: true, cancellationToken);
        var ourChannel = "ttff-ours-" + Guid.NewGuid().ToString("N")[..8];
        var pageChannel = "ttff-page-" + Guid.NewGuid().ToString("N")[..8];

        // Our master, streaming the looping test file (a new viewer gets the last key frame replayed at once).
        using var videoSource = MediaFileSource.Open(TestMedia.H264Path);
        using var audioSource = MediaFileSource.Open(TestMedia.OpusOggPath);
        var video = videoSource.CreateTrack();
        var audio = audioSource.CreateTrack();
        await using var master = await MasterSession.StartAsync(new MasterSessionOptions
        {
            Channel = host.ChannelOptions(ourChannel), PeerConfiguration = WebPageHost.Loopback, Tracks = [video, audio], MaxViewers = 3 * Runs,
        }, cancellationToken);
        using var stopPlaying = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var playing = Task.WhenAll(videoSource.PlayAsync(video, stopPlaying.Token), audioSource.PlayAsync(audio, stopPlaying.Token));

        // Tab 1: the page as master with the fake camera (H.264, as ours); tab 2: the page as viewer.
        await using var chromium = await ChromiumPage.LaunchAsync(cancellationToken);
        await host.OpenAsync(chromium.Page, cancellationToken);
        await chromium.Page.EvaluateAsync("o => kvsPage.start(o)", new { channel = pageChannel, role = "master", sendVideo = true, sendAudio = true, codec = "H264" });
        await WebPageHost.WaitForStatusAsync(chromium.Page, "waiting for viewers", s_wait, cancellationToken);
        var viewerTab = await chromium.Page.Context.NewPageAsync();
        await host.OpenAsync(viewerTab, cancellationToken);

        var oursToOurs = new List<Dictionary<string, double>>();
        var oursToPage = new List<Dictionary<string, double>>();
        var pageToPage = new List<Dictionary<string, double>>();
        for (var run = 0; run < Runs; run++)
        {
            oursToOurs.Add(await OurViewerAsync(host, ourChannel, run, cancellationToken));
            oursToPage.Add(await PageViewerAsync(viewerTab, ourChannel, run, cancellationToken));
            pageToPage.Add(await PageViewerAsync(viewerTab, pageChannel, run, cancellationToken));
        }

        await stopPlaying.CancelAsync();
        await playing.ContinueWith(_ => { }, TaskScheduler.Default);
        var report = string.Join(Environment.NewLine,
            $"time to first frame through the emulator on loopback, median (min–max) of {Runs} runs:",
            Line("our master → our ViewerSession (first key frame)", oursToOurs),
            Line("our master → page viewer in Chromium (JS SDK)", oursToPage),
            Line("page master, Chromium fake camera → page viewer (reference)", pageToPage));
        await TestContext.Out.WriteLineAsync(report);
        Assert.That(oursToOurs.Concat(oursToPage).Concat(pageToPage).All(t => t[FirstFrame] > 0), Is.True, "every run showed a frame");
    }

    private static async Task<Dictionary<string, double>> OurViewerAsync(WebPageHost host, string channel, int run, CancellationToken cancellationToken)
    {
        await using var viewer = await ViewerSession.ConnectAsync(new ViewerSessionOptions
        {
            Channel = host.ChannelOptions(channel), ClientId = $"ours-{run}", PeerConfiguration = WebPageHost.Loopback, OpenDataChannel = false,
        }, cancellationToken);
        var t = await viewer.FirstFrame.WaitAsync(s_wait, cancellationToken);
        var steps = new Dictionary<string, double>
        {
            [FirstFrame] = (t.FirstKeyFrame ?? throw new InvalidOperationException("no first key frame: " + t)).TotalMilliseconds,
        };
        foreach (var (name, value) in new[] { ("signaling", t.SignalingConnected), ("offer", t.OfferSent), ("answer", t.AnswerReceived), ("ICE", t.IceConnected), ("DTLS", t.DtlsConnected), ("first RTP", t.FirstRtpPacket) })
        {
            if (value is { } v)
            {
                steps[name] = v.TotalMilliseconds;
            }
        }

        return steps;
    }

    private static async Task<Dictionary<string, double>> PageViewerAsync(IPage tab, string channel, int run, CancellationToken cancellationToken)
    {
        await tab.EvaluateAsync("o => kvsPage.start(o)", new { channel, role = "viewer", clientId = $"page-{channel}-{run}", dataChannel = false });
        try
        {
            var first = await ChromiumMediaPeer.WaitForAsync(
                _ => tab.EvaluateAsync<double>("() => kvsPage.timeline.firstFrame ?? (kvsPage.status.startsWith('error') ? -1 : 0)"),
                ms => ms != 0, s_wait, $"first frame on the page from {channel}", TimeSpan.FromMilliseconds(20), cancellationToken);
            if (first < 0)
            {
                throw new InvalidOperationException("the page failed: " + await tab.EvaluateAsync<string>("() => kvsPage.status"));
            }

            var timeline = JsonSerializer.Deserialize<Dictionary<string, double>>(await tab.EvaluateAsync<string>("() => JSON.stringify(kvsPage.timeline)"))!;
            return new Dictionary<string, double>
            {
                [FirstFrame] = timeline["firstFrame"],
                ["signaling"] = timeline.GetValueOrDefault("signalingOpen"),
                ["offer"] = timeline.GetValueOrDefault("offerSent"),
                ["answer"] = timeline.GetValueOrDefault("answerReceived"),
                ["ICE"] = timeline.GetValueOrDefault("iceConnected"),
                ["connected"] = timeline.GetValueOrDefault("connected"),
                ["track"] = timeline.GetValueOrDefault("videoTrack"),
            };
        }
        finally
        {
            await tab.EvaluateAsync("() => kvsPage.stop()");
        }
    }

    // The first-frame median (min–max), then the median of every step before it.
    private static string Line(string name, List<Dictionary<string, double>> runs)
    {
        var first = runs.Select(r => r[FirstFrame]).Order().ToList();
        var steps = runs[0].Keys.Where(k => k != FirstFrame).Select(k => string.Create(CultureInfo.InvariantCulture, $"{k} {Median(runs.Select(r => r.GetValueOrDefault(k))):0}"));
        return string.Create(CultureInfo.InvariantCulture, $"  {name,-62} {Median(first),6:0} ms ({first[0]:0}–{first[^1]:0}); steps: {string.Join(", ", steps)}");
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
