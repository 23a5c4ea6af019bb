namespace Kvs.WebRtc.PeerConnection.Stun;

/// <summary>Retransmission parameters of a STUN client transaction.</summary>
/// <remarks>
/// RFC 8489 §6.2.1 (unreliable transports: RTO starts at 500 ms and doubles; Rc = 7 sends; after the last send wait
/// Rm × RTO, Rm = 16, i.e. 39.5 s in total with the defaults) and §6.2.2 (reliable transports: one send, Ti = 39.5 s).
/// </remarks>
internal sealed record StunRetransmissionOptions
{
    /// <summary>The defaults of RFC 8489.</summary>
    public static StunRetransmissionOptions Default { get; } = new();

    /// <summary>Initial retransmission timeout (RTO). Default 500 ms.</summary>
    public TimeSpan InitialRto { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Upper bound of the doubled RTO. Default: unbounded (<see cref="TimeSpan.MaxValue"/>).</summary>
    public TimeSpan MaxRto { get; init; } = TimeSpan.MaxValue;

    /// <summary>Rc: total number of sends (first send included). Default 7.</summary>
    public int MaxSends { get; init; } = 7;

    /// <summary>Rm: after the last send, wait this many initial RTOs for a response. Default 16.</summary>
    public int LastWaitMultiplier { get; init; } = 16;

    /// <summary>Ti: timeout on reliable transports (TCP, TLS), where the request is sent once. Default 39.5 s.</summary>
    public TimeSpan ReliableTimeout { get; init; } = TimeSpan.FromMilliseconds(39_500);

    /// <summary>Throws when a value is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(InitialRto, TimeSpan.Zero, nameof(InitialRto));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRto, InitialRto, nameof(MaxRto));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSends, 1, nameof(MaxSends));
        ArgumentOutOfRangeException.ThrowIfLessThan(LastWaitMultiplier, 1, nameof(LastWaitMultiplier));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ReliableTimeout, TimeSpan.Zero, nameof(ReliableTimeout));
    }
}
