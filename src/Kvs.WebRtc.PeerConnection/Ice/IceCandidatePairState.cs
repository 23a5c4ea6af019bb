namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>The state of a candidate pair (RFC 8445 §6.1.2.6).</summary>
internal enum IceCandidatePairState
{
    /// <summary>Waiting for a pair of the same foundation to succeed.</summary>
    Frozen,

    /// <summary>Ready to be checked.</summary>
    Waiting,

    /// <summary>A check is outstanding.</summary>
    InProgress,

    /// <summary>A check succeeded: the pair is valid.</summary>
    Succeeded,

    /// <summary>The check failed or timed out.</summary>
    Failed,
}
