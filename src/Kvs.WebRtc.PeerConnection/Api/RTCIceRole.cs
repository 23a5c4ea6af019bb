namespace Kvs.WebRtc.PeerConnection;

/// <summary>The ICE role of a transport (W3C <see href="https://www.w3.org/TR/webrtc/#dom-rtcicerole">RTCIceRole</see>, RFC 8445 §6.1.1).</summary>
public enum RTCIceRole
{
    /// <summary>Not decided yet: no description was applied (W3C <c>"unknown"</c>).</summary>
    Unknown,

    /// <summary>The controlling agent, which nominates the pair (W3C <c>"controlling"</c>; normally the offerer).</summary>
    Controlling,

    /// <summary>The controlled agent (W3C <c>"controlled"</c>).</summary>
    Controlled,
}
