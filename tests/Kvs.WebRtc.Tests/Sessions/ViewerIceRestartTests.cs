using System.Collections.Concurrent;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.Sessions;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Sessions;

/// <summary>
/// ICE restart over signaling (docs/recovery.md): the viewer re-offers with new ICE credentials, the master recognises
/// the offer as one for the viewer's existing connection (same SDP session id) and answers it on that connection, so the
/// viewer stays joined, its data channel keeps working and no second connection is made.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class ViewerIceRestartTests : SessionFixture
{
    /// <inheritdoc />
    protected override string ChannelPrefix => "ice-restart-";

    [Test]
    public async Task RestartIceAsync_MasterAnswersOnTheSameConnection_ViewerStaysJoinedAndMessagesFlow(CancellationToken cancellationToken)
    {
        await using var master = await MasterSession.StartAsync(MasterOptions(), cancellationToken);
        var left = new ConcurrentQueue<string>();
        using var leaving = master.ViewerLeft.Subscribe(v => left.Enqueue(v.ClientId));
        var atMaster = new ConcurrentQueue<string>();
        using var messages = master.Messages.Subscribe(m => atMaster.Enqueue(m.Text ?? string.Empty));
        await using var viewer = await ViewerSession.ConnectAsync(ViewerOptions("viewer-1"), cancellationToken);
        await WaitUntilAsync(() => master.Viewers.Count == 1, cancellationToken);
        var masterConnection = master.GetPeerConnection("viewer-1");
        var ufragBefore = UfragOf(viewer.PeerConnection.LocalDescription!.Sdp);
        var masterUfragBefore = UfragOf(masterConnection!.LocalDescription!.Sdp);

        await viewer.RestartIceAsync(cancellationToken);
        await WaitUntilAsync(() => viewer.PeerConnection.ConnectionState == RTCPeerConnectionState.Connected
            && masterConnection.ConnectionState == RTCPeerConnectionState.Connected, cancellationToken);
        await viewer.SendAsync("after the restart", cancellationToken);
        await WaitUntilAsync(() => atMaster.Contains("after the restart"), cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(UfragOf(viewer.PeerConnection.LocalDescription!.Sdp), Is.Not.EqualTo(ufragBefore), "the viewer offered new ICE credentials");
            Assert.That(UfragOf(masterConnection.LocalDescription!.Sdp), Is.Not.EqualTo(masterUfragBefore), "the master answered with new ones");
            Assert.That(master.GetPeerConnection("viewer-1"), Is.SameAs(masterConnection), "answered on the same connection, not a new one");
            Assert.That(master.Viewers.Select(v => v.ClientId), Is.EqualTo(new[] { "viewer-1" }));
            Assert.That(left, Is.Empty, "the viewer never left");
            Assert.That(viewer.PeerConnection.SignalingState, Is.EqualTo(RTCSignalingState.Stable));
        });
    }

    [Test]
    public async Task RestartIceAsync_MasterNeverSeesTheOffer_TypedAnswerTimeout_ConnectionBackInStable(CancellationToken cancellationToken)
    {
        await using var master = await MasterSession.StartAsync(MasterOptions(), cancellationToken);
        var options = ViewerOptions("viewer-3");
        options.ConnectTimeout = TimeSpan.FromSeconds(6);
        await using var viewer = await ViewerSession.ConnectAsync(options, cancellationToken);
        await WaitUntilAsync(() => master.Viewers.Count == 1, cancellationToken);

        Emulator.Faults.DropNextMessages(10_000); // the restart offer and its candidates never reach the master
        var error = Assert.ThrowsAsync<KvsSessionException>(() => viewer.RestartIceAsync(cancellationToken));
        Emulator.Faults.DropNextMessages(0);

        Assert.Multiple(() =>
        {
            Assert.That(error!.Error, Is.EqualTo(KvsSessionError.AnswerTimeout));
            Assert.That(viewer.PeerConnection.SignalingState, Is.EqualTo(RTCSignalingState.Stable), "the unanswered offer was rolled back");
        });
    }

    [Test]
    public async Task RestartIceAsync_AfterDispose_ThrowsObjectDisposed()
    {
        await using var master = await MasterSession.StartAsync(MasterOptions());
        await using var viewer = await ViewerSession.ConnectAsync(ViewerOptions("viewer-2"));
        await viewer.DisposeAsync();
        Assert.ThrowsAsync<ObjectDisposedException>(() => viewer.RestartIceAsync());
    }

    private static string UfragOf(string sdp) =>
        sdp.Split("\r\n").First(l => l.StartsWith("a=ice-ufrag:", StringComparison.Ordinal))["a=ice-ufrag:".Length..];
}
