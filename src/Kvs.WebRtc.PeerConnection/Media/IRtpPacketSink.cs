namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>
/// Where a sender's RTP and RTCP go: the connection's transport, which SRTP-protects and sends them on the selected
/// ICE pair. Thread-safe; never blocks on the network.
/// </summary>
internal interface IRtpPacketSink
{
    /// <summary>True once DTLS is connected and the SRTP keys exist; before that nothing is sent.</summary>
    bool IsSrtpReady { get; }

    /// <summary>
    /// Sends a copy of <paramref name="packet"/> with its payload type and SSRC replaced (the marker bit is kept).
    /// Returns false when SRTP is not ready, the connection is closed, the packet cannot be protected, or the connection
    /// refused it (its loop busy with a full queue). True means sent, or queued on the connection's loop when it was
    /// busy; a queued packet that then fails protection is counted in the SRTP drops.
    /// </summary>
    bool TrySendRtp(ReadOnlySpan<byte> packet, byte payloadType, uint ssrc);

    /// <summary>
    /// Sends a retransmission (RTX or a plain resend) as <see cref="TrySendRtp"/> does; a pacing transport lets it leave
    /// ahead of queued media (a receiver is waiting for it), within the pacing budget.
    /// </summary>
    bool TrySendRetransmission(ReadOnlySpan<byte> packet, byte payloadType, uint ssrc) => TrySendRtp(packet, payloadType, ssrc);

    /// <summary>
    /// Sends copies of <paramref name="packets"/>[0..<paramref name="count"/>) (each <paramref name="lengths"/>[i] bytes) in
    /// order, as <see cref="TrySendRtp"/> would one by one, batching runs of equal-size packets into one socket call where
    /// the path allows (UDP GSO). Returns the number of packets sent; <paramref name="sentBytes"/> is the sum of their
    /// unprotected lengths.
    /// </summary>
    int TrySendRtpBatch(byte[][] packets, int[] lengths, int count, byte payloadType, uint ssrc, out long sentBytes);

    /// <summary>The connection's send-side bandwidth estimate (bits/s), null until the peer gave congestion feedback.</summary>
    long? TargetBitrate => null;

    /// <summary>Video packets the connection's pacer dropped so far (its queue over its delay bound); 0 without a pacer.</summary>
    long PacerDroppedPackets => 0;

    /// <summary>Sends one RTCP (compound) packet. Returns false when SRTP is not ready or the connection is closed.</summary>
    bool TrySendRtcp(ReadOnlySpan<byte> packet);
}
