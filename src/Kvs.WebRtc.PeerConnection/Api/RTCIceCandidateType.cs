namespace Kvs.WebRtc.PeerConnection;

/// <summary>The type of a candidate (W3C <see href="https://www.w3.org/TR/webrtc/#dom-rtcicecandidatetype">RTCIceCandidateType</see>, RFC 8445 §5.1.1).</summary>
public enum RTCIceCandidateType
{
    /// <summary>A local interface address (W3C <c>"host"</c>).</summary>
    Host,

    /// <summary>The address a NAT maps us to, learned from a STUN server (W3C <c>"srflx"</c>).</summary>
    ServerReflexive,

    /// <summary>An address learned from a connectivity check (W3C <c>"prflx"</c>).</summary>
    PeerReflexive,

    /// <summary>An address on a TURN server (W3C <c>"relay"</c>).</summary>
    Relay,
}
