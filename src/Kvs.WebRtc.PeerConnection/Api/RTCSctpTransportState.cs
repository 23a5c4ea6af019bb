namespace Kvs.WebRtc.PeerConnection;

/// <summary>The state of the SCTP transport (W3C <see href="https://www.w3.org/TR/webrtc/#dom-rtcsctptransportstate">RTCSctpTransportState</see>).</summary>
public enum RTCSctpTransportState
{
    /// <summary>The association is being set up (W3C <c>"connecting"</c>).</summary>
    Connecting,

    /// <summary>The association is established (W3C <c>"connected"</c>).</summary>
    Connected,

    /// <summary>The association ended (W3C <c>"closed"</c>).</summary>
    Closed,
}
