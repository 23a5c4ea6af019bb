using System.Net;
using System.Net.Sockets;
using Kvs.WebRtc.PeerConnection.Ice;

namespace Kvs.WebRtc.Testing.Network;

/// <summary>
/// A host on a <see cref="VirtualNetwork"/>: its addresses, an access link in each direction, an optional NAT in front,
/// and its bound sockets. It is the <see cref="IDatagramSocketFactory"/> an <see cref="IceTransport"/> on this host uses
/// (<c>new IceTransportOptions { SocketFactory = host }</c>).
/// </summary>
internal sealed class VirtualHost : IDatagramSocketFactory
{
    private const int FirstEphemeralPort = 50000;

    private readonly VirtualNetwork _network;
    private readonly Dictionary<IPEndPoint, VirtualSocket> _sockets = [];
    private int _nextPort = FirstEphemeralPort;

    internal VirtualHost(VirtualNetwork network, string name, IReadOnlyList<IPAddress> addresses, VirtualNat? nat, VirtualLink uplink, VirtualLink downlink)
    {
        _network = network;
        Name = name;
        Addresses = addresses;
        Nat = nat;
        Uplink = uplink;
        Downlink = downlink;
    }

    /// <summary>For diagnostics.</summary>
    public string Name { get; }

    /// <summary>The host's addresses (private ones when behind a NAT).</summary>
    public IReadOnlyList<IPAddress> Addresses { get; }

    /// <summary>The NAT in front of the host, or null for a host on the public side.</summary>
    public VirtualNat? Nat { get; }

    /// <summary>Packets the host sends cross this link first.</summary>
    public VirtualLink Uplink { get; }

    /// <summary>Packets for the host cross this link last.</summary>
    public VirtualLink Downlink { get; }

    /// <summary>The network the host is on.</summary>
    public VirtualNetwork Network => _network;

    /// <summary>Sets the same conditions on both directions.</summary>
    public void SetConditions(LinkConditions conditions)
    {
        Uplink.Conditions = conditions;
        Downlink.Conditions = conditions;
    }

    /// <inheritdoc />
    /// <remarks>Every address of the host: loopback-range addresses stand in for real ones here, so
    /// <see cref="HostAddressFilter.IncludeLoopback"/> is ignored; IPv6 ones only when the filter asks for IPv6.</remarks>
    public IReadOnlyList<IPAddress> GetHostAddresses(HostAddressFilter filter) =>
        [.. Addresses.Where(a => filter.IncludeIPv6 || a.AddressFamily != AddressFamily.InterNetworkV6)];

    /// <inheritdoc />
    public IDatagramSocket Bind(IPEndPoint localEndPoint) => BindSocket(localEndPoint);

    /// <summary>Binds a socket (port 0: the next free port from 50000).</summary>
    /// <exception cref="SocketException">The address is not the host's, or the port is in use.</exception>
    public VirtualSocket BindSocket(IPEndPoint localEndPoint)
    {
        ArgumentNullException.ThrowIfNull(localEndPoint);
        if (!Addresses.Contains(localEndPoint.Address))
        {
            throw new SocketException((int)SocketError.AddressNotAvailable);
        }

        lock (_network.Gate)
        {
            var port = localEndPoint.Port;
            if (port == 0)
            {
                while (_sockets.ContainsKey(new IPEndPoint(localEndPoint.Address, _nextPort)))
                {
                    _nextPort++;
                }

                port = _nextPort++;
            }

            var bound = new IPEndPoint(localEndPoint.Address, port);
            if (_sockets.ContainsKey(bound))
            {
                throw new SocketException((int)SocketError.AddressAlreadyInUse);
            }

            var socket = new VirtualSocket(_network, this, bound);
            _sockets[bound] = socket;
            return socket;
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({string.Join(", ", Addresses)})";

    // Under the network lock.
    internal VirtualSocket? FindSocket(IPEndPoint endPoint) => _sockets.GetValueOrDefault(endPoint);

    // Under the network lock.
    internal void Unbind(VirtualSocket socket) => _sockets.Remove(socket.LocalEndPoint);
}
