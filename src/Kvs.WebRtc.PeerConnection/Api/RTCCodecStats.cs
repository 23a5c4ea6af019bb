namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// A codec an RTP stream of the report uses (W3C <see href="https://www.w3.org/TR/webrtc-stats/#codec-dict*">RTCCodecStats</see>,
/// type <c>codec</c>), as negotiated for one media section.
/// </summary>
public sealed class RTCCodecStats : RTCStats
{
    internal RTCCodecStats()
    {
    }

    /// <inheritdoc/>
    public override RTCStatsType Type => RTCStatsType.Codec;

    /// <summary>The negotiated payload type (W3C <c>payloadType</c>).</summary>
    public int PayloadType { get; init; }

    /// <summary><c>video/H264</c>, <c>audio/opus</c>, ... (W3C <c>mimeType</c>).</summary>
    public required string MimeType { get; init; }

    /// <summary>The RTP clock rate in Hz (W3C <c>clockRate</c>).</summary>
    public int ClockRate { get; init; }

    /// <summary>Audio channels, null for video (W3C <c>channels</c>).</summary>
    public int? Channels { get; init; }

    /// <summary>The fmtp parameters, or null (W3C <c>sdpFmtpLine</c>).</summary>
    public string? SdpFmtpLine { get; init; }

    /// <summary>The <see cref="RTCTransportStats"/> of the transport the codec is used on (W3C <c>transportId</c>).</summary>
    public string? TransportId { get; init; }
}
