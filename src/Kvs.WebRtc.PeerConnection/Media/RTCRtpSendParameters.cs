namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>What a sender sends with (W3C <see href="https://www.w3.org/TR/webrtc/#dom-rtcrtpsendparameters">RTCRtpSendParameters</see>).</summary>
public sealed record RTCRtpSendParameters
{
    /// <summary>The encodings (one).</summary>
    public IReadOnlyList<RTCRtpEncodingParameters> Encodings { get; init; } = [];

    /// <summary>The negotiated codecs, the one sent with first; empty before negotiation. Read-only for <c>SetParametersAsync</c>.</summary>
    public IReadOnlyList<RTCRtpCodecParameters> Codecs { get; init; } = [];
}
