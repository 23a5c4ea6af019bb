namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>Counters of an <see cref="IceAgent"/> (read on the agent's thread).</summary>
internal sealed class IceAgentCounters
{
    /// <summary>STUN messages that failed to parse, or had a bad FINGERPRINT.</summary>
    public long MalformedStun { get; internal set; }

    /// <summary>STUN messages with a wrong USERNAME or MESSAGE-INTEGRITY, or missing them.</summary>
    public long Unauthenticated { get; internal set; }

    /// <summary>Responses matching no outstanding transaction.</summary>
    public long UnknownTransactions { get; internal set; }

    /// <summary>Non-STUN datagrams from addresses that are not validated, or of an unknown kind (RFC 7983).</summary>
    public long UnexpectedData { get; internal set; }

    /// <summary>Remote candidates ignored (mDNS, TCP, other component, cap, malformed).</summary>
    public long IgnoredRemoteCandidates { get; internal set; }

    /// <summary>Connectivity checks sent (first transmissions only).</summary>
    public long ChecksSent { get; internal set; }

    /// <summary>Authenticated checks answered.</summary>
    public long ChecksAnswered { get; internal set; }

    /// <summary>Role conflicts seen (RFC 8445 §7.3.1.1).</summary>
    public long RoleConflicts { get; internal set; }
}
