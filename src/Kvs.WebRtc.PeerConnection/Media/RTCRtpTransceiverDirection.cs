namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>The direction of a transceiver (W3C <see href="https://www.w3.org/TR/webrtc/#dom-rtcrtptransceiverdirection">RTCRtpTransceiverDirection</see>).</summary>
public enum RTCRtpTransceiverDirection
{
    /// <summary>Sends and receives (<c>sendrecv</c>).</summary>
    SendRecv,

    /// <summary>Sends only (<c>sendonly</c>).</summary>
    SendOnly,

    /// <summary>Receives only (<c>recvonly</c>).</summary>
    RecvOnly,

    /// <summary>Neither (<c>inactive</c>).</summary>
    Inactive,

    /// <summary>Stopped for good (<c>stopped</c>): offered and answered with port 0.</summary>
    Stopped,
}
