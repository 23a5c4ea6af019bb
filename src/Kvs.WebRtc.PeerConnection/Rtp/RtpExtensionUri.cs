namespace Kvs.WebRtc.PeerConnection.Rtp;

/// <summary>
/// The header-extension URIs WebRTC negotiates with <c>a=extmap</c> (RFC 8285 §5). The local ids come from SDP;
/// the value codecs are <see cref="SdesItemExtension"/>, <see cref="AbsSendTimeExtension"/>,
/// <see cref="TransportSequenceNumberExtension"/>, <see cref="AudioLevelExtension"/> and <see cref="VideoOrientationExtension"/>.
/// </summary>
internal static class RtpExtensionUri
{
    /// <summary>The BUNDLE media identification (RFC 9143 §15.2), an ASCII token.</summary>
    public const string Mid = "urn:ietf:params:rtp-hdrext:sdes:mid";

    /// <summary>The RTP stream id of a simulcast layer (RFC 8852 §3.1), ASCII.</summary>
    public const string RtpStreamId = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";

    /// <summary>The RTP stream id a redundancy (RTX/FEC) stream repairs (RFC 8852 §3.2), ASCII.</summary>
    public const string RepairedRtpStreamId = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";

    /// <summary>Absolute send time, 24-bit 6.18 fixed-point seconds (webrtc.org experiment, used by REMB).</summary>
    public const string AbsSendTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";

    /// <summary>Transport-wide sequence number, 16 bits (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2).</summary>
    public const string TransportWideCc = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

    /// <summary>Client-to-mixer audio level (RFC 6464): V bit and level in −dBov.</summary>
    public const string AudioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

    /// <summary>Coordination of video orientation (3GPP TS 26.114 §7.4.5): the CVO byte.</summary>
    public const string VideoOrientation = "urn:3gpp:video-orientation";
}
