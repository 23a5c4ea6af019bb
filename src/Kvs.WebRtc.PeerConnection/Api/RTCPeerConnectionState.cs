namespace Kvs.WebRtc.PeerConnection;

/// <summary>The aggregate state of a peer connection's ICE and DTLS transports (W3C <c>RTCPeerConnectionState</c>).</summary>
public enum RTCPeerConnectionState
{
    /// <summary>Nothing has started.</summary>
    New,

    /// <summary>ICE or DTLS is establishing.</summary>
    Connecting,

    /// <summary>ICE has a working pair and DTLS is connected.</summary>
    Connected,

    /// <summary>Consent was lost for now; may recover.</summary>
    Disconnected,

    /// <summary>ICE or DTLS failed; an ICE restart or a new connection is needed.</summary>
    Failed,

    /// <summary>Closed by <c>DisposeAsync</c>/<c>Close</c>.</summary>
    Closed,
}
