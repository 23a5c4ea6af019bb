namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// Loss recovery of a connection's video (on by default): generic NACK (RFC 4585) sent for lost packets of remote
/// tracks whose sender negotiated <c>nack</c>, NACKs received answered from the local track's packet history, as RTX
/// (RFC 4588) when negotiated (offers and answers carry <c>rtx</c> with <c>apt=</c> and an RTX SSRC).
/// </summary>
/// <remarks>
/// Set the properties, then pass the object to the <see cref="RTCPeerConnection"/> constructor: it validates them (an
/// <see cref="ArgumentException"/> names the property that is out of range) and copies them, so later changes to this
/// instance do not reach a connection already created. Equality is by reference.
/// </remarks>
public sealed class RTCNackOptions
{
    /// <summary>False turns it all off: no NACKs sent, none answered, no RTX offered. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Retransmissions may use at most this share of what the stream sends on the connection (a token bucket), so a
    /// NACK storm cannot amplify the bitrate. Default 0.15; within [0, 1]. Packets of key frames have a budget of the
    /// same share of their own, used first (under heavy loss, delta resends must not starve the key frame a receiver
    /// waits for), so retransmissions stay under twice this share in the worst case.
    /// </summary>
    public double MaxRetransmissionShare { get; set; } = 0.15;

    /// <summary>
    /// Retransmissions may always use this many bits per second, however low the stream's own rate, so that a
    /// low-bitrate stream stays repairable (15 % of a 40 kbit/s stream cannot resend one lost packet of a key frame in
    /// time). Default 100 kbit/s; 0 leaves only <see cref="MaxRetransmissionShare"/>.
    /// </summary>
    public int MinRetransmissionBitrate { get; set; } = 100_000;

    /// <summary>Times the receiver asks for one lost packet. Default 10.</summary>
    public int MaxRetries { get; set; } = 10;

    /// <summary>The receiver stops asking for a packet missing this long and asks for a key frame instead. Default 500 ms.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for values out of range.</summary>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRetransmissionShare, nameof(MaxRetransmissionShare));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxRetransmissionShare, 1, nameof(MaxRetransmissionShare));
        ArgumentOutOfRangeException.ThrowIfNegative(MinRetransmissionBitrate, nameof(MinRetransmissionBitrate));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRetries, 1, nameof(MaxRetries));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MaxAge, TimeSpan.Zero, nameof(MaxAge));
    }

    /// <summary>A copy taken at the door, so later changes to this instance do not reach the connection.</summary>
    internal RTCNackOptions Snapshot() => new()
    {
        Enabled = Enabled,
        MaxRetransmissionShare = MaxRetransmissionShare,
        MinRetransmissionBitrate = MinRetransmissionBitrate,
        MaxRetries = MaxRetries,
        MaxAge = MaxAge,
    };
}
