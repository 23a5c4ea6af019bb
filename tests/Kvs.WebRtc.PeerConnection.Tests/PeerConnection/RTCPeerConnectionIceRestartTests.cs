using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.PeerConnection.Ice;
using Kvs.WebRtc.Testing;
using Kvs.WebRtc.Testing.Network;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.PeerConnection;

/// <summary>
/// ICE restart (docs/recovery.md) on the virtual network: a viewer whose address goes away loses consent, restarts ICE
/// with a new offer, the master answers the restart on the same connection, and the new host address (listed again at
/// the restart) carries the same DTLS and SCTP association again.
/// </summary>
[TestFixture]
public sealed class RTCPeerConnectionIceRestartTests
{
    private static readonly IPAddress MasterAddress = IPAddress.Parse("127.70.0.1");
    private static readonly IPAddress ViewerOld = IPAddress.Parse("127.70.0.2");
    private static readonly IPAddress ViewerNew = IPAddress.Parse("127.70.0.3");
    private static readonly TimeSpan RealLimit = TimeSpan.FromSeconds(20);

    [Test]
    public async Task RestartIce_AfterTheViewersAddressMoved_SameConnectionCarriesDataOnTheNewAddress()
    {
        var clock = new ManualTimeProvider();
        using var network = new VirtualNetwork(clock, seed: 7);
        var masterHost = network.AddHost("master", MasterAddress);
        var viewerHost = new MovableHost(network.AddHost("viewer", [ViewerOld, ViewerNew]), [ViewerOld]);
        var configuration = new RTCConfiguration { IncludeLoopbackCandidates = true, EnableIpv6 = false };
        await using var master = new RTCPeerConnection(configuration, new RTCPeerConnectionOptions { TimeProvider = clock, SocketFactory = masterHost });
        await using var viewer = new RTCPeerConnection(configuration, new RTCPeerConnectionOptions { TimeProvider = clock, SocketFactory = viewerHost });
        var fromMaster = new Candidates(master);
        var fromViewer = new Candidates(viewer);
        var received = new ConcurrentQueue<string>();
        var remoteTask = PeerPair.NextRemoteChannelAsync(master, CancellationToken.None);
        var channel = viewer.CreateDataChannel("control");
        channel.MessageReceived += (_, e) => received.Enqueue("viewer:" + e.Text);

        await NegotiateAsync(viewer, master);
        await ExchangeCandidatesAsync(clock, fromViewer, fromMaster, viewer, master);
        await RunUntilAsync(clock, () => channel.ReadyState == RTCDataChannelState.Open && master.ConnectionState == RTCPeerConnectionState.Connected,
            TimeSpan.FromSeconds(30), "first connect", viewer, master);
        var remote = await remoteTask.WaitAsync(RealLimit);
        remote.MessageReceived += (_, e) => received.Enqueue("master:" + e.Text);
        var ufragBefore = viewer.IceTransportOf().GetLocalParameters().UsernameFragment;

        // The viewer's address goes away (DHCP gave it another one): nothing passes, consent is lost after 10 s.
        viewerHost.Remove(ViewerOld);
        viewerHost.Add(ViewerNew);
        await RunUntilAsync(clock, () => viewer.IceConnectionState == RTCIceConnectionState.Disconnected, TimeSpan.FromSeconds(20), "viewer disconnected",
            viewer, master);

        viewer.RestartIce();
        var restartOffer = await viewer.CreateOfferAsync();
        Assert.That(restartOffer.Sdp, Does.Not.Contain("a=ice-ufrag:" + ufragBefore), "the restart offer carries new ICE credentials");
        await NegotiateAsync(viewer, master, restartOffer);
        await RunUntilAsync(clock, () => fromViewer.Has(ViewerNew), TimeSpan.FromSeconds(1), "a host candidate on the new address", viewer, master);
        await ExchangeCandidatesAsync(clock, fromViewer, fromMaster, viewer, master);
        await RunUntilAsync(clock,
            () => viewer.ConnectionState == RTCPeerConnectionState.Connected && master.ConnectionState == RTCPeerConnectionState.Connected
                && viewer.GetStats().SelectedCandidatePair?.StartsWith(ViewerNew.ToString(), StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(20), "reconnected on the new address", viewer, master);

        channel.Send("after-restart");
        remote.Send("after-restart");
        await RunUntilAsync(clock, () => received.Count >= 2, TimeSpan.FromSeconds(10), "messages after the restart", viewer, master);
        Assert.Multiple(() =>
        {
            Assert.That(received, Is.EquivalentTo(new[] { "master:after-restart", "viewer:after-restart" }));
            Assert.That(viewer.IceTransportOf().GetLocalParameters().UsernameFragment, Is.Not.EqualTo(ufragBefore));
            Assert.That(master.SignalingState, Is.EqualTo(RTCSignalingState.Stable));
            Assert.That(viewer.Failure, Is.Null);
        });
    }

    [Test]
    public async Task RemoteAnswer_ThatChangesCredentialsWithoutARestart_IsRefusedWithATypedError()
    {
        var configuration = new RTCConfiguration { IncludeLoopbackCandidates = true, EnableIpv6 = false };
        await using var offerer = new RTCPeerConnection(configuration);
        await using var answerer = new RTCPeerConnection(configuration);
        offerer.CreateDataChannel("c");
        await NegotiateAsync(offerer, answerer);

        // A second, ordinary renegotiation whose answer claims new ICE credentials: not a restart this side asked for.
        var offer = await offerer.CreateOfferAsync();
        await offerer.SetLocalDescriptionAsync(offer);
        await answerer.SetRemoteDescriptionAsync(offer);
        var answer = await answerer.CreateAnswerAsync();
        var ufrag = answer.Sdp.Split("\r\n").First(l => l.StartsWith("a=ice-ufrag:", StringComparison.Ordinal))["a=ice-ufrag:".Length..];
        var forged = answer with { Sdp = answer.Sdp.Replace("a=ice-ufrag:" + ufrag, "a=ice-ufrag:zzzz" + ufrag[4..], StringComparison.Ordinal) };

        var error = Assert.ThrowsAsync<WebRtcException>(() => offerer.SetRemoteDescriptionAsync(forged));
        Assert.That(error!.Error, Is.EqualTo(WebRtcError.InvalidSessionDescription));
    }

    private static async Task NegotiateAsync(RTCPeerConnection offerer, RTCPeerConnection answerer, RTCSessionDescription? offer = null)
    {
        offer ??= await offerer.CreateOfferAsync();
        await offerer.SetLocalDescriptionAsync(offer);
        await answerer.SetRemoteDescriptionAsync(offer);
        var answer = await answerer.CreateAnswerAsync();
        await answerer.SetLocalDescriptionAsync(answer);
        await offerer.SetRemoteDescriptionAsync(answer);
    }

    // Lets the connections' event tasks publish their candidates (real time, bounded), then hands over what is new.
    private static async Task ExchangeCandidatesAsync(ManualTimeProvider clock, Candidates fromViewer, Candidates fromMaster, RTCPeerConnection viewer,
        RTCPeerConnection master)
    {
        await RunUntilAsync(clock, () => fromViewer.Count > 0 && fromMaster.Count > 0, TimeSpan.FromSeconds(1), "candidates gathered", viewer, master);
        await fromViewer.ForwardNewAsync(master);
        await fromMaster.ForwardNewAsync(viewer);
    }

    // Pumps the manual clock in small steps and yields real time in between, so the connections' event tasks run.
    private static async Task RunUntilAsync(ManualTimeProvider clock, Func<bool> condition, TimeSpan clockLimit, string what, RTCPeerConnection viewer,
        RTCPeerConnection master)
    {
        var end = clock.GetUtcNow() + clockLimit;
        var started = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (clock.GetUtcNow() >= end || Stopwatch.GetElapsedTime(started) > RealLimit)
            {
                Assert.Fail($"Not reached: {what}. viewer: ice {viewer.IceConnectionState}, connection {viewer.ConnectionState}, pair "
                    + $"{viewer.GetStats().SelectedCandidatePair ?? "-"}; master: ice {master.IceConnectionState}, connection {master.ConnectionState}");
            }

            Pump.Until(clock, condition, TimeSpan.FromMilliseconds(20));
            await Task.Delay(1);
        }
    }

    /// <summary>A connection's trickled candidates, forwarded once each; stale ones (another ICE generation) are refused by the peer.</summary>
    private sealed class Candidates
    {
        private readonly List<RTCIceCandidateInit> _all = [];
        private int _forwarded;

        public Candidates(RTCPeerConnection pc) => pc.IceCandidate += (_, e) =>
        {
            if (e.Candidate is { } candidate)
            {
                lock (_all)
                {
                    _all.Add(candidate);
                }
            }
        };

        public int Count
        {
            get
            {
                lock (_all)
                {
                    return _all.Count - _forwarded;
                }
            }
        }

        public bool Has(IPAddress address)
        {
            lock (_all)
            {
                return _all.Exists(c => c.Candidate.Contains(" " + address + " ", StringComparison.Ordinal));
            }
        }

        public async Task ForwardNewAsync(RTCPeerConnection to)
        {
            List<RTCIceCandidateInit> fresh;
            lock (_all)
            {
                fresh = _all.Skip(_forwarded).ToList();
                _forwarded = _all.Count;
            }

            foreach (var candidate in fresh)
            {
                try
                {
                    await to.AddIceCandidateAsync(candidate);
                }
                catch (WebRtcException ex) when (ex.Error == WebRtcError.InvalidCandidate)
                {
                    // A candidate of the generation before the restart.
                }
            }
        }
    }

    /// <summary>
    /// A host whose addresses come and go, as a camera's when it changes networks: a removed address is no longer
    /// listed, cannot be bound, and its sockets neither send nor receive.
    /// </summary>
    private sealed class MovableHost(VirtualHost host, IEnumerable<IPAddress> present) : IDatagramSocketFactory
    {
        private readonly HashSet<IPAddress> _present = [.. present];

        public void Remove(IPAddress address)
        {
            lock (_present)
            {
                _present.Remove(address);
            }
        }

        public void Add(IPAddress address)
        {
            lock (_present)
            {
                _present.Add(address);
            }
        }

        public IReadOnlyList<IPAddress> GetHostAddresses(HostAddressFilter filter) => [.. host.GetHostAddresses(filter).Where(IsPresent)];

        public IDatagramSocket Bind(IPEndPoint localEndPoint) =>
            IsPresent(localEndPoint.Address) ? new Socket(this, host.Bind(localEndPoint)) : throw new SocketException((int)SocketError.AddressNotAvailable);

        private bool IsPresent(IPAddress address)
        {
            lock (_present)
            {
                return _present.Contains(address);
            }
        }

        private sealed class Socket(MovableHost owner, IDatagramSocket inner) : IDatagramSocket
        {
            public IPEndPoint LocalEndPoint => inner.LocalEndPoint;

            public bool SupportsSegments => false;

            private bool Up => owner.IsPresent(inner.LocalEndPoint.Address);

            public SocketError SendTo(ReadOnlySpan<byte> datagram, SocketAddress destination) => Up ? inner.SendTo(datagram, destination) : SocketError.AddressNotAvailable;

            public SocketError SendTo(ReadOnlySpan<byte> datagram, IPEndPoint destination) => Up ? inner.SendTo(datagram, destination) : SocketError.AddressNotAvailable;

            public bool TrySendSegments(ReadOnlySpan<byte> segments, int segmentSize, SocketAddress destination, out SocketError error)
            {
                error = SocketError.OperationNotSupported;
                return false;
            }

            public Task StartReceiving(DatagramReceiver receiver, CancellationToken cancellationToken) => inner.StartReceiving((datagram, source) =>
            {
                if (Up)
                {
                    receiver(datagram, source);
                }
            }, cancellationToken);

            public void Dispose() => inner.Dispose();
        }
    }
}

internal static class IceRestartTestExtensions
{
    public static RTCIceTransport IceTransportOf(this RTCPeerConnection pc) =>
        pc.GetTransceivers().Select(t => t.Sender.Transport?.IceTransport).FirstOrDefault(t => t is not null)
        ?? pc.Sctp?.Transport.IceTransport
        ?? throw new InvalidOperationException("No transport yet.");
}
