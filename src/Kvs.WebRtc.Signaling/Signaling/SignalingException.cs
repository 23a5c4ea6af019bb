using System.Net;

namespace Kvs.WebRtc.Signaling;

/// <summary>
/// The one exception type of this package: a signaling failure (connecting, a refused upgrade, a lost connection, a
/// send on a closed client, or, as an event on <see cref="SignalingClient.Errors"/>, a frame that could not be
/// decoded) or a failed control-plane call (<see cref="ControlPlane.KinesisVideoClient"/>,
/// <see cref="ControlPlane.KinesisVideoSignalingClient"/>, <see cref="ControlPlane.KinesisVideoWebRtcStorageClient"/>).
/// <see cref="Error"/> says what happened; a service error also carries the AWS <see cref="ErrorCode"/>.
/// </summary>
/// <remarks>Messages never contain credentials, signatures, presigned URLs or TURN passwords.</remarks>
public sealed class SignalingException : IOException
{
    /// <summary>Creates an exception with an error code and every detail.</summary>
    /// <param name="error">The reason.</param>
    /// <param name="message">A description without secrets.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    /// <param name="statusCode">The HTTP status of the refused upgrade or the failed call, if a response was received.</param>
    /// <param name="errorCode">The AWS error code (e.g. <c>ClientLimitExceededException</c>), if the service sent one.</param>
    /// <param name="requestId">The request id the service assigned (<c>x-amzn-RequestId</c>), if any.</param>
    /// <param name="isRetryable">Whether repeating the same operation later may succeed; when null it follows from <paramref name="error"/>.</param>
    public SignalingException(
        SignalingError error,
        string message,
        Exception? innerException = null,
        HttpStatusCode? statusCode = null,
        string? errorCode = null,
        string? requestId = null,
        bool? isRetryable = null)
        : base(message, innerException)
    {
        Error = error;
        StatusCode = statusCode;
        ErrorCode = errorCode;
        RequestId = requestId;
        IsRetryable = isRetryable ?? IsRetryableByDefault(error);
    }

    /// <summary>Creates an exception with <see cref="SignalingError.Unknown"/>.</summary>
    public SignalingException()
        : this(SignalingError.Unknown, "Signaling failed.")
    {
    }

    /// <summary>Creates an exception with <see cref="SignalingError.Unknown"/> and a message.</summary>
    /// <param name="message">A description without secrets.</param>
    public SignalingException(string message)
        : this(SignalingError.Unknown, message)
    {
    }

    /// <summary>Creates an exception with <see cref="SignalingError.Unknown"/>, a message and an inner exception.</summary>
    /// <param name="message">A description without secrets.</param>
    /// <param name="innerException">The underlying failure.</param>
    public SignalingException(string message, Exception innerException)
        : this(SignalingError.Unknown, message, innerException)
    {
    }

    /// <summary>The reason.</summary>
    public SignalingError Error { get; }

    /// <summary>
    /// The AWS error code from <c>x-amzn-ErrorType</c> (or the body), e.g. <c>ClientLimitExceededException</c>, for a
    /// service error; <see langword="null"/> for a local error or when the service named none.
    /// </summary>
    public string? ErrorCode { get; }

    /// <summary>The HTTP status of the refused upgrade or the failed call (e.g. 403); <see langword="null"/> when no response was received.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The request id the service assigned (<c>x-amzn-RequestId</c>), for AWS support; may be <see langword="null"/>.</summary>
    public string? RequestId { get; }

    /// <summary>
    /// Whether repeating the same operation later may succeed: connect failures and timeouts, a lost connection,
    /// <see cref="SignalingError.ClientLimitExceeded"/>, throttling, 5xx, network errors and request timeouts. The
    /// control-plane clients have already retried such errors
    /// <see cref="ControlPlane.KinesisVideoClientOptions.MaxErrorRetries"/> times.
    /// </summary>
    public bool IsRetryable { get; }

    private static bool IsRetryableByDefault(SignalingError error) => error is SignalingError.ConnectFailed
        or SignalingError.ConnectTimeout or SignalingError.ConnectionLost or SignalingError.SendTimeout
        or SignalingError.ReconnectAttemptFailed or SignalingError.ClientLimitExceeded or SignalingError.Throttled
        or SignalingError.ServiceUnavailable or SignalingError.NetworkError or SignalingError.RequestTimeout;
}
