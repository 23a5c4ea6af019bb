namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// A snapshot of a connection's statistics, after W3C <see href="https://www.w3.org/TR/webrtc-stats/">webrtc-stats</see>:
/// a flat summary of the transport, DTLS, SRTP and SCTP (the properties), and the typed W3C objects in <see cref="Stats"/>.
/// </summary>
public sealed record RTCStatsReport
{
    /// <summary>When the snapshot was taken.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>UDP payload bytes sent on the ICE transport by DTLS (handshake and records).</summary>
    public long BytesSent { get; init; }

    /// <summary>UDP payload bytes of DTLS datagrams received.</summary>
    public long BytesReceived { get; init; }

    /// <summary>DTLS datagrams sent.</summary>
    public long PacketsSent { get; init; }

    /// <summary>DTLS datagrams received.</summary>
    public long PacketsReceived { get; init; }

    /// <summary>Data-channel messages received (all channels, including DCEP control messages).</summary>
    public long MessagesReceived { get; init; }

    /// <summary>SCTP DATA chunks sent (a message of more than one MTU is several chunks).</summary>
    public long DataChunksSent { get; init; }

    /// <summary>SCTP DATA chunks received.</summary>
    public long DataChunksReceived { get; init; }

    /// <summary>SCTP retransmissions (timeout and fast).</summary>
    public long Retransmissions { get; init; }

    /// <summary>SCTP smoothed round-trip time.</summary>
    public TimeSpan SctpSmoothedRoundTripTime { get; init; }

    /// <summary>SCTP congestion window in bytes.</summary>
    public long SctpCongestionWindow { get; init; }

    /// <summary>The selected candidate pair as "local -> remote" (address:port typ), or null.</summary>
    public string? SelectedCandidatePair { get; init; }

    /// <summary>The negotiated DTLS cipher suite (IANA name), or null before the handshake.</summary>
    public string? DtlsCipher { get; init; }

    /// <summary>"client" or "server" once the DTLS role is known.</summary>
    public string? DtlsRole { get; init; }

    /// <summary>The ICE connection state.</summary>
    public RTCIceConnectionState IceConnectionState { get; init; }

    /// <summary>Data channels currently open or opening.</summary>
    public int DataChannelsOpen { get; init; }

    /// <summary>SRTP and SRTCP packets sent (media and RTCP, after protection).</summary>
    public long SrtpPacketsSent { get; init; }

    /// <summary>SRTP and SRTCP packets received and authenticated.</summary>
    public long SrtpPacketsReceived { get; init; }

    /// <summary>SRTP/SRTCP packets dropped: failed authentication or replay, arrived before the keys existed, or could not be protected.</summary>
    public long SrtpPacketsDropped { get; init; }

    /// <summary>Received RTP packets that matched no receiver (unknown SSRC and payload type), dropped.</summary>
    public long RtpPacketsUnroutable { get; init; }

    /// <summary>
    /// Received datagrams dropped because the connection's event loop had its queue full (it fell behind the network by
    /// more than its capacity, 1,024 items): lost as a full socket buffer would lose them. Zero on a healthy connection.
    /// </summary>
    public long DatagramsDroppedByLoop { get; init; }

    /// <summary>
    /// Outgoing RTP and RTCP packets refused because they found the connection's event loop busy with its queue full (the
    /// application writes faster than the connection sends): not sent, as a full socket buffer would drop them, and logged
    /// once at Warning. Zero on a healthy connection.
    /// </summary>
    public long PacketsRefusedByLoop { get; init; }

    /// <summary>
    /// The typed W3C stats objects (W3C <c>RTCStatsReport</c> values): the RTP streams (<see cref="RTCInboundRtpStreamStats"/>,
    /// <see cref="RTCOutboundRtpStreamStats"/>, <see cref="RTCRemoteInboundRtpStreamStats"/>, <see cref="RTCRemoteOutboundRtpStreamStats"/>)
    /// with their <see cref="RTCCodecStats"/> and <see cref="RTCMediaSourceStats"/>, the <see cref="RTCTransportStats"/> with its
    /// <see cref="RTCIceCandidatePairStats"/>, <see cref="RTCIceCandidateStats"/> and <see cref="RTCCertificateStats"/>, and the
    /// <see cref="RTCDataChannelStats"/> of the channels not closed yet. Select with <c>Stats.OfType&lt;RTCInboundRtpStreamStats&gt;()</c>;
    /// objects refer to each other by <see cref="RTCStats.Id"/> (<c>transportId</c>, <c>codecId</c>, <c>localCandidateId</c>...).
    /// </summary>
    public IReadOnlyList<RTCStats> Stats { get; init; } = [];
}
