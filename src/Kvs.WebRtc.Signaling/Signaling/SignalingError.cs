namespace Kvs.WebRtc.Signaling;

/// <summary>The reason carried by a <see cref="SignalingException"/>.</summary>
public enum SignalingError
{
    /// <summary>An unexpected failure; see the inner exception.</summary>
    Unknown = 0,

    /// <summary>The WebSocket connection could not be opened (network failure, refused, TLS failure, 5xx...).</summary>
    ConnectFailed,

    /// <summary>The WebSocket connection was not opened within the connect timeout.</summary>
    ConnectTimeout,

    /// <summary>The service refused the upgrade with 403 (bad signature, expired or invalid credentials, clock skew).</summary>
    AccessDenied,

    /// <summary>The service refused the upgrade with 404 (the channel does not exist).</summary>
    ChannelNotFound,

    /// <summary>
    /// The service refused the upgrade with 400 (an invalid parameter); a 400 that names
    /// <c>ClientLimitExceededException</c> is <see cref="LimitExceeded"/>.
    /// </summary>
    BadRequest,

    /// <summary>The connection was lost and reconnecting is disabled or gave up; pending sends fail with this.</summary>
    ConnectionLost,

    /// <summary>The client was disposed; pending and later sends fail with this.</summary>
    Disposed,

    /// <summary>Writing a frame to the socket did not finish within the send timeout.</summary>
    SendTimeout,

    /// <summary>A received frame was not valid JSON or not a well-formed signaling frame.</summary>
    MalformedFrame,

    /// <summary>A received frame's <c>messagePayload</c> could not be decoded (base64 or JSON).</summary>
    MalformedPayload,

    /// <summary>A received frame was binary, or larger than the client accepts.</summary>
    UnsupportedFrame,

    /// <summary>One reconnect attempt failed (reported on <see cref="SignalingClient.Errors"/>; the client keeps trying).</summary>
    ReconnectAttemptFailed,

    /// <summary>
    /// The service refused the upgrade with 400 <c>ClientLimitExceededException</c>: for a viewer, the channel has its
    /// maximum of connected viewers (10 by default), or connects came too fast (about 3 a second per channel); for a
    /// master, connects came too fast. KVS uses the one error for both, so one retry after a second tells them apart.
    /// </summary>
    LimitExceeded,
}
