using System.Net;

namespace Kvs.WebRtc.Signaling.ControlPlane;

/// <summary>
/// The service rejected an input value.
/// </summary>
/// <remarks>AWS error code <c>InvalidArgumentException</c>; HTTP 400 from the service.</remarks>
public sealed class InvalidArgumentException : KinesisVideoException
{
    /// <summary>The AWS error code this type represents.</summary>
    public const string Code = "InvalidArgumentException";

    /// <summary>Creates an exception with a generic message.</summary>
    public InvalidArgumentException()
        : this("InvalidArgumentException")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public InvalidArgumentException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause, or <see langword="null"/>.</param>
    public InvalidArgumentException(string message, Exception? innerException)
        : this(message, (HttpStatusCode)400, requestId: null, innerException)
    {
    }

    /// <summary>Creates an exception for a service response.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="statusCode">The HTTP status of the response.</param>
    /// <param name="requestId">The <c>x-amzn-RequestId</c> of the response, if any.</param>
    /// <param name="innerException">The cause, or <see langword="null"/>.</param>
    public InvalidArgumentException(string message, HttpStatusCode statusCode, string? requestId, Exception? innerException = null)
        : base(message, Code, statusCode, requestId, isRetryable: false, innerException)
    {
    }
}
