namespace Kvs.WebRtc.Signaling;

/// <summary>
/// The reason carried by a <see cref="SignalingException"/>, the one exception type of this package: the signaling
/// WebSocket (connect, refused upgrades, lost connections, frames) and the control-plane clients
/// (<see cref="ControlPlane.KinesisVideoClient"/>, <see cref="ControlPlane.KinesisVideoSignalingClient"/>,
/// <see cref="ControlPlane.KinesisVideoWebRtcStorageClient"/>). A service error has one member per AWS error family,
/// named after the AWS error code without its <c>Exception</c> suffix; the code itself is in
/// <see cref="SignalingException.ErrorCode"/>.
/// </summary>
public enum SignalingError
{
    /// <summary>An unexpected failure; see the inner exception.</summary>
    Unknown = 0,

    /// <summary>The WebSocket connection could not be opened (network failure, refused, TLS failure, 5xx...).</summary>
    ConnectFailed,

    /// <summary>The WebSocket connection was not opened within the connect timeout.</summary>
    ConnectTimeout,

    /// <summary>
    /// The service refused the caller: a WebSocket upgrade refused with 401/403 (bad signature, expired or invalid
    /// credentials, clock skew), or a control-plane <c>AccessDeniedException</c> or other 401/403 answer.
    /// </summary>
    AccessDenied,

    /// <summary>
    /// The channel, stream or other resource does not exist: a WebSocket upgrade refused with 404 (the channel) or a
    /// control-plane <c>ResourceNotFoundException</c>. One member for both, as the service uses one error code.
    /// </summary>
    ResourceNotFound,

    /// <summary>
    /// The service refused the WebSocket upgrade with 400 and named no error code this enum models (a 400 that names
    /// <c>ClientLimitExceededException</c> is <see cref="ClientLimitExceeded"/>, <c>InvalidArgumentException</c> is
    /// <see cref="InvalidArgument"/>).
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
    /// <c>ClientLimitExceededException</c>. On a control-plane call: calls came too fast (per account or per channel;
    /// already retried). On a WebSocket upgrade (HTTP 400): for a viewer, the channel has its maximum of connected
    /// viewers (10 by default), or connects came too fast (about 3 a second per channel); for a master, connects came
    /// too fast. KVS uses the one error for both, so one retry after a second tells them apart. Retryable.
    /// </summary>
    ClientLimitExceeded,

    /// <summary><c>ResourceInUseException</c>: the resource is being created or deleted, or already exists.</summary>
    ResourceInUse,

    /// <summary><c>AccountChannelLimitExceededException</c>: the account has its maximum number of signaling channels.</summary>
    AccountChannelLimitExceeded,

    /// <summary><c>InvalidArgumentException</c>: a parameter is invalid (e.g. a channel without media storage for a storage call).</summary>
    InvalidArgument,

    /// <summary><c>InvalidClientException</c>: the client id is not valid for this channel.</summary>
    InvalidClient,

    /// <summary><c>NotAuthorizedException</c>: the caller may not perform this operation.</summary>
    NotAuthorized,

    /// <summary><c>SessionExpiredException</c>: the signaling session expired; connect again.</summary>
    SessionExpired,

    /// <summary><c>NoDataRetentionException</c>: the stream keeps no data.</summary>
    NoDataRetention,

    /// <summary><c>TagsPerResourceExceededLimitException</c>: the resource would have more than 50 tags.</summary>
    TagsPerResourceExceededLimit,

    /// <summary><c>VersionMismatchException</c>: the channel version given is not its current one.</summary>
    VersionMismatch,

    /// <summary>A generic AWS throttling code (<c>ThrottlingException</c>, <c>TooManyRequestsException</c>...) or HTTP 429. Retryable.</summary>
    Throttled,

    /// <summary>An HTTP 5xx answer or a generic AWS transient code (<c>InternalFailure</c>, <c>ServiceUnavailable</c>...). Retryable.</summary>
    ServiceUnavailable,

    /// <summary>Any other service error; <see cref="SignalingException.ErrorCode"/> holds the AWS code, if one was sent.</summary>
    ServiceError,

    /// <summary>A control-plane request could not be sent or its answer not read (DNS, connection, TLS, reset). Retryable.</summary>
    NetworkError,

    /// <summary>
    /// A control-plane request did not complete within <see cref="ControlPlane.KinesisVideoClientOptions.Timeout"/>
    /// (including retries), or a created channel did not become active in time. Cancellation requested by the caller
    /// still surfaces as <see cref="OperationCanceledException"/>. Retryable.
    /// </summary>
    RequestTimeout,

    /// <summary>
    /// A control-plane response could not be used: malformed JSON, a required member missing, no usable endpoint, or a
    /// paginated listing that repeated its <c>NextToken</c>.
    /// </summary>
    InvalidResponse,

    /// <summary>A control-plane response body was larger than <see cref="ControlPlane.KinesisVideoClientOptions.MaxResponseBytes"/>.</summary>
    ResponseTooLarge,
}
