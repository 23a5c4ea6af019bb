using System.Globalization;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Kvs.WebRtc.Media;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Sessions;
using Kvs.WebRtc.Testing.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Sessions;

/// <summary>
/// Time to first frame through the in-process KVS emulator on loopback: a viewer's <see cref="ViewerSession.Timeline"/>
/// gets every milestone in order and <see cref="ViewerSession.FirstFrame"/> completes with it while a master streams a
/// file; a measurement of our master to our viewer prints the median and p90 of each milestone (no timing is asserted).
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class ViewerSessionTimelineTests : SessionFixture
{
    private const int MeasuredRuns = 20;

    /// <inheritdoc />
    protected override string ChannelPrefix => "ttff-";

    [Test]
    public async Task ConnectAsync_MasterStreamingVideo_EveryMilestoneSetInOrderAndFirstFrameCompletes(CancellationToken cancellationToken)
    {
        using var file = MediaFileSource.Open(TestMedia.H264Path, new MediaFileSourceOptions { Loop = true });
        var video = file.CreateTrack();
        await using var master = await MasterSession.StartAsync(new MasterSessionOptions { Channel = ChannelOptions, PeerConfiguration = Loopback, Tracks = [video] }, cancellationToken);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var streaming = file.PlayAsync(video, stop.Token);
        var joined = master.ViewerJoined.FirstAsync().ToTask(cancellationToken);

        await using var viewer = await ViewerSession.ConnectAsync(new ViewerSessionOptions { Channel = ChannelOptions, ClientId = "timeline", PeerConfiguration = Loopback, ReceiveAudio = false }, cancellationToken);
        var atConnect = viewer.Timeline;
        var timeline = await viewer.FirstFrame.WaitAsync(WaitTimeout, cancellationToken);
        var joinedViewer = await joined.WaitAsync(WaitTimeout, cancellationToken);
        await stop.CancelAsync();
        await StopQuietlyAsync(streaming);

        Assert.That(atConnect.DtlsConnected, Is.Not.Null, "ConnectAsync returns once connected");
        AssertInOrder(timeline);
        Assert.That(viewer.Timeline.FirstKeyFrame, Is.EqualTo(timeline.FirstKeyFrame), "milestones are set once");
        Assert.That(viewer.VideoTrack!.KeyFramesReceived, Is.GreaterThanOrEqualTo(1));
        Assert.That(timeline.StartedAt, Is.LessThanOrEqualTo(DateTimeOffset.UtcNow));
        Assert.That(joinedViewer.JoinTime, Is.Not.Null.And.GreaterThan(TimeSpan.Zero));
        Assert.That(timeline.ToString(), Does.Contain("first key frame ").And.Not.Contain("-"));
    }

    [Test]
    public async Task FirstFrame_SessionDisposedBeforeAnyMedia_IsCanceled(CancellationToken cancellationToken)
    {
        var video = new EncodedFrameTrack(RTCRtpCodec.H264);
        await using var master = await MasterSession.StartAsync(new MasterSessionOptions { Channel = ChannelOptions, PeerConfiguration = Loopback, Tracks = [video] }, cancellationToken);
        var viewer = await ViewerSession.ConnectAsync(ViewerOptions("no-media"), cancellationToken);
        var timeline = viewer.Timeline;
        Assert.That(timeline.FirstRtpPacket, Is.Null, "the master wrote nothing");
        Assert.That(timeline.FirstKeyFrame, Is.Null);
        Assert.That(timeline.ToString(), Does.Contain("first key frame -"));
        Assert.That(viewer.FirstFrame.IsCompleted, Is.False);

        await viewer.DisposeAsync();

        Assert.That(viewer.FirstFrame.IsCanceled, Is.True);
    }

    [Test]
    [Category("Measurement")]
    public async Task Measure_OurMasterToOurViewer_PrintsMedianAndP90OfEachMilestone(CancellationToken cancellationToken)
    {
        // The quick start's case: a master streaming a file, one viewer connecting (a fresh master per run).
        var fresh = new List<ConnectTimeline>();
        var joinTimes = new List<TimeSpan>();
        for (var run = 0; run < MeasuredRuns; run++)
        {
            using var file = MediaFileSource.Open(TestMedia.H264Path, new MediaFileSourceOptions { Loop = true });
            var video = file.CreateTrack();
            await using var master = await MasterSession.StartAsync(new MasterSessionOptions { Channel = ChannelOptions, PeerConfiguration = Loopback, Tracks = [video] }, cancellationToken);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var streaming = file.PlayAsync(video, stop.Token);
            var joined = master.ViewerJoined.FirstAsync().ToTask(cancellationToken);
            await using (var viewer = await ViewerSession.ConnectAsync(new ViewerSessionOptions { Channel = ChannelOptions, ClientId = $"fresh-{run}", PeerConfiguration = Loopback, ReceiveAudio = false }, cancellationToken))
            {
                fresh.Add(await viewer.FirstFrame.WaitAsync(WaitTimeout, cancellationToken));
                joinTimes.Add((await joined.WaitAsync(WaitTimeout, cancellationToken)).JoinTime!.Value);
            }

            await stop.CancelAsync();
            await StopQuietlyAsync(streaming);
        }

        // Viewers joining one streaming master back to back: a new viewer may wait for a key frame another one asked for.
        var backToBack = new List<ConnectTimeline>();
        using (var file = MediaFileSource.Open(TestMedia.H264Path, new MediaFileSourceOptions { Loop = true }))
        {
            var video = file.CreateTrack();
            await using var master = await MasterSession.StartAsync(new MasterSessionOptions { Channel = ChannelOptions, PeerConfiguration = Loopback, Tracks = [video] }, cancellationToken);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var streaming = file.PlayAsync(video, stop.Token);
            for (var run = 0; run < MeasuredRuns / 2; run++)
            {
                await using var viewer = await ViewerSession.ConnectAsync(new ViewerSessionOptions { Channel = ChannelOptions, ClientId = $"joiner-{run}", PeerConfiguration = Loopback, ReceiveAudio = false }, cancellationToken);
                backToBack.Add(await viewer.FirstFrame.WaitAsync(WaitTimeout, cancellationToken));
            }

            await stop.CancelAsync();
            await StopQuietlyAsync(streaming);
        }

        var report = new System.Text.StringBuilder();
        Table(report, $"time to first frame, our master -> our viewer, emulator on loopback, {fresh.Count} runs, a fresh master each (ms since ConnectAsync):", fresh);
        Row(report, "master: offer -> joined", joinTimes.Select(t => (TimeSpan?)t));
        Table(report, $"{backToBack.Count} viewers joining one streaming master back to back (ms since ConnectAsync):", backToBack);
        TestContext.Out.Write(report.ToString());

        Assert.That((fresh.Count, backToBack.Count), Is.EqualTo((MeasuredRuns, MeasuredRuns / 2)));
        foreach (var timeline in fresh.Concat(backToBack))
        {
            AssertInOrder(timeline);
        }
    }

    private static void Table(System.Text.StringBuilder report, string title, List<ConnectTimeline> timelines)
    {
        report.AppendLine(title);
        Row(report, "signaling connected", timelines.Select(t => t.SignalingConnected));
        Row(report, "offer sent", timelines.Select(t => t.OfferSent));
        Row(report, "answer received", timelines.Select(t => t.AnswerReceived));
        Row(report, "ICE connected", timelines.Select(t => t.IceConnected));
        Row(report, "DTLS connected", timelines.Select(t => t.DtlsConnected));
        Row(report, "first RTP packet", timelines.Select(t => t.FirstRtpPacket));
        Row(report, "first key frame", timelines.Select(t => t.FirstKeyFrame));
    }

    private static void AssertInOrder(ConnectTimeline timeline)
    {
        TimeSpan?[] milestones =
        [
            timeline.SignalingConnected, timeline.OfferSent, timeline.AnswerReceived, timeline.IceConnected, timeline.DtlsConnected,
            timeline.FirstRtpPacket, timeline.FirstKeyFrame,
        ];
        Assert.That(milestones, Has.All.Not.Null, timeline.ToString());
        Assert.That(milestones[0], Is.GreaterThanOrEqualTo(TimeSpan.Zero));
        Assert.That(milestones, Is.Ordered, "signaling <= offer <= answer <= ICE <= DTLS <= first RTP <= first key frame: " + timeline);
    }

    private static void Row(System.Text.StringBuilder report, string name, IEnumerable<TimeSpan?> values)
    {
        var sorted = values.Select(v => v!.Value.TotalMilliseconds).Order().ToArray();
        report.AppendLine(CultureInfo.InvariantCulture,
            $"  {name,-24} median {Percentile(sorted, 0.5),7:0.0}   p90 {Percentile(sorted, 0.9),7:0.0}   min {sorted[0],7:0.0}   max {sorted[^1],7:0.0}");
    }

    // Nearest-rank percentile of sorted values.
    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static async Task StopQuietlyAsync(Task streaming)
    {
        try
        {
            await streaming;
        }
        catch (OperationCanceledException)
        {
        }
    }
}
