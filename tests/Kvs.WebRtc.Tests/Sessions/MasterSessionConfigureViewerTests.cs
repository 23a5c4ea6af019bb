using System.Collections.Concurrent;
using System.Diagnostics;
using Kvs.WebRtc.Media;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Sessions;
using Kvs.WebRtc.Testing;
using Kvs.WebRtc.Testing.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Sessions;

/// <summary>
/// <see cref="MasterSessionOptions.ConfigureViewer"/> through the emulator: the hook sees each offer before the answer,
/// can give one viewer a track of its own, and can refuse a viewer, who learns the reason at once; a hook that throws
/// refuses only that viewer.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class MasterSessionConfigureViewerTests : SessionFixture
{
    /// <summary>A refused viewer must learn it this fast (its own connect timeout is 30 s).</summary>
    private static readonly TimeSpan s_fastRefusal = TimeSpan.FromSeconds(10);

    /// <inheritdoc />
    protected override string ChannelPrefix => "configure-";

    [Test]
    public async Task ConfigureViewer_Refuses_TheViewerGetsTheReasonFast_AndOthersJoin(CancellationToken cancellationToken)
    {
        var seen = new ConcurrentQueue<string>();
        await using var master = await MasterSession.StartAsync(new MasterSessionOptions
        {
            Channel = ChannelOptions,
            PeerConfiguration = Loopback,
            ConfigureViewer = (offer, _) =>
            {
                seen.Enqueue(offer.ClientId);
                if (offer.ClientId.StartsWith("guest", StringComparison.Ordinal))
                {
                    offer.Refuse("guests are not allowed");
                }

                return ValueTask.CompletedTask;
            },
        }, cancellationToken);

        var watch = Stopwatch.StartNew();
        var refused = Assert.ThrowsAsync<KvsSessionException>(async () =>
            await ViewerSession.ConnectAsync(ViewerOptions("guest-1"), cancellationToken));
        watch.Stop();
        await using var staff = await ViewerSession.ConnectAsync(ViewerOptions("staff-1"), cancellationToken);
        await WaitUntilAsync(() => master.Viewers.Count == 1, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(refused!.Reason, Is.EqualTo("guests are not allowed"));
            Assert.That(watch.Elapsed, Is.LessThan(s_fastRefusal));
            Assert.That(seen, Is.EqualTo(new[] { "guest-1", "staff-1" }));
            Assert.That(master.Viewers.Select(v => v.ClientId), Is.EqualTo(new[] { "staff-1" }));
            Assert.That(master.PendingViewerCount, Is.Zero, "the refused viewer holds no slot");
        });
    }

    [Test]
    public async Task ConfigureViewer_AddsATrackForOneViewer_OnlyThatViewerReceivesIt(CancellationToken cancellationToken)
    {
        var vipVideo = new EncodedFrameTrack(RTCRtpCodec.H264);
        var offers = new ConcurrentDictionary<string, (bool Audio, bool Video, bool Data)>();
        await using var master = await MasterSession.StartAsync(new MasterSessionOptions
        {
            Channel = ChannelOptions,
            PeerConfiguration = Loopback,
            ConfigureViewer = (offer, _) =>
            {
                offers[offer.ClientId] = (offer.OffersAudio, offer.OffersVideo, offer.OffersDataChannel);
                if (offer.ClientId == "vip")
                {
                    offer.Connection.AddTrack(vipVideo, "vip-camera");
                }

                return ValueTask.CompletedTask;
            },
        }, cancellationToken);

        await using var vip = await ViewerSession.ConnectAsync(ViewerOptions("vip"), cancellationToken);
        await using var plain = await ViewerSession.ConnectAsync(new ViewerSessionOptions { Channel = ChannelOptions, ClientId = "plain", PeerConfiguration = Loopback, ReceiveAudio = false }, cancellationToken);
        await WaitUntilAsync(() => vipVideo.SenderCount == 1, cancellationToken);
        Assert.That(vip.VideoTrack, Is.Not.Null, "the vip's video section took the hook's track");

        var frames = AnnexBReader.ReadFile(TestMedia.H264Path, AnnexBCodec.H264, TestMedia.FramesPerSecond).Take(30).ToList();
        var reading = ReadFramesAsync(vip.VideoTrack!, frames.Count, cancellationToken);
        foreach (var frame in frames)
        {
            await vipVideo.WriteFrameAsync(new EncodedFrame(frame.AccessUnit, frame.Timestamp, frame.IsKeyFrame), cancellationToken);
        }

        var received = await reading;
        Assert.Multiple(() =>
        {
            Assert.That(received, Has.Count.EqualTo(frames.Count));
            Assert.That(received[0].IsKeyFrame, Is.True);
            Assert.That(vipVideo.SenderCount, Is.EqualTo(1), "the other viewer's connection never got the track");
            Assert.That(offers["vip"], Is.EqualTo((true, true, true)));
            Assert.That(offers["plain"], Is.EqualTo((false, true, true)));
        });
    }

    [Test]
    public async Task ConfigureViewer_Throws_ThatViewerIsRefusedAndLogged_TheNextJoins(CancellationToken cancellationToken)
    {
        var logs = new CapturingLoggerProvider();
        await using var master = await MasterSession.StartAsync(new MasterSessionOptions
        {
            PeerConfiguration = Loopback,
            Channel = CreateChannelOptions(o => o.LoggerFactory = logs),
            ConfigureViewer = (offer, _) => offer.ClientId == "broken"
                ? throw new InvalidDataException("no profile for this viewer")
                : ValueTask.CompletedTask,
        }, cancellationToken);

        var refused = Assert.ThrowsAsync<KvsSessionException>(async () =>
            await ViewerSession.ConnectAsync(ViewerOptions("broken"), cancellationToken));
        await using var next = await ViewerSession.ConnectAsync(ViewerOptions("next"), cancellationToken);
        await WaitUntilAsync(() => master.Viewers.Count == 1, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(refused!.Reason, Is.EqualTo("the master could not set up this viewer"));
            Assert.That(logs.Entries.Any(e => e.EventId.Id == 9130 && e.Message.Contains("broken", StringComparison.Ordinal)), Is.True);
            Assert.That(master.Viewers.Select(v => v.ClientId), Is.EqualTo(new[] { "next" }));
        });
    }
}
