namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// The peer's view of a stream we send, from the report blocks of its RTCP receiver (or sender) reports
/// (W3C <see href="https://www.w3.org/TR/webrtc-stats/#remoteinboundrtpstats-dict*">RTCRemoteInboundRtpStreamStats</see>,
/// type <c>remote-inbound-rtp</c>). <see cref="RTCStats.Timestamp"/> is when the last report arrived.
/// </summary>
public sealed class RTCRemoteInboundRtpStreamStats : RTCRtpStreamStats
{
    internal RTCRemoteInboundRtpStreamStats()
    {
    }

    /// <inheritdoc/>
    public override RTCStatsType Type => RTCStatsType.RemoteInboundRtp;

    /// <summary>The <see cref="RTCOutboundRtpStreamStats"/> this is about (W3C <c>localId</c>).</summary>
    public required string LocalId { get; init; }

    /// <summary>Cumulative loss the peer counted (W3C <c>packetsLost</c>).</summary>
    public long PacketsLost { get; init; }

    /// <summary>The fraction lost in the peer's last report interval, 0–1 (W3C <c>fractionLost</c>).</summary>
    public double FractionLost { get; init; }

    /// <summary>Interarrival jitter the peer measured, in seconds (W3C <c>jitter</c>).</summary>
    public double Jitter { get; init; }

    /// <summary>The latest round-trip time in seconds from LSR/DLSR (RFC 3550 §6.4.1), or null before a report echoed one of our SRs (W3C <c>roundTripTime</c>).</summary>
    public double? RoundTripTime { get; init; }

    /// <summary>The sum of all round-trip times measured, in seconds (W3C <c>totalRoundTripTime</c>).</summary>
    public double TotalRoundTripTime { get; init; }

    /// <summary>Round-trip times measured (W3C <c>roundTripTimeMeasurements</c>).</summary>
    public long RoundTripTimeMeasurements { get; init; }

    /// <summary>Report blocks received about the stream (W3C <c>reportsReceived</c>).</summary>
    public long ReportsReceived { get; init; }
}
