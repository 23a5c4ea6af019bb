using System.Collections.Concurrent;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.Sessions;
using Kvs.WebRtc.Signaling;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Sessions;

/// <summary>
/// <see cref="MasterSession"/> and <see cref="ViewerSession"/> end to end: signaling through the in-process KVS
/// emulator, then real peer connections (ICE, DTLS, SCTP) on 127.0.0.1 carrying data-channel messages.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class SessionEmulatorTests : SessionFixture
{
    /// <inheritdoc />
    protected override string ChannelPrefix => "sessions-";

    [Test]
    public async Task ViewerConnects_MasterSeesItJoinAndBothExchangeMessages(CancellationToken cancellationToken)
    {
        await using var master = await MasterSession.StartAsync(MasterOptions(), cancellationToken);
        var joined = master.ViewerJoined.FirstAsync().ToTask(cancellationToken);
        var atMaster = master.Messages.FirstAsync().ToTask(cancellationToken);

        await using var viewer = await ViewerSession.ConnectAsync(ViewerOptions("viewer-1"), cancellationToken);
        var atViewer = viewer.Messages.FirstAsync().ToTask(cancellationToken);

        Assert.That((await joined.WaitAsync(WaitTimeout, cancellationToken)).ClientId, Is.EqualTo("viewer-1"));
        await viewer.SendAsync("hello master", cancellationToken);
        var received = await atMaster.WaitAsync(WaitTimeout, cancellationToken);
        Assert.That((received.ClientId, received.Text), Is.EqualTo(("viewer-1", "hello master")));

        await master.SendAsync("viewer-1", new byte[] { 1, 2, 3 }, cancellationToken);
        var reply = await atViewer.WaitAsync(WaitTimeout, cancellationToken);
        Assert.That((reply.ClientId, reply.IsText, reply.Data.ToArray()), Is.EqualTo((ViewerSession.MasterClientId, false, new byte[] { 1, 2, 3 })));
        Assert.That(master.Viewers.Select(v => v.ClientId), Is.EquivalentTo(new[] { "viewer-1" }));
    }

    [Test]
    public async Task TwoViewers_BroadcastReachesBothAndMessagesKeepTheirSender(CancellationToken cancellationToken)
    {
        await using var master = await MasterSession.StartAsync(MasterOptions(), cancellationToken);
        var fromViewers = new ConcurrentBag<string>();
        using var subscription = master.Messages.Subscribe(m => fromViewers.Add($"{m.ClientId}:{m.Text}"));

        await using var first = await ViewerSession.ConnectAsync(ViewerOptions("viewer-a"), cancellationToken);
        await using var second = await ViewerSession.ConnectAsync(ViewerOptions("viewer-b"), cancellationToken);
        // Joined means connected; a broadcast goes to the viewers whose data channel the master has taken up, which a
        // message from each viewer proves.
        await WaitUntilAsync(() => master.Viewers.Count == 2, cancellationToken);
        await first.SendAsync("a here", cancellationToken);
        await second.SendAsync("b here", cancellationToken);
        await WaitUntilAsync(() => fromViewers.Count == 2, cancellationToken);
        fromViewers.Clear();

        var atFirst = first.Messages.FirstAsync().ToTask(cancellationToken);
        var atSecond = second.Messages.FirstAsync().ToTask(cancellationToken);
        Assert.That(await master.BroadcastAsync("to all", cancellationToken), Is.EqualTo(2));
        Assert.That((await atFirst.WaitAsync(WaitTimeout, cancellationToken)).Text, Is.EqualTo("to all"));
        Assert.That((await atSecond.WaitAsync(WaitTimeout, cancellationToken)).Text, Is.EqualTo("to all"));

        await first.SendAsync("a", cancellationToken);
        await second.SendAsync("b", cancellationToken);
        await WaitUntilAsync(() => fromViewers.Count == 2, cancellationToken);
        Assert.That(fromViewers, Is.EquivalentTo(new[] { "viewer-a:a", "viewer-b:b" }));
    }

    [Test]
    public async Task ViewerDisposed_MasterReportsItLeft(CancellationToken cancellationToken)
    {
        await using var master = await MasterSession.StartAsync(MasterOptions(), cancellationToken);
        var left = master.ViewerLeft.FirstAsync().ToTask(cancellationToken);
        var viewer = await ViewerSession.ConnectAsync(ViewerOptions("viewer-gone"), cancellationToken);
        await WaitUntilAsync(() => master.Viewers.Count == 1, cancellationToken);

        await viewer.DisposeAsync();

        Assert.That((await left.WaitAsync(WaitTimeout, cancellationToken)).ClientId, Is.EqualTo("viewer-gone"));
        Assert.That(master.Viewers, Is.Empty);
    }

    [Test]
    public async Task MalformedOfferFromOneViewer_DoesNotStopTheMasterServingOthers(CancellationToken cancellationToken)
    {
        await using var master = await MasterSession.StartAsync(MasterOptions(), cancellationToken);

        // A raw signaling viewer sends SDP that is not SDP at all.
        await using (var rogue = await KvsChannel.ConnectAsViewerAsync(ChannelOptions, "rogue", cancellationToken))
        {
            await rogue.Signaling.SendOfferAsync(SessionDescriptionPayload.Offer("this is not sdp"), cancellationToken: cancellationToken);
            await rogue.Signaling.SendIceCandidateAsync(new IceCandidatePayload("candidate:garbage", "0", 0), cancellationToken: cancellationToken);
        }

        await using var viewer = await ViewerSession.ConnectAsync(ViewerOptions("viewer-ok"), cancellationToken);
        var echo = master.Messages.FirstAsync().ToTask(cancellationToken);
        await viewer.SendAsync("still here?", cancellationToken);
        Assert.That((await echo.WaitAsync(WaitTimeout, cancellationToken)).ClientId, Is.EqualTo("viewer-ok"));
        Assert.That(master.Viewers.Select(v => v.ClientId), Is.EquivalentTo(new[] { "viewer-ok" }));
    }

    [Test]
    public void ViewerWithoutMaster_TimesOutWithTypedError()
    {
        var options = new ViewerSessionOptions { Channel = ChannelOptions, ClientId = "lonely", PeerConfiguration = Loopback, ConnectTimeout = TimeSpan.FromSeconds(2) };
        var error = Assert.ThrowsAsync<KvsSessionException>(async () => await ViewerSession.ConnectAsync(options));
        Assert.That(error!.Error, Is.EqualTo(KvsSessionError.ConnectTimeout));
        Assert.That(error.Message, Does.Contain("not established within"));
    }

    [Test]
    public void Options_Invalid_ThrowArgumentExceptionBeforeAnyNetworkCall()
    {
        Assert.ThrowsAsync<ArgumentException>(async () => await ViewerSession.ConnectAsync(ViewerOptions("")));
        var maxViewers = Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await MasterSession.StartAsync(new MasterSessionOptions { Channel = ChannelOptions, PeerConfiguration = Loopback, MaxViewers = 0 }));
        var region = Assert.ThrowsAsync<ArgumentException>(async () => await MasterSession.StartAsync(new MasterSessionOptions { Channel = CreateChannelOptions(o => o.Region = " ") }));
        var policy = Assert.ThrowsAsync<ArgumentException>(async () => await MasterSession.StartAsync(
            new MasterSessionOptions { Channel = ChannelOptions, PeerConfiguration = new RTCConfiguration { IceTransportPolicy = (RTCIceTransportPolicy)7 } }));
        Assert.Multiple(() =>
        {
            Assert.That(maxViewers!.ParamName, Is.EqualTo(nameof(MasterSessionOptions.MaxViewers)));
            Assert.That(region!.ParamName, Is.EqualTo(nameof(KvsChannelOptions.Region)));
            Assert.That(policy!.ParamName, Is.EqualTo(nameof(RTCConfiguration.IceTransportPolicy)));
            Assert.That(Emulator.GetConnections(), Is.Empty, "nothing was connected");
        });
    }
}
