namespace Kvs.WebRtc.PeerConnection.Stun;

/// <summary>Where a client transaction is.</summary>
internal enum StunTransactionState
{
    /// <summary>Created, not started.</summary>
    Created,

    /// <summary>Sent, waiting for a response.</summary>
    Pending,

    /// <summary>A response arrived (<see cref="StunClientTransaction.Complete"/>).</summary>
    Completed,

    /// <summary>No response within the retransmission schedule.</summary>
    TimedOut,

    /// <summary>Abandoned by the owner.</summary>
    Cancelled,
}
