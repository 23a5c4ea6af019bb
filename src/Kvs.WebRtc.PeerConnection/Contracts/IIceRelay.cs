using System.Net;

namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>How the ICE agent reaches a TURN server.</summary>
internal enum IceRelayProtocol
{
    /// <summary><c>turn:</c> over UDP.</summary>
    Udp,

    /// <summary><c>turn:...?transport=tcp</c> (RFC 6062 framing is not used: the relay itself is UDP).</summary>
    Tcp,

    /// <summary><c>turns:</c> over TLS on TCP.</summary>
    Tls,
}

/// <summary>A TURN server the ICE agent should allocate a relayed candidate on.</summary>
/// <param name="Host">Host name or IP literal of the TURN server.</param>
/// <param name="Port">Port (3478 for turn:, 5349 for turns: when the URI names none).</param>
/// <param name="Protocol">Transport to the server.</param>
/// <param name="Username">Long-term credential user name.</param>
/// <param name="Password">Long-term credential password. Secret: never logged or printed.</param>
internal sealed record IceRelayServer(string Host, int Port, IceRelayProtocol Protocol, string Username, string Password)
{
    /// <inheritdoc />
    public override string ToString() => $"{Protocol} {Host}:{Port} user={Username}";
}

/// <summary>Receives a datagram a peer sent to a relayed address.</summary>
/// <param name="peer">The peer's transport address (the XOR-PEER-ADDRESS or channel's peer).</param>
/// <param name="datagram">The payload; valid only during the call.</param>
internal delegate void IceRelayReceiver(IPEndPoint peer, ReadOnlySpan<byte> datagram);

/// <summary>
/// The seam between the ICE agent (consumer) and the TURN client (implementation): one live allocation.
/// The implementation refreshes the allocation, its permissions and channel bindings itself until disposed.
/// </summary>
internal interface IIceRelay : IAsyncDisposable
{
    /// <summary>The relayed transport address (XOR-RELAYED-ADDRESS): the relay candidate's address.</summary>
    IPEndPoint RelayedAddress { get; }

    /// <summary>Our address as the TURN server saw it (XOR-MAPPED-ADDRESS), when it reported one.</summary>
    IPEndPoint? ReflexiveAddress { get; }

    /// <summary>The server this allocation lives on.</summary>
    IceRelayServer Server { get; }

    /// <summary>Where datagrams from peers are delivered. Set before the first permission is created.</summary>
    IceRelayReceiver? Receiver { get; set; }

    /// <summary>Raised once when the allocation is lost (refresh failed, server gone, transport closed).</summary>
    event Action<Exception>? Failed;

    /// <summary>
    /// Checks now that the server still holds the allocation (a refresh; an ICE restart asks, docs/recovery.md), so an
    /// allocation lost silently (a TURN server that restarted) raises <see cref="Failed"/> at once instead of at the
    /// next scheduled refresh. Does nothing by default.
    /// </summary>
    void VerifyAllocation()
    {
    }

    /// <summary>Installs (idempotently) a permission for <paramref name="peer"/>; kept fresh until disposal.</summary>
    ValueTask PermitAsync(IPAddress peer, CancellationToken cancellationToken);

    /// <summary>Sends a datagram to <paramref name="peer"/> through the relay (ChannelData once bound, else a Send indication).</summary>
    ValueTask SendAsync(IPEndPoint peer, ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken);
}

/// <summary>Creates allocations. The TURN client provides the implementation; tests may fake it.</summary>
internal interface IIceRelayFactory
{
    /// <summary>Allocates a relayed address on <paramref name="server"/> (401/nonce flow included).</summary>
    ValueTask<IIceRelay> AllocateAsync(IceRelayServer server, CancellationToken cancellationToken);
}
