namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// An RTP stream we send (W3C <see href="https://www.w3.org/TR/webrtc-stats/#outboundrtpstats-dict*">RTCOutboundRtpStreamStats</see>,
/// type <c>outbound-rtp</c>), counted per sender across track replacements.
/// </summary>
public sealed class RTCOutboundRtpStreamStats : RTCRtpStreamStats
{
    internal RTCOutboundRtpStreamStats()
    {
    }

    /// <inheritdoc/>
    public override RTCStatsType Type => RTCStatsType.OutboundRtp;

    /// <summary>The media id of the transceiver (W3C <c>mid</c>).</summary>
    public string? Mid { get; init; }

    /// <summary>The <see cref="RTCRemoteInboundRtpStreamStats"/> from the peer's receiver reports, or null before the first (W3C <c>remoteId</c>).</summary>
    public string? RemoteId { get; init; }

    /// <summary>RTP packets sent (W3C <c>packetsSent</c>).</summary>
    public long PacketsSent { get; init; }

    /// <summary>Payload bytes sent, headers excluded (W3C <c>bytesSent</c>).</summary>
    public long BytesSent { get; init; }

    /// <summary>Video: frames sent whole (W3C <c>framesSent</c>); null for audio.</summary>
    public long? FramesSent { get; init; }

    /// <summary>Video: key frames sent (W3C <c>keyFramesEncoded</c>: the application encodes, this stack sends exactly these); null for audio.</summary>
    public long? KeyFramesEncoded { get; init; }

    /// <summary>Generic NACK packets received for the stream (W3C <c>nackCount</c>).</summary>
    public long NackCount { get; init; }

    /// <summary>Packets resent in answer to NACKs, as RTX or as the original (W3C <c>retransmittedPacketsSent</c>).</summary>
    public long RetransmittedPacketsSent { get; init; }

    /// <summary>Bytes of those resent packets (W3C <c>retransmittedBytesSent</c>).</summary>
    public long RetransmittedBytesSent { get; init; }

    /// <summary>PLI packets received for the stream (W3C <c>pliCount</c>).</summary>
    public long PliCount { get; init; }

    /// <summary>FIR requests received for the stream (W3C <c>firCount</c>).</summary>
    public long FirCount { get; init; }

    /// <summary>
    /// Video: frames the application handed to the sender's track while it was sending here (W3C <c>framesEncoded</c>: the application encodes,
    /// this stack counts the frames it was given); null for audio.
    /// </summary>
    public long? FramesEncoded { get; init; }

    /// <summary>
    /// The bitrate the stream may use now, in bits/s: the connection's send-side bandwidth estimate (<see cref="RTCPeerConnection.TargetBitrate"/>),
    /// or null before the peer sent congestion feedback (W3C <c>targetBitrate</c>).
    /// </summary>
    public double? TargetBitrate { get; init; }

    /// <summary>The <see cref="RTCMediaSourceStats"/> of the track being sent, or null without a track (W3C <c>mediaSourceId</c>).</summary>
    public string? MediaSourceId { get; init; }
}
