namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>
/// The congestion window of one association's single path (RFC 9260 §7): how many bytes may be in flight. The
/// association reports acknowledgements, loss by fast retransmit and retransmission timeouts; the controller only
/// keeps the window. Swappable: the association depends on this interface, never on one algorithm.
/// </summary>
/// <remarks>See <c>docs/architecture.md</c>, "SCTP pieces". Not thread-safe: driven by its association.</remarks>
internal interface ISctpCongestionControl
{
    /// <summary>Bytes that may be in flight (cwnd).</summary>
    long CongestionWindow { get; }

    /// <summary>Slow start threshold (ssthresh).</summary>
    long SlowStartThreshold { get; }

    /// <summary>True between a fast retransmit and the acknowledgement of everything outstanding when it began.</summary>
    bool InFastRecovery { get; }

    /// <summary>The handshake told us the peer's receive window: the initial ssthresh (RFC 9260 §7.2.1).</summary>
    void OnPeerReceiveWindow(long peerReceiveWindow);

    /// <summary>
    /// A SACK was processed: <paramref name="bytesAcknowledged"/> newly acknowledged bytes (cumulatively or by gap
    /// blocks) at cumulative TSN <paramref name="cumulativeTsnAck"/>.
    /// </summary>
    /// <param name="cumulativeTsnAck">The SACK's cumulative TSN ack.</param>
    /// <param name="cumulativeAdvanced">The cumulative TSN ack moved forward with this SACK.</param>
    /// <param name="bytesAcknowledged">Bytes newly acknowledged by this SACK.</param>
    /// <param name="flightSizeBefore">Bytes in flight before this SACK.</param>
    /// <param name="dataWaiting">User data is queued and not yet sent (the window limited the sender).</param>
    void OnSack(uint cumulativeTsnAck, bool cumulativeAdvanced, long bytesAcknowledged, long flightSizeBefore, bool dataWaiting);

    /// <summary>
    /// Chunks were marked for fast retransmit (RFC 9260 §7.2.4); <paramref name="highestTsnSent"/> is the highest TSN
    /// sent so far, the point whose acknowledgement ends fast recovery.
    /// </summary>
    void OnFastRetransmit(uint highestTsnSent);

    /// <summary>The T3-rtx timer expired (RFC 9260 §7.2.3).</summary>
    void OnRetransmissionTimeout();
}
