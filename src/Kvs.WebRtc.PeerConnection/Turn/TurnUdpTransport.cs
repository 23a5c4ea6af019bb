using System.Net;
using System.Net.Sockets;

namespace Kvs.WebRtc.PeerConnection.Turn;

/// <summary>TURN over UDP: a connected datagram socket, one message per datagram.</summary>
internal sealed class TurnUdpTransport : TurnTransport
{
    // ICMP errors surface as ConnectionRefused on a connected UDP socket; tolerate a few before giving up.
    private const int MaxConsecutiveIcmpErrors = 16;

    private readonly Socket _socket;
    private readonly byte[] _receiveBuffer = new byte[65_536];

    private TurnUdpTransport(Socket socket) => _socket = socket;

    /// <inheritdoc />
    public override bool IsReliable => false;

    /// <inheritdoc />
    public override EndPoint? LocalEndPoint => _socket.LocalEndPoint;

    /// <summary>Creates a socket connected to <paramref name="remote"/>.</summary>
    public static TurnUdpTransport Connect(IPEndPoint remote)
    {
        var socket = new Socket(remote.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Connect(remote);
            return new TurnUdpTransport(socket);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new TurnException(TurnError.TransportFailed, 0, "Could not open a UDP socket to the TURN server.", ex);
        }
    }

    /// <inheritdoc />
    public override async ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        try
        {
            await _socket.SendAsync(message, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            // A previous datagram drew an ICMP error; UDP gives no delivery guarantee anyway.
        }
        catch (SocketException ex)
        {
            throw new TurnException(TurnError.TransportFailed, 0, "UDP send to the TURN server failed.", ex);
        }
    }

    /// <inheritdoc />
    public override async ValueTask<ReadOnlyMemory<byte>> ReceiveAsync(CancellationToken cancellationToken)
    {
        for (var errors = 0; ; errors++)
        {
            try
            {
                var count = await _socket.ReceiveAsync(_receiveBuffer.AsMemory(), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                return _receiveBuffer.AsMemory(0, count);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused && errors < MaxConsecutiveIcmpErrors)
            {
                // Port unreachable from an earlier send: keep listening.
            }
            catch (SocketException ex)
            {
                throw new TurnException(TurnError.TransportFailed, 0, "UDP receive from the TURN server failed.", ex);
            }
        }
    }

    /// <inheritdoc />
    public override ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
