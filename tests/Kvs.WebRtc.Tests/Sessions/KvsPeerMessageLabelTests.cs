using System.Collections.Concurrent;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.Sessions;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Sessions;

/// <summary>
/// <see cref="KvsPeerMessage.Label"/> end to end: with several data channels per viewer, every message on either side
/// names the channel it came on.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class KvsPeerMessageLabelTests : SessionFixture
{
    /// <inheritdoc />
    protected override string ChannelPrefix => "message-labels-";

    [Test]
    public async Task ViewerOpensASecondChannel_MasterGetsMessagesOfBothWithTheirLabels(CancellationToken cancellationToken)
    {
        await using var master = await MasterSession.StartAsync(MasterOptions(), cancellationToken);
        var received = new ConcurrentQueue<KvsPeerMessage>();
        using var subscription = master.Messages.Subscribe(received.Enqueue);
        await using var viewer = await ViewerSession.ConnectAsync(ViewerOptions("viewer-1"), cancellationToken);

        var telemetry = viewer.PeerConnection.CreateDataChannel("telemetry");
        await WaitUntilAsync(() => telemetry.ReadyState == RTCDataChannelState.Open, cancellationToken);
        await viewer.SendAsync("on the default channel", cancellationToken);
        await telemetry.SendAsync("on the telemetry channel", cancellationToken);
        await WaitUntilAsync(() => received.Count == 2, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(received.Select(m => (m.ClientId, m.Label, m.Text)), Is.EquivalentTo(new[]
            {
                ("viewer-1", "kvsDataChannel", "on the default channel"),
                ("viewer-1", "telemetry", "on the telemetry channel"),
            }));
            Assert.That(received.First().ToString(), Does.Contain("Label = ").And.Not.Contain("on the"), "ToString names the label, never the content");
        });
    }

    [Test]
    public async Task MasterAnswersOnItsOwnChannelAndTheViewers_ViewerMessagesCarryEachLabel(CancellationToken cancellationToken)
    {
        await using var master = await MasterSession.StartAsync(MasterOptions(), cancellationToken);
        await using var viewer = await ViewerSession.ConnectAsync(new ViewerSessionOptions { Channel = ChannelOptions, ClientId = "viewer-1", PeerConfiguration = Loopback, DataChannelLabel = "chat" }, cancellationToken);
        await WaitUntilAsync(() => master.Viewers.Count == 1, cancellationToken);
        var twoMessages = viewer.Messages.Take(2).ToList().ToTask(cancellationToken);

        var control = master.GetPeerConnection("viewer-1")!.CreateDataChannel("control");
        await WaitUntilAsync(() => control.ReadyState == RTCDataChannelState.Open, cancellationToken);

        // A viewer counts as joined once its connection is up; the channel it announced in-band may open at the master
        // a moment later (its event and the control channel's state change come from different places), so the first
        // send waits for it, bounded.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await master.SendAsync("viewer-1", "on the viewer's channel", cancellationToken);
                break;
            }
            catch (KvsSessionException e) when (e.Error == KvsSessionError.ViewerNotConnected && attempt < 200)
            {
                await Task.Delay(25, cancellationToken);
            }
        }

        await control.SendAsync("on the master's channel", cancellationToken);
        var messages = await twoMessages.WaitAsync(WaitTimeout, cancellationToken);

        Assert.That(messages.Select(m => (m.ClientId, m.Label, m.Text)), Is.EquivalentTo(new[]
        {
            (ViewerSession.MasterClientId, "chat", "on the viewer's channel"),
            (ViewerSession.MasterClientId, "control", "on the master's channel"),
        }));
    }
}
