using System.Net;
using System.Net.Sockets;
using Kvs.WebRtc.PeerConnection.Ice;

namespace Kvs.WebRtc.PeerConnection.Turn;

/// <summary>The connection to a TURN server: whole messages out, whole messages in.</summary>
internal abstract class TurnTransport : IAsyncDisposable
{
    /// <summary>True over TCP/TLS.</summary>
    public abstract bool IsReliable { get; }

    /// <summary>Our local endpoint.</summary>
    public abstract EndPoint? LocalEndPoint { get; }

    /// <summary>Sends one STUN or ChannelData message.</summary>
    public abstract ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken);

    /// <summary>
    /// Receives one message; the memory is valid until the next call. Empty when the server closed the connection.
    /// Throws <see cref="TurnException"/> on a broken or invalid stream.
    /// </summary>
    public abstract ValueTask<ReadOnlyMemory<byte>> ReceiveAsync(CancellationToken cancellationToken);

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();

    /// <summary>Resolves the server and connects with its protocol.</summary>
    public static async Task<TurnTransport> ConnectAsync(IceRelayServer server, TurnRelayOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        var address = await ResolveAsync(server.Host, cancellationToken).ConfigureAwait(false);
        var remote = new IPEndPoint(address, server.Port);
        return server.Protocol switch
        {
            IceRelayProtocol.Udp => TurnUdpTransport.Connect(remote),
            _ => await TurnStreamTransport.ConnectAsync(remote, server.Protocol == IceRelayProtocol.Tls ? server.Host : null, options, cancellationToken).ConfigureAwait(false),
        };
    }

    private static async Task<IPAddress> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return literal;
        }

        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            throw new TurnException(TurnError.TransportFailed, 0, $"Could not resolve TURN server '{host}'.", ex);
        }

        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault()
            ?? throw new TurnException(TurnError.TransportFailed, 0, $"TURN server '{host}' has no address.");
    }
}
