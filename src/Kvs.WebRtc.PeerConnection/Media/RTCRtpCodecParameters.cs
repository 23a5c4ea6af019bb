namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>A negotiated codec with its payload type (W3C <c>RTCRtpCodecParameters</c>).</summary>
/// <param name="PayloadType">The RTP payload type both sides use for it.</param>
/// <param name="Codec">The codec.</param>
public sealed record RTCRtpCodecParameters(int PayloadType, RTCRtpCodec Codec);
