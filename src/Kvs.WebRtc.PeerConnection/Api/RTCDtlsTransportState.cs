namespace Kvs.WebRtc.PeerConnection;

/// <summary>The state of a DTLS transport (W3C <see href="https://www.w3.org/TR/webrtc/#dom-rtcdtlstransportstate">RTCDtlsTransportState</see>).</summary>
public enum RTCDtlsTransportState
{
    /// <summary>DTLS has not started (W3C <c>"new"</c>).</summary>
    New,

    /// <summary>The handshake is running (W3C <c>"connecting"</c>).</summary>
    Connecting,

    /// <summary>The handshake completed and the peer's certificate matched its fingerprint (W3C <c>"connected"</c>).</summary>
    Connected,

    /// <summary>Closed by close_notify or by <see cref="RTCPeerConnection.Close"/> (W3C <c>"closed"</c>).</summary>
    Closed,

    /// <summary>The handshake failed or the fingerprint did not match (W3C <c>"failed"</c>); see <see cref="RTCDtlsTransport.Error"/>.</summary>
    Failed,
}
