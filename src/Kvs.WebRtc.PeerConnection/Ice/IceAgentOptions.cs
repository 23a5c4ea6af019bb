namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>Tuning of the sans-IO <see cref="IceAgent"/>; defaults follow RFC 8445 and RFC 7675.</summary>
internal sealed record IceAgentOptions
{
    /// <summary>Ta, the pacing interval between new checks (RFC 8445 §14.2). Default 50 ms.</summary>
    public TimeSpan PacingInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>First retransmission timeout of a check (RFC 8445 §14.3 floor). Default 500 ms; doubles up to <see cref="MaxRetransmissionTimeout"/>.</summary>
    public TimeSpan InitialRetransmissionTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Cap of the doubling retransmission timeout. Default 1.6 s.</summary>
    public TimeSpan MaxRetransmissionTimeout { get; init; } = TimeSpan.FromMilliseconds(1600);

    /// <summary>Transmissions of one check before the pair fails (RFC 5389 Rc). Default 7.</summary>
    public int MaxCheckTransmissions { get; init; } = 7;

    /// <summary>Mean interval of consent checks on the selected pair, randomised ±20% (RFC 7675 §5.1). Default 5 s.</summary>
    public TimeSpan ConsentInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Without a consent response for this long the state becomes Disconnected. Default 10 s.</summary>
    public TimeSpan ConsentDisconnectedAfter { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Without a consent response for this long consent is lost: state Failed, sending stops (RFC 7675 §5.1). Default 30 s.</summary>
    public TimeSpan ConsentLostAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The controlling agent nominates the best valid pair once no better pair is still being checked, or at the latest
    /// this long after the first pair became valid. Default 1 s.
    /// </summary>
    public TimeSpan NominationTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// When the peer never signals end-of-candidates, the agent still declares Failed once every pair has failed and
    /// this long has passed since checking began (RFC 8838 §8 lets an agent give up). Default 30 s.
    /// </summary>
    public TimeSpan FailWithoutEndOfCandidatesAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Most remote candidates kept (signalled plus peer reflexive). Default 100.</summary>
    public int MaxRemoteCandidates { get; init; } = 100;

    /// <summary>Most candidate pairs in the checklist (RFC 8445 §6.1.2.5 suggests 100). Default 100.</summary>
    public int MaxPairs { get; init; } = 100;

    /// <summary>Most outstanding STUN transactions. Default 64.</summary>
    public int MaxPendingTransactions { get; init; } = 64;

    /// <summary>Most local candidates. Default 32.</summary>
    public int MaxLocalCandidates { get; init; } = 32;

    /// <summary>Throws <see cref="ArgumentException"/> when a value is out of range.</summary>
    public void Validate()
    {
        if (PacingInterval <= TimeSpan.Zero || InitialRetransmissionTimeout <= TimeSpan.Zero
            || MaxRetransmissionTimeout < InitialRetransmissionTimeout || ConsentInterval <= TimeSpan.Zero
            || ConsentDisconnectedAfter <= TimeSpan.Zero || ConsentLostAfter < ConsentDisconnectedAfter || NominationTimeout < TimeSpan.Zero
            || FailWithoutEndOfCandidatesAfter <= TimeSpan.Zero)
        {
            throw new ArgumentException("ICE timing options are out of range.", nameof(IceAgentOptions));
        }

        if (MaxCheckTransmissions < 1 || MaxRemoteCandidates < 1 || MaxPairs < 1 || MaxPendingTransactions < 1 || MaxLocalCandidates < 1)
        {
            throw new ArgumentException("ICE limits must be positive.", nameof(IceAgentOptions));
        }
    }
}
