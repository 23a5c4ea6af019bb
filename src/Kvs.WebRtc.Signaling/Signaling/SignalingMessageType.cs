namespace Kvs.WebRtc.Signaling;

/// <summary>
/// The kind of a KVS WebRTC signaling message: the <c>action</c> of a frame a client sends, or the
/// <c>messageType</c> of a frame the service delivers.
/// </summary>
/// <remarks>
/// Wire names: <c>SDP_OFFER</c>, <c>SDP_ANSWER</c>, <c>ICE_CANDIDATE</c>, <c>STATUS_RESPONSE</c>, <c>GO_AWAY</c>,
/// <c>RECONNECT_ICE_SERVER</c>. See the AWS "WebSocket APIs for WebRTC signaling" reference
/// (<see href="https://docs.aws.amazon.com/kinesisvideostreams-webrtc-dg/latest/devguide/kvswebrtc-websocket-apis.html"/>).
/// </remarks>
public enum SignalingMessageType
{
    /// <summary>A <c>messageType</c> this library does not know; the raw name is in <see cref="SignalingMessage.WireMessageType"/>.</summary>
    Unknown = 0,

    /// <summary><c>SDP_OFFER</c>: an SDP offer (payload: <see cref="SessionDescriptionPayload"/>).</summary>
    SdpOffer,

    /// <summary><c>SDP_ANSWER</c>: an SDP answer (payload: <see cref="SessionDescriptionPayload"/>).</summary>
    SdpAnswer,

    /// <summary><c>ICE_CANDIDATE</c>: a trickled ICE candidate (payload: <see cref="IceCandidatePayload"/>).</summary>
    IceCandidate,

    /// <summary><c>STATUS_RESPONSE</c>: the service failed to process a message sent with a correlation id.</summary>
    StatusResponse,

    /// <summary><c>GO_AWAY</c>: the service is about to close the connection; the client reconnects.</summary>
    GoAway,

    /// <summary><c>RECONNECT_ICE_SERVER</c>: the TURN server in use is going away; fetch a new ICE configuration.</summary>
    ReconnectIceServer,
}
