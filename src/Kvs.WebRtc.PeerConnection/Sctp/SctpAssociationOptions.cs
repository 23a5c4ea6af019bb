namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>Settings of one <see cref="SctpAssociation"/>; defaults suit WebRTC data channels.</summary>
internal sealed record SctpAssociationOptions
{
    /// <summary>Local SCTP port (SDP a=sctp-port, RFC 8841 §5); default 5000.</summary>
    public ushort LocalPort { get; init; } = 5000;

    /// <summary>Remote SCTP port; default 5000.</summary>
    public ushort RemotePort { get; init; } = 5000;

    /// <summary>Largest SCTP packet produced (the DTLS record payload budget); default 1200 bytes.</summary>
    public int Mtu { get; init; } = 1200;

    /// <summary>Receive buffer advertised as a_rwnd (RFC 9260 §6.2.1); default 1 MiB.</summary>
    public int ReceiveWindow { get; init; } = 1024 * 1024;

    /// <summary>Largest user message accepted from the peer (our SDP max-message-size, RFC 8841 §6); default 256 KiB.</summary>
    public int MaxReceiveMessageSize { get; init; } = 256 * 1024;

    /// <summary>Largest user message we send (the peer's SDP max-message-size); default 256 KiB.</summary>
    public int MaxSendMessageSize { get; init; } = 256 * 1024;

    /// <summary>Cap on bytes queued and not yet sent, all streams together; default 16 MiB.</summary>
    public long MaxBufferedAmount { get; init; } = 16L * 1024 * 1024;

    /// <summary>Outbound streams requested in INIT; default 65535 (RFC 8831 §6.2).</summary>
    public ushort OutboundStreams { get; init; } = 65535;

    /// <summary>Maximum inbound streams accepted; default 65535.</summary>
    public ushort InboundStreams { get; init; } = 65535;

    /// <summary>RTO.Initial (RFC 9260 §16); default 1 s.</summary>
    public TimeSpan RtoInitial { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>RTO.Min; default 1 s (RFC 9260 §16). Lower values speed loss recovery on short paths.</summary>
    public TimeSpan RtoMin { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>RTO.Max; default 60 s.</summary>
    public TimeSpan RtoMax { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Delayed SACK timeout (RFC 9260 §6.2); default 200 ms.</summary>
    public TimeSpan DelayedAckTimeout { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>HB.interval (RFC 9260 §8.3); default 30 s. <see cref="Timeout.InfiniteTimeSpan"/> turns heartbeats off.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Valid.Cookie.Life; default 60 s.</summary>
    public TimeSpan CookieLifetime { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Max.Burst (RFC 9260 §6.1 D, §16): packets of new DATA sent per received SACK (or from idle); default 4. Keeps
    /// a large congestion window from being dumped into the socket in one go, which overflows UDP buffers.
    /// </summary>
    public int MaxBurst { get; init; } = 4;

    /// <summary>Max.Init.Retransmits; default 8.</summary>
    public int MaxInitRetransmits { get; init; } = 8;

    /// <summary>Association.Max.Retrans (consecutive timeouts before the association fails); default 10.</summary>
    public int MaxAssociationRetransmits { get; init; } = 10;

    internal void Validate()
    {
        if (Mtu is < 512 or > 65507)
        {
            throw new ArgumentOutOfRangeException(nameof(Mtu), Mtu, "The MTU must be between 512 and 65507 bytes.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(ReceiveWindow, 1500, nameof(ReceiveWindow));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxReceiveMessageSize, 1, nameof(MaxReceiveMessageSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSendMessageSize, 1, nameof(MaxSendMessageSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBufferedAmount, 1, nameof(MaxBufferedAmount));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBurst, 1, nameof(MaxBurst));
        ArgumentOutOfRangeException.ThrowIfZero(OutboundStreams, nameof(OutboundStreams));
        ArgumentOutOfRangeException.ThrowIfZero(InboundStreams, nameof(InboundStreams));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RtoMin, TimeSpan.Zero, nameof(RtoMin));
        ArgumentOutOfRangeException.ThrowIfLessThan(RtoMax, RtoMin, nameof(RtoMax));
        ArgumentOutOfRangeException.ThrowIfLessThan(RtoInitial, RtoMin, nameof(RtoInitial));
    }
}
