using System.Net;
using Kvs.WebRtc.PeerConnection.Ice;
using Kvs.WebRtc.PeerConnection.Stun;

namespace Kvs.WebRtc.Testing.Network;

/// <summary>
/// A STUN server (RFC 8489 Binding only, no authentication) on a public <see cref="VirtualHost"/>: it answers each
/// Binding request with the source address as the network delivered it (after NAT translation) in
/// XOR-MAPPED-ADDRESS, so agents behind a <see cref="VirtualNat"/> learn server-reflexive candidates. Answers are
/// sent from the delivery callback, so they leave at the clock time the request arrived.
/// </summary>
internal sealed class VirtualStunServer : IDisposable
{
    /// <summary>The default STUN port.</summary>
    public const int DefaultPort = 3478;

    private readonly VirtualSocket _socket;
    private readonly byte[] _response = new byte[128];
    private long _requests;

    /// <summary>Binds the server on <paramref name="host"/> (its first address) and starts answering.</summary>
    public VirtualStunServer(VirtualHost host, int port = DefaultPort)
    {
        ArgumentNullException.ThrowIfNull(host);
        _socket = host.BindSocket(new IPEndPoint(host.Addresses[0], port));
        _ = _socket.StartReceiving(OnDatagram, CancellationToken.None);
    }

    /// <summary>Where agents send their requests (<c>stun:address:port</c>).</summary>
    public IPEndPoint EndPoint => _socket.LocalEndPoint;

    /// <summary>The URL for an ICE server list.</summary>
    public string Url => $"stun:{EndPoint.Address}:{EndPoint.Port}";

    /// <summary>Binding requests answered.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <inheritdoc />
    public void Dispose() => _socket.Dispose();

    // Delivery is one datagram at a time, so the response buffer is not shared.
    private void OnDatagram(ReadOnlySpan<byte> datagram, SocketAddress source)
    {
        if (!StunMessage.TryParse(datagram, out var request, out _) || request.Type != IceStunWriter.BindingRequest)
        {
            return;
        }

        var from = (IPEndPoint)_socket.LocalEndPoint.Create(source);
        var writer = new IceStunWriter(_response, IceStunWriter.BindingSuccess, request.TransactionId);
        writer.AddXorMappedAddress(from);
        writer.AddFingerprint();
        Interlocked.Increment(ref _requests);
        _socket.SendTo(writer.Written, from);
    }
}
