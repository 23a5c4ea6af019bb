namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// The peer's view of a stream it sends us, from its RTCP sender reports
/// (W3C <see href="https://www.w3.org/TR/webrtc-stats/#remoteoutboundrtpstats-dict*">RTCRemoteOutboundRtpStreamStats</see>,
/// type <c>remote-outbound-rtp</c>). <see cref="RTCStats.Timestamp"/> is when the last SR arrived.
/// </summary>
public sealed class RTCRemoteOutboundRtpStreamStats : RTCRtpStreamStats
{
    internal RTCRemoteOutboundRtpStreamStats()
    {
    }

    /// <inheritdoc/>
    public override RTCStatsType Type => RTCStatsType.RemoteOutboundRtp;

    /// <summary>The <see cref="RTCInboundRtpStreamStats"/> this is about (W3C <c>localId</c>).</summary>
    public required string LocalId { get; init; }

    /// <summary>The sender's packet count from its last SR, modulo 2^32 (W3C <c>packetsSent</c>).</summary>
    public long PacketsSent { get; init; }

    /// <summary>The sender's payload octet count from its last SR, modulo 2^32 (W3C <c>bytesSent</c>).</summary>
    public long BytesSent { get; init; }

    /// <summary>The sender's wall-clock time in its last SR (its NTP timestamp) (W3C <c>remoteTimestamp</c>).</summary>
    public DateTimeOffset RemoteTimestamp { get; init; }

    /// <summary>Sender reports received from the stream's source (W3C <c>reportsSent</c>).</summary>
    public long ReportsSent { get; init; }
}
