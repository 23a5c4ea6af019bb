namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>Per-message partial reliability policy (RFC 3758; RFC 8831 §6.1 maps data channel options onto it).</summary>
internal readonly record struct SctpReliability
{
    private SctpReliability(int maxRetransmits, TimeSpan? lifetime)
    {
        MaxRetransmits = maxRetransmits;
        Lifetime = lifetime;
    }

    /// <summary>Fully reliable.</summary>
    public static SctpReliability Reliable => new(-1, null);

    /// <summary>Retransmissions allowed after the first transmission; -1 = unlimited.</summary>
    public int MaxRetransmits { get; }

    /// <summary>Time after queuing after which the message is abandoned; null = unlimited.</summary>
    public TimeSpan? Lifetime { get; }

    public bool IsReliable => MaxRetransmits < 0 && Lifetime is null;

    /// <summary>Abandon after <paramref name="maxRetransmits"/> retransmissions (0 = send once).</summary>
    public static SctpReliability WithMaxRetransmits(int maxRetransmits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetransmits);
        return new(maxRetransmits, null);
    }

    /// <summary>Abandon when not acknowledged within <paramref name="lifetime"/> of queuing.</summary>
    public static SctpReliability WithLifetime(TimeSpan lifetime)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lifetime, TimeSpan.Zero);
        return new(-1, lifetime);
    }
}
