using Kvs.WebRtc.PeerConnection.Media;
using NUnit.Framework;
using static Kvs.WebRtc.PeerConnection.Tests.PeerConnection.TransportObjectsTestHelpers;

namespace Kvs.WebRtc.PeerConnection.Tests.PeerConnection;

/// <summary><see cref="RTCSctpTransport"/> and <see cref="RTCPeerConnection.Sctp"/> of two peer connections on 127.0.0.1.</summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class RTCSctpTransportTests
{
    [Test]
    public async Task DataSectionNegotiated_IsConnectedWithThePeersMaxMessageSize_AndClosesWhenThePeerCloses()
    {
        var ct = PeerPair.Timeout(30);
        await using var pair = new PeerPair();
        Assert.That(pair.A.Sctp, Is.Null);
        await pair.OpenChannelAsync("sctp", null, ct);
        var sctp = pair.A.Sctp!;
        await PollAsync(() => sctp.State == RTCSctpTransportState.Connected && pair.B.Sctp?.State == RTCSctpTransportState.Connected, "both associations up", ct);

        Assert.That(sctp.Transport, Is.SameAs(pair.A.Sctp!.Transport));
        Assert.That(sctp.MaxMessageSize, Is.EqualTo(long.Parse(Attribute(pair.B.LocalDescription!.Sdp, "max-message-size"), System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(sctp.MaxChannels, Is.GreaterThan(0));
        Assert.That(pair.B.Sctp!.Transport.IceTransport.Role, Is.EqualTo(RTCIceRole.Controlled));

        var closed = new TaskCompletionSource<RTCSctpTransportState>(TaskCreationOptions.RunContinuationsAsynchronously);
        sctp.StateChanged += (s, _) => closed.TrySetResult(((RTCSctpTransport)s!).State);
        pair.B.Close();

        Assert.That(await closed.Task.WaitAsync(ct), Is.EqualTo(RTCSctpTransportState.Closed), "the peer's ABORT closes ours");
    }

    [Test]
    public async Task MediaOnly_NoSctpTransport_AndEverySenderAndReceiverShareTheBundleTransport()
    {
        var ct = PeerPair.Timeout(30);
        await using var pair = new PeerPair();
        var video = pair.A.AddTransceiver(MediaStreamTrackKind.Video);
        var audio = pair.A.AddTransceiver(MediaStreamTrackKind.Audio);
        Assert.That(video.Sender.Transport, Is.Null);

        await pair.NegotiateAsync(pair.A, ct: ct);
        await PeerPair.WaitForStateAsync(pair.A, RTCPeerConnectionState.Connected, ct);

        Assert.That(pair.A.Sctp, Is.Null, "no data section");
        Assert.That(pair.B.Sctp, Is.Null);
        var transport = video.Sender.Transport;
        Assert.That(transport, Is.Not.Null);
        Assert.That(new[] { video.Receiver.Transport, audio.Sender.Transport, audio.Receiver.Transport }, Has.All.SameAs(transport));
        Assert.That(transport!.State, Is.EqualTo(RTCDtlsTransportState.Connected));
        Assert.That(pair.B.GetTransceivers().Select(t => t.Receiver.Transport), Has.All.Not.Null.And.All.SameAs(pair.B.GetTransceivers()[0].Sender.Transport));
    }
}
