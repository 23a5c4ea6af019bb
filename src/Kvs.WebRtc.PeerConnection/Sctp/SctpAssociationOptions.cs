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

    /// <summary>
    /// When true, a received message keeps counting against the receive window after <see cref="SctpAssociation.TryPollEvent"/>
    /// returned it, until the driver hands its bytes back with <see cref="SctpAssociation.ReleaseReceived"/> (once the
    /// application has consumed it): the advertised window then shrinks while the application falls behind, and the
    /// peer slows down (back-pressure). Default false: the bytes leave the window when the event is polled.
    /// </summary>
    public bool HoldPolledMessages { get; init; }

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

    /// <summary>
    /// RTO.Initial; default 500 ms. RFC 9260 §16 suggests 1 s for the general Internet; WebRTC stacks use shorter
    /// timers because data channels run over ICE-verified, usually short paths (dcsctp, Chromium's SCTP: 500 ms).
    /// </summary>
    public TimeSpan RtoInitial { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// RTO.Min; default 220 ms (dcsctp). RFC 9260 §16 suggests 1 s. It must stay above the peer's delayed-SACK
    /// timeout (200 ms at most for RFC 9260 §6.2 peers), or T3-rtx fires before an on-time delayed SACK arrives.
    /// </summary>
    public TimeSpan RtoMin { get; init; } = TimeSpan.FromMilliseconds(220);

    /// <summary>
    /// RTO.Max for the RTO computed from RTT measurements (RFC 9260 §6.3.1); default 800 ms (dcsctp). RFC 9260 §16
    /// suggests 60 s; a low cap keeps one unlucky RTT sample or a lost packet from stalling a data channel for
    /// seconds. Back-off after consecutive expiries is capped separately by <see cref="MaxTimerBackoff"/>.
    /// </summary>
    public TimeSpan RtoMax { get; init; } = TimeSpan.FromMilliseconds(800);

    /// <summary>
    /// Cap of the exponential timer back-off after consecutive expiries (T1, T3-rtx, T2, RE-CONFIG); default 3 s.
    /// RFC 9260 §6.3.3 E2 caps the doubled RTO at RTO.Max; like dcsctp (Chromium and Firefox set its
    /// max_timer_backoff_duration to 3 s) this keeps the cap on RTT-derived RTOs (<see cref="RtoMax"/>) separate from
    /// the back-off cap, so an outage is ridden out for about <see cref="MaxAssociationRetransmits"/> × 3 s instead
    /// of failing the association after a few seconds. Values below <see cref="RtoMax"/> act as <see cref="RtoMax"/>.
    /// </summary>
    public TimeSpan MaxTimerBackoff { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Delayed SACK timeout (RFC 9260 §6.2, at most 500 ms); default 200 ms (dcsctp). The association uses the
    /// smaller of this and half its current RTO.
    /// </summary>
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

    /// <summary>The largest value the doubling RTO reaches after timer expiries.</summary>
    internal TimeSpan BackoffLimit => MaxTimerBackoff > RtoMax ? MaxTimerBackoff : RtoMax;

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
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(DelayedAckTimeout, TimeSpan.Zero, nameof(DelayedAckTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MaxTimerBackoff, TimeSpan.Zero, nameof(MaxTimerBackoff));
    }
}
