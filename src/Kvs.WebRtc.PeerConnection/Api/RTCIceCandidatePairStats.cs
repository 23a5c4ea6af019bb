namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// An ICE candidate pair of the transport (W3C <see href="https://www.w3.org/TR/webrtc-stats/#candidatepair-dict*">RTCIceCandidatePairStats</see>,
/// type <c>candidate-pair</c>): every pair of the checklist, with the traffic counted on the selected one.
/// </summary>
/// <remarks>
/// Packets and bytes are counted per transport, not per pair: the selected pair carries all of them (a connection
/// selects one pair for its life unless ICE restarts), the other pairs report zero. Round-trip times come from the STUN
/// connectivity checks and consent requests (RFC 7675) sent on the pair.
/// </remarks>
public sealed class RTCIceCandidatePairStats : RTCStats
{
    internal RTCIceCandidatePairStats()
    {
    }

    /// <inheritdoc/>
    public override RTCStatsType Type => RTCStatsType.CandidatePair;

    /// <summary>The <see cref="RTCTransportStats"/> of the transport (W3C <c>transportId</c>).</summary>
    public required string TransportId { get; init; }

    /// <summary>The local <see cref="RTCIceCandidateStats"/> (W3C <c>localCandidateId</c>).</summary>
    public required string LocalCandidateId { get; init; }

    /// <summary>The remote <see cref="RTCIceCandidateStats"/> (W3C <c>remoteCandidateId</c>).</summary>
    public required string RemoteCandidateId { get; init; }

    /// <summary>The pair's state (W3C <c>state</c>).</summary>
    public RTCStatsIceCandidatePairState State { get; init; }

    /// <summary>Both sides agreed to use the pair (W3C <c>nominated</c>).</summary>
    public bool Nominated { get; init; }

    /// <summary>The pair carries the connection's traffic (the transport's <see cref="RTCTransportStats.SelectedCandidatePairId"/>).</summary>
    public bool Selected { get; init; }

    /// <summary>The pair priority (RFC 8445 §6.1.2.3; W3C <c>priority</c>, deprecated there but what libwebrtc still reports).</summary>
    public ulong Priority { get; init; }

    /// <summary>Datagrams sent on the pair, STUN excluded (W3C <c>packetsSent</c>).</summary>
    public long PacketsSent { get; init; }

    /// <summary>Datagrams received on the pair, STUN excluded (W3C <c>packetsReceived</c>).</summary>
    public long PacketsReceived { get; init; }

    /// <summary>UDP payload bytes sent, STUN excluded (W3C <c>bytesSent</c>).</summary>
    public long BytesSent { get; init; }

    /// <summary>UDP payload bytes received, STUN excluded (W3C <c>bytesReceived</c>).</summary>
    public long BytesReceived { get; init; }

    /// <summary>The round-trip time of the latest answered check or consent request, in seconds, or null before one (W3C <c>currentRoundTripTime</c>).</summary>
    public double? CurrentRoundTripTime { get; init; }

    /// <summary>The sum of the round-trip times of all answered requests, in seconds (W3C <c>totalRoundTripTime</c>; divide by <see cref="ResponsesReceived"/>).</summary>
    public double TotalRoundTripTime { get; init; }

    /// <summary>Connectivity checks and consent requests sent, retransmissions excluded (W3C <c>requestsSent</c>).</summary>
    public long RequestsSent { get; init; }

    /// <summary>The peer's connectivity checks received (and answered) (W3C <c>requestsReceived</c>).</summary>
    public long RequestsReceived { get; init; }

    /// <summary>Success responses received (W3C <c>responsesReceived</c>).</summary>
    public long ResponsesReceived { get; init; }

    /// <summary>Responses sent: every authenticated check received is answered (W3C <c>responsesSent</c>).</summary>
    public long ResponsesSent { get; init; }

    /// <summary>
    /// Selected pair only: the send-side bandwidth estimate in bits/s (<see cref="RTCPeerConnection.TargetBitrate"/>, from the peer's
    /// transport-wide congestion feedback), or null without feedback (W3C <c>availableOutgoingBitrate</c>).
    /// </summary>
    public double? AvailableOutgoingBitrate { get; init; }
}
