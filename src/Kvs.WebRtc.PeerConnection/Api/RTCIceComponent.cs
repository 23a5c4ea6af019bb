namespace Kvs.WebRtc.PeerConnection;

/// <summary>The ICE component (W3C <see href="https://www.w3.org/TR/webrtc/#dom-rtcicecomponent">RTCIceComponent</see>); with rtcp-mux every transport here is <see cref="Rtp"/>.</summary>
public enum RTCIceComponent
{
    /// <summary>Component 1: RTP, and with rtcp-mux and BUNDLE everything else (W3C <c>"rtp"</c>).</summary>
    Rtp,

    /// <summary>Component 2: RTCP without rtcp-mux (W3C <c>"rtcp"</c>; not used by this stack).</summary>
    Rtcp,
}
