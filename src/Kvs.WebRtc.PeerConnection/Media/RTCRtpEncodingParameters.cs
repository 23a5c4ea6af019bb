namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>One encoding of a sender (W3C <see href="https://www.w3.org/TR/webrtc/#dom-rtcrtpencodingparameters">RTCRtpEncodingParameters</see>).</summary>
public sealed record RTCRtpEncodingParameters
{
    /// <summary>Whether the encoding is sent; an inactive sender drops frames written to its track. Default true.</summary>
    public bool Active { get; init; } = true;

    /// <summary>The highest bitrate in bits per second the application should encode at; null for no limit. Advisory: this stack carries encoded frames, it does not encode.</summary>
    public long? MaxBitrate { get; init; }

    /// <summary>The RTP stream id (simulcast); null for a single encoding.</summary>
    public string? Rid { get; init; }
}
