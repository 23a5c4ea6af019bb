namespace Kvs.WebRtc.PeerConnection;

/// <summary>The transport protocol of a candidate (W3C <see href="https://www.w3.org/TR/webrtc/#dom-rtciceprotocol">RTCIceProtocol</see>).</summary>
public enum RTCIceProtocol
{
    /// <summary>UDP (W3C <c>"udp"</c>).</summary>
    Udp,

    /// <summary>TCP, RFC 6544 (W3C <c>"tcp"</c>).</summary>
    Tcp,
}
