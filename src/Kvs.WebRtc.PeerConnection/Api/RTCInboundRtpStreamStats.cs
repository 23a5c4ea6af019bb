namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// An RTP stream we receive (W3C <see href="https://www.w3.org/TR/webrtc-stats/#inboundrtpstats-dict*">RTCInboundRtpStreamStats</see>,
/// type <c>inbound-rtp</c>), counted by the receive path per remote SSRC (RFC 3550 appendix A).
/// </summary>
public sealed class RTCInboundRtpStreamStats : RTCRtpStreamStats
{
    internal RTCInboundRtpStreamStats()
    {
    }

    /// <inheritdoc/>
    public override RTCStatsType Type => RTCStatsType.InboundRtp;

    /// <summary>The media id of the transceiver (W3C <c>mid</c>).</summary>
    public string? Mid { get; init; }

    /// <summary>The <see cref="RTCRemoteOutboundRtpStreamStats"/> from the sender's reports, or null before its first SR (W3C <c>remoteId</c>).</summary>
    public string? RemoteId { get; init; }

    /// <summary>RTP packets received, duplicates included (W3C <c>packetsReceived</c>).</summary>
    public long PacketsReceived { get; init; }

    /// <summary>Payload bytes received, headers and padding excluded (W3C <c>bytesReceived</c>).</summary>
    public long BytesReceived { get; init; }

    /// <summary>Packets expected minus packets received (RFC 3550 A.3); negative when duplicates arrived (W3C <c>packetsLost</c>).</summary>
    public long PacketsLost { get; init; }

    /// <summary>Interarrival jitter in seconds (RFC 3550 §6.4.1; W3C <c>jitter</c>).</summary>
    public double Jitter { get; init; }

    /// <summary>When the last packet arrived, or null (W3C <c>lastPacketReceivedTimestamp</c>).</summary>
    public DateTimeOffset? LastPacketReceivedTimestamp { get; init; }

    /// <summary>Generic NACK packets this side sent for the stream (W3C <c>nackCount</c>).</summary>
    public long NackCount { get; init; }

    /// <summary>Retransmitted (RTX) packets received and delivered as the packets they repair (W3C <c>retransmittedPacketsReceived</c>).</summary>
    public long RetransmittedPacketsReceived { get; init; }

    /// <summary>PLI packets this side sent for the stream (W3C <c>pliCount</c>).</summary>
    public long PliCount { get; init; }

    /// <summary>Video: whole frames delivered to <see cref="Media.RemoteMediaTrack.ReadFramesAsync"/> (W3C <c>framesReceived</c>); null for audio.</summary>
    public long? FramesReceived { get; init; }

    /// <summary>
    /// Video: key frames delivered whole to <see cref="Media.RemoteMediaTrack.ReadFramesAsync"/> (W3C <c>keyFramesDecoded</c>: this stack does
    /// not decode, the application's decoder receives exactly these); null for audio.
    /// </summary>
    public long? KeyFramesDecoded { get; init; }

    /// <summary>Video: frames dropped before delivery (incomplete, or before the first key frame) (W3C <c>framesDropped</c>); null for audio.</summary>
    public long? FramesDropped { get; init; }

    /// <summary>
    /// Seconds frames spent in the jitter buffer, from their first packet's arrival to their release to the reader, summed
    /// over released frames (W3C <c>jitterBufferDelay</c>; divide by <see cref="JitterBufferEmittedCount"/> for the average).
    /// </summary>
    public double JitterBufferDelay { get; init; }

    /// <summary>Seconds of the delay the jitter buffer aimed at, summed over released frames (W3C <c>jitterBufferTargetDelay</c>).</summary>
    public double JitterBufferTargetDelay { get; init; }

    /// <summary>
    /// Seconds of the delay the jitter buffer would aim at for the network alone (without <c>jitterBufferTarget</c>), summed over
    /// released frames (W3C <c>jitterBufferMinimumDelay</c>).
    /// </summary>
    public double JitterBufferMinimumDelay { get; init; }

    /// <summary>Frames released by the jitter buffer (W3C <c>jitterBufferEmittedCount</c>).</summary>
    public long JitterBufferEmittedCount { get; init; }

    /// <summary>
    /// Video: freezes, an inter-frame delay over max(3 × the average of the last 30, average + 150 ms) (W3C <c>freezeCount</c>);
    /// null for audio.
    /// </summary>
    public long? FreezeCount { get; init; }

    /// <summary>Video: seconds of the freezes summed (W3C <c>totalFreezesDuration</c>); null for audio.</summary>
    public double? TotalFreezesDuration { get; init; }

    /// <summary>Video: seconds between consecutive frames delivered, summed (W3C <c>totalInterFrameDelay</c>); null for audio.</summary>
    public double? TotalInterFrameDelay { get; init; }

    /// <summary>Video: squares of the seconds between consecutive frames delivered, summed (W3C <c>totalSquaredInterFrameDelay</c>); null for audio.</summary>
    public double? TotalSquaredInterFrameDelay { get; init; }
}
