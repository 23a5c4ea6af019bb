using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Kvs.WebRtc.PeerConnection.Ice;

namespace Kvs.WebRtc.PeerConnection.Tests.Ice;

/// <summary>
/// A TURN stand-in: each "allocation" is a UDP socket on 127.0.0.1 whose address is the relayed address. Datagrams
/// from a peer are delivered only after <see cref="IIceRelay.PermitAsync"/> for its address (as TURN permissions work).
/// </summary>
internal sealed class FakeIceRelayFactory : IIceRelayFactory
{
    public ConcurrentBag<FakeRelay> Allocations { get; } = [];

    public ConcurrentBag<IceRelayServer> Requests { get; } = [];

    public bool Fail { get; set; }

    public ValueTask<IIceRelay> AllocateAsync(IceRelayServer server, CancellationToken cancellationToken)
    {
        Requests.Add(server);
        if (Fail)
        {
            throw new IOException("allocation refused");
        }

        var relay = new FakeRelay(server);
        Allocations.Add(relay);
        return ValueTask.FromResult<IIceRelay>(relay);
    }

    public sealed class FakeRelay : IIceRelay
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly CancellationTokenSource _cts = new();
        private readonly ConcurrentDictionary<IPAddress, bool> _permissions = new();
        private readonly Task _loop;

        public FakeRelay(IceRelayServer server)
        {
            Server = server;
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            RelayedAddress = (IPEndPoint)_socket.LocalEndPoint!;
            _loop = Task.Run(ReceiveAsync);
        }

        public IPEndPoint RelayedAddress { get; }

        public IPEndPoint? ReflexiveAddress => new(IPAddress.Parse("203.0.113.9"), 50000);

        public IceRelayServer Server { get; }

        public IceRelayReceiver? Receiver { get; set; }

        public int Sent;

        public event Action<Exception>? Failed;

        public ValueTask PermitAsync(IPAddress peer, CancellationToken cancellationToken)
        {
            _permissions[peer] = true;
            return ValueTask.CompletedTask;
        }

        public async ValueTask SendAsync(IPEndPoint peer, ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Sent);
            await _socket.SendToAsync(datagram, SocketFlags.None, peer, cancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            await _cts.CancelAsync();
            _socket.Dispose();
            await Task.WhenAny(_loop, Task.Delay(1000));
            _cts.Dispose();
            Failed?.Invoke(new ObjectDisposedException(nameof(FakeRelay)));
        }

        private async Task ReceiveAsync()
        {
            var buffer = new byte[2048];
            while (!_cts.IsCancellationRequested)
            {
                try
                {
                    var result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _cts.Token);
                    var peer = (IPEndPoint)result.RemoteEndPoint;
                    if (_permissions.ContainsKey(peer.Address))
                    {
                        Receiver?.Invoke(peer, buffer.AsSpan(0, result.ReceivedBytes));
                    }
                }
                catch (Exception) when (_cts.IsCancellationRequested)
                {
                    return;
                }
                catch (SocketException)
                {
                }
            }
        }
    }
}
