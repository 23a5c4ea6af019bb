namespace Kvs.WebRtc.PeerConnection;

/// <summary>Where a peer connection is in the offer/answer exchange (W3C <c>RTCSignalingState</c>, JSEP RFC 8829 §3.2).</summary>
public enum RTCSignalingState
{
    /// <summary>No exchange in progress (initially, and after an answer is applied).</summary>
    Stable,

    /// <summary>A local offer has been applied; waiting for the remote answer.</summary>
    HaveLocalOffer,

    /// <summary>A remote offer has been applied; a local answer is due.</summary>
    HaveRemoteOffer,

    /// <summary>A remote offer and a local provisional answer have been applied.</summary>
    HaveLocalPranswer,

    /// <summary>A local offer and a remote provisional answer have been applied.</summary>
    HaveRemotePranswer,

    /// <summary>The peer connection is closed.</summary>
    Closed,
}
