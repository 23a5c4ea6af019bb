using System.Net;

namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>
/// The socket seam under <see cref="IceTransport"/>: binds the UDP sockets of host candidates and lists the local host
/// addresses. <see cref="SystemDatagramSocketFactory"/> is the real one (kernel sockets, interface enumeration); tests
/// put an <see cref="IceTransport"/> on an in-process virtual network by passing another implementation in
/// <see cref="IceTransportOptions.SocketFactory"/>.
/// </summary>
/// <remarks>
/// Only host-candidate sockets (ICE checks, STUN to <c>stun:</c> servers, application data) go through this seam. TURN
/// allocations come from an <see cref="IIceRelayFactory"/> and open their own real sockets (UDP, TCP and TLS).
/// Implementations must be safe to call from several threads.
/// </remarks>
internal interface IDatagramSocketFactory
{
    /// <summary>The local host addresses to gather host candidates on, filtered as <paramref name="filter"/> asks.</summary>
    /// <param name="filter">Which kinds of address the ICE options want.</param>
    /// <returns>The addresses, without duplicates; empty when none can be listed.</returns>
    IReadOnlyList<IPAddress> GetHostAddresses(HostAddressFilter filter);

    /// <summary>Creates a datagram socket bound to <paramref name="localEndPoint"/> (port 0: an ephemeral port).</summary>
    /// <param name="localEndPoint">The local address and port.</param>
    /// <returns>The bound socket; it delivers nothing until <see cref="IDatagramSocket.StartReceiving"/>.</returns>
    /// <exception cref="System.Net.Sockets.SocketException">The address cannot be bound (not local, port in use).</exception>
    IDatagramSocket Bind(IPEndPoint localEndPoint);
}
