namespace Kvs.WebRtc.PeerConnection;

/// <summary>Which candidates the ICE agent may use (W3C <c>RTCIceTransportPolicy</c>).</summary>
public enum RTCIceTransportPolicy
{
    /// <summary>Host, server-reflexive and relayed candidates (the default).</summary>
    All,

    /// <summary>Only relayed (TURN) candidates: hides the host's addresses from the peer.</summary>
    Relay,
}
