using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Sessions;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Sessions;

/// <summary>
/// <see cref="MasterSession.AddTrackAsync"/> and <see cref="MasterSession.RenegotiateAsync"/>: the master re-offers a
/// connected viewer's connection and a <see cref="ViewerSession"/> answers on the same connection.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class MasterRenegotiationTests : SessionFixture
{
    /// <inheritdoc />
    protected override string ChannelPrefix => "renegotiation-";

    [Test]
    public async Task AddTrackAsync_ConnectedDataOnlyViewer_ViewerReceivesTheVideoOnTheSameConnection(CancellationToken cancellationToken)
    {
        await using var master = await MasterSession.StartAsync(MasterOptions(), cancellationToken);
        var left = master.ViewerLeft.FirstAsync().ToTask(cancellationToken);
        await using var viewer = await ViewerSession.ConnectAsync(ViewerOptions("viewer-1"), cancellationToken);
        await WaitUntilAsync(() => master.Viewers.Count == 1, cancellationToken);
        var viewerConnection = viewer.PeerConnection;
        var masterConnection = master.GetPeerConnection("viewer-1")!;
        Assert.That(viewer.VideoTrack, Is.Null, "a data-only master sends no video at first");

        var video = new EncodedFrameTrack(RTCRtpCodec.H264);
        var announced = viewer.RemoteTracks.FirstAsync(t => t.Kind == MediaStreamTrackKind.Video).ToTask(cancellationToken);
        var sender = await master.AddTrackAsync("viewer-1", video, cancellationToken);
        await WaitUntilAsync(() => viewer.VideoTrack is not null && video.SenderCount == 1, cancellationToken);
        await using var camera = LoopingCamera.Start(video, cancellationToken);
        var frames = await ReadFramesAsync(viewer.VideoTrack!, 5, cancellationToken);
        var announcedTrack = await announced.WaitAsync(WaitTimeout, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(sender.Track, Is.SameAs(video));
            Assert.That(announcedTrack, Is.SameAs(viewer.VideoTrack), "RemoteTracks announced the new track");
            Assert.That(masterConnection.SignalingState, Is.EqualTo(RTCSignalingState.Stable), "the viewer's answer was applied before AddTrackAsync returned");
            Assert.That(frames, Has.Count.EqualTo(5));
            Assert.That(frames[0].IsKeyFrame, Is.True, "the new viewer of the track starts on a key frame");
            Assert.That(viewer.PeerConnection, Is.SameAs(viewerConnection), "renegotiated, not reconnected");
            Assert.That(master.GetPeerConnection("viewer-1"), Is.SameAs(masterConnection));
            Assert.That(viewer.PeerConnection.ConnectionState, Is.EqualTo(RTCPeerConnectionState.Connected));
            Assert.That(left.IsCompleted, Is.False, "the viewer never left");
        });
    }

    [Test]
    public void AddTrackAsync_UnknownViewer_ThrowsViewerNotConnected(CancellationToken cancellationToken)
    {
        var error = Assert.ThrowsAsync<KvsSessionException>(async () =>
        {
            await using var master = await MasterSession.StartAsync(MasterOptions(), cancellationToken);
            await master.AddTrackAsync("nobody", new EncodedFrameTrack(RTCRtpCodec.H264), cancellationToken);
        });
        Assert.That(error!.Error, Is.EqualTo(KvsSessionError.ViewerNotConnected));
    }

    [Test]
    public async Task RenegotiateAsync_ViewerDoesNotAnswerInTime_TimesOutRollsBackAndKeepsTheViewer(CancellationToken cancellationToken)
    {
        await using var master = await MasterSession.StartAsync(new MasterSessionOptions { Channel = ChannelOptions, PeerConfiguration = Loopback, ViewerConnectTimeout = TimeSpan.FromSeconds(2) }, cancellationToken);
        await using var viewer = await ViewerSession.ConnectAsync(ViewerOptions("viewer-1"), cancellationToken);
        await WaitUntilAsync(() => master.Viewers.Count == 1, cancellationToken);
        var masterConnection = master.GetPeerConnection("viewer-1")!;
        var video = new EncodedFrameTrack(RTCRtpCodec.H264);

        Emulator.Faults.MessageDeliveryDelay = TimeSpan.FromSeconds(20); // the re-offer reaches the viewer too late
        var timedOut = Assert.ThrowsAsync<KvsSessionException>(() => master.AddTrackAsync("viewer-1", video, cancellationToken));
        Assert.That(timedOut!.Error, Is.EqualTo(KvsSessionError.AnswerTimeout));

        Assert.Multiple(() =>
        {
            Assert.That(masterConnection.SignalingState, Is.EqualTo(RTCSignalingState.Stable), "the unanswered offer was rolled back");
            Assert.That(masterConnection.GetSenders().Select(s => s.Track), Does.Not.Contain(video), "the track was taken off again");
            Assert.That(master.Viewers.Select(v => v.ClientId), Is.EqualTo(new[] { "viewer-1" }), "the working connection stays");
            Assert.That(masterConnection.ConnectionState, Is.EqualTo(RTCPeerConnectionState.Connected));
        });
    }
}
