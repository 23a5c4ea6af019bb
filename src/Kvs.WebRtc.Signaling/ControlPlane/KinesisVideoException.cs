using System.Net;

namespace Kvs.WebRtc.Signaling.ControlPlane;

/// <summary>
/// Root of every error raised by <see cref="KinesisVideoClient"/> and <see cref="KinesisVideoSignalingClient"/>:
/// service errors (one subclass per modelled AWS error; unknown codes arrive as this base type), timeouts
/// (<see cref="KinesisVideoTimeoutException"/>), unusable responses (<see cref="InvalidResponseException"/>) and
/// network failures (this type, <see cref="ErrorCode"/> <c>NetworkError</c>).
/// </summary>
/// <remarks>Messages never contain credentials, signatures or TURN passwords.</remarks>
public class KinesisVideoException : Exception
{
    /// <summary>Creates an exception with a generic message.</summary>
    public KinesisVideoException()
        : this("A Kinesis Video request failed.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public KinesisVideoException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause, or <see langword="null"/>.</param>
    public KinesisVideoException(string message, Exception? innerException)
        : this(message, errorCode: null, statusCode: default, requestId: null, isRetryable: false, innerException)
    {
    }

    /// <summary>Creates an exception with every detail.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="errorCode">The AWS error code (e.g. <c>ResourceNotFoundException</c>), or a client-side code.</param>
    /// <param name="statusCode">The HTTP status, or <see langword="default"/> (0) when no response was received.</param>
    /// <param name="requestId">The <c>x-amzn-RequestId</c> of the response, if any.</param>
    /// <param name="isRetryable">Whether repeating the same request may succeed.</param>
    /// <param name="innerException">The cause, or <see langword="null"/>.</param>
    public KinesisVideoException(string message, string? errorCode, HttpStatusCode statusCode, string? requestId, bool isRetryable, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
        StatusCode = statusCode;
        RequestId = requestId;
        IsRetryable = isRetryable;
    }

    /// <summary>
    /// The AWS error code from <c>x-amzn-ErrorType</c> (or the body), e.g. <c>ResourceNotFoundException</c>; or a
    /// client-side code (<c>RequestTimeout</c>, <c>NetworkError</c>, <c>InvalidResponse</c>, <c>ResponseTooLarge</c>,
    /// <c>RepeatedNextToken</c>); <see langword="null"/> when unknown.
    /// </summary>
    public string? ErrorCode { get; }

    /// <summary>The HTTP status of the response; <see langword="default"/> (0) when no response was received.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The request id the service assigned (<c>x-amzn-RequestId</c>), for AWS support; may be <see langword="null"/>.</summary>
    public string? RequestId { get; }

    /// <summary>
    /// Whether repeating the same request later may succeed (throttling, 5xx, timeouts, network errors). The clients
    /// have already retried such errors <see cref="KinesisVideoClientOptions.MaxErrorRetries"/> times.
    /// </summary>
    public bool IsRetryable { get; }
}
