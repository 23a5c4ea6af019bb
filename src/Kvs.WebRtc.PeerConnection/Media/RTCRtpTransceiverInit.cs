namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>Options of <see cref="RTCPeerConnection.AddTransceiver(MediaStreamTrackKind, RTCRtpTransceiverInit?)"/> (W3C <c>RTCRtpTransceiverInit</c>).</summary>
public sealed record RTCRtpTransceiverInit
{
    /// <summary>The direction. Default <see cref="RTCRtpTransceiverDirection.SendRecv"/>.</summary>
    public RTCRtpTransceiverDirection Direction { get; init; } = RTCRtpTransceiverDirection.SendRecv;

    /// <summary>The media stream ids announced in <c>a=msid</c>; empty announces <c>-</c>.</summary>
    public IReadOnlyList<string> StreamIds { get; init; } = [];

    /// <summary>The encodings; at most one is supported (no simulcast yet).</summary>
    public IReadOnlyList<RTCRtpEncodingParameters> SendEncodings { get; init; } = [];
}
