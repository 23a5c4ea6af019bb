using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Kvs.WebRtc.Media;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Sessions;
using Kvs.WebRtc.Signaling;
using Kvs.WebRtc.Testing.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Sessions;

/// <summary>
/// <see cref="ViewerSession"/> with a master that opens data channels of its own and renegotiates: channels are
/// surfaced (also to a subscriber attached after <see cref="ViewerSession.ConnectAsync"/>) and a re-offer is answered
/// on the same connection.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class ViewerSessionChannelTests : SessionFixture
{
    /// <inheritdoc />
    protected override string ChannelPrefix => "viewer-channels-";

    [Test]
    public async Task MasterOpensADataChannel_ViewerSurfacesItToALateSubscriberAndCarriesItsMessages(CancellationToken cancellationToken)
    {
        await using var master = await MasterSession.StartAsync(MasterOptions(), cancellationToken);
        await using var viewer = await ViewerSession.ConnectAsync(ViewerOptions("viewer-1"), cancellationToken);
        await WaitUntilAsync(() => master.Viewers.Count == 1, cancellationToken);

        // The master's channel opens, and is announced at the viewer, before anyone on the viewer side listens.
        var fromMaster = master.GetPeerConnection("viewer-1")!.CreateDataChannel("master-chat");
        await WaitUntilAsync(() => fromMaster.ReadyState == RTCDataChannelState.Open, cancellationToken);
        var message = viewer.Messages.FirstAsync(m => m.Text == "on the master's channel").ToTask(cancellationToken);
        var labels = await viewer.DataChannels.Take(2).Select(c => c.Label).ToList().ToTask(cancellationToken).WaitAsync(WaitTimeout, cancellationToken);
        await fromMaster.SendAsync("on the master's channel", cancellationToken);
        var received = await message.WaitAsync(WaitTimeout, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(labels, Is.EqualTo(new[] { "kvsDataChannel", "master-chat" }));
            Assert.That(received.ClientId, Is.EqualTo(ViewerSession.MasterClientId));
            Assert.That(received.Label, Is.EqualTo("master-chat"), "the message names the master's channel it came on");
            Assert.That(viewer.DataChannel.Label, Is.EqualTo("kvsDataChannel"), "the viewer's own channel stays the one it speaks on");
        });
    }

    [Test]
    public async Task MasterReOffersWithAVideoTrack_ViewerAnswersOnTheSameConnectionAndGetsTheTrack(CancellationToken cancellationToken)
    {
        await using var master = await MasterSession.StartAsync(MasterOptions(), cancellationToken);
        await using var viewer = await ViewerSession.ConnectAsync(ViewerOptions("viewer-1"), cancellationToken);
        await WaitUntilAsync(() => master.Viewers.Count == 1, cancellationToken);
        Assert.That(viewer.VideoTrack, Is.Null, "a data-only master sends no video at first");
        var connection = master.GetPeerConnection("viewer-1")!;

        // The application adds a track to this viewer's connection and renegotiates over the master's signaling.
        var video = new EncodedFrameTrack(RTCRtpCodec.H264);
        connection.AddTrack(video, MasterSession.StreamId);
        var offer = await connection.CreateOfferAsync(cancellationToken);
        await connection.SetLocalDescriptionAsync(offer, cancellationToken);
        var answered = master.Channel.Signaling.Answers.FirstAsync().ToTask(cancellationToken);
        await master.Channel.Signaling.SendOfferAsync(SessionDescriptionPayload.Offer(offer.Sdp), "viewer-1", cancellationToken: cancellationToken);
        var answer = await answered.WaitAsync(WaitTimeout, cancellationToken);
        await connection.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Answer, answer.SessionDescription!.Sdp), cancellationToken);
        await WaitUntilAsync(() => viewer.VideoTrack is not null && video.SenderCount == 1, cancellationToken);

        var frames = ReadFramesAsync(viewer.VideoTrack!, 1, cancellationToken);
        var first = AnnexBReader.ReadFile(TestMedia.H264Path, AnnexBCodec.H264, TestMedia.FramesPerSecond)[0];
        await video.WriteFrameAsync(new EncodedFrame(first.AccessUnit, first.Timestamp, first.IsKeyFrame), cancellationToken);

        var received = await frames;
        Assert.Multiple(() =>
        {
            Assert.That(received, Has.Count.EqualTo(1));
            Assert.That(connection.SignalingState, Is.EqualTo(RTCSignalingState.Stable));
            Assert.That(viewer.PeerConnection.ConnectionState, Is.EqualTo(RTCPeerConnectionState.Connected));
        });
    }
}
