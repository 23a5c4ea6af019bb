using System.Net;

namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>Options of an <see cref="IceTransport"/>.</summary>
internal sealed record IceTransportOptions
{
    /// <summary>The default of <see cref="SocketReceiveBufferSize"/> and <see cref="SocketSendBufferSize"/>: 4 MiB.</summary>
    public const int DefaultSocketBufferSize = 4 * 1024 * 1024;

    /// <summary>Initial role: controlling for the offerer.</summary>
    public IceRole Role { get; init; } = IceRole.Controlling;

    /// <summary>Local credentials, or null to generate them.</summary>
    public IceCredentials? LocalCredentials { get; init; }

    /// <summary>STUN and TURN servers. <c>stun:</c> entries give server-reflexive candidates; <c>turn(s):</c> entries relay candidates (needs a relay factory).</summary>
    public IReadOnlyList<IceServer> Servers { get; init; } = [];

    /// <summary>Candidate policy.</summary>
    public IceTransportPolicy Policy { get; init; } = IceTransportPolicy.All;

    /// <summary>Explicit host addresses to bind (overrides <see cref="IDatagramSocketFactory.GetHostAddresses"/>), e.g. <c>[127.0.0.1]</c> in tests.</summary>
    public IReadOnlyList<IPAddress>? HostAddresses { get; init; }

    /// <summary>Use loopback addresses as host candidates. Default false (true in loopback tests).</summary>
    public bool IncludeLoopback { get; init; }

    /// <summary>Gather IPv6 host candidates. Default true.</summary>
    public bool IncludeIPv6 { get; init; } = true;

    /// <summary>Gather link-local IPv6 (fe80::/10) host candidates. Default false.</summary>
    public bool IncludeLinkLocalIPv6 { get; init; }

    /// <summary>Bound of DNS resolution and of each relay allocation during gathering. Default 5 s.</summary>
    public TimeSpan GatheringTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Kernel receive buffer (SO_RCVBUF) requested for each host socket, in bytes; 0 keeps the OS default. Default 4 MiB:
    /// the Linux default (~208 KiB) overflows under data-channel bursts, and every drop costs an SCTP retransmission
    /// and a congestion-window cut. The OS may cap the value (Linux: net.core.rmem_max).
    /// </summary>
    public int SocketReceiveBufferSize { get; init; } = DefaultSocketBufferSize;

    /// <summary>Kernel send buffer (SO_SNDBUF) requested for each host socket, in bytes; 0 keeps the OS default. Default 4 MiB.</summary>
    public int SocketSendBufferSize { get; init; } = DefaultSocketBufferSize;

    /// <summary>
    /// Creates the host-candidate UDP sockets and lists the host addresses; null (the default) means real sockets: a
    /// <see cref="SystemDatagramSocketFactory"/> with <see cref="SocketReceiveBufferSize"/> and
    /// <see cref="SocketSendBufferSize"/> (which only the real sockets use). Tests pass a virtual network's factory.
    /// TURN allocations (UDP, TCP, TLS) do not go through it: the <see cref="IIceRelayFactory"/> opens its own real sockets.
    /// </summary>
    public IDatagramSocketFactory? SocketFactory { get; init; }

    /// <summary>Options of the sans-IO agent.</summary>
    public IceAgentOptions Agent { get; init; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> when a value is out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Servers, nameof(Servers));
        ArgumentNullException.ThrowIfNull(Agent, nameof(Agent));
        if (GatheringTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("GatheringTimeout must be positive.", nameof(GatheringTimeout));
        }

        if (SocketReceiveBufferSize < 0)
        {
            throw new ArgumentException("SocketReceiveBufferSize must not be negative.", nameof(SocketReceiveBufferSize));
        }

        if (SocketSendBufferSize < 0)
        {
            throw new ArgumentException("SocketSendBufferSize must not be negative.", nameof(SocketSendBufferSize));
        }

        Agent.Validate();
    }
}
