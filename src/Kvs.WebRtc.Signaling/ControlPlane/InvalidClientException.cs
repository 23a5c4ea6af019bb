using System.Net;

namespace Kvs.WebRtc.Signaling.ControlPlane;

/// <summary>
/// The signaling service rejected the client id (GetIceServerConfig).
/// </summary>
/// <remarks>AWS error code <c>InvalidClientException</c>; HTTP 400 from the service.</remarks>
public sealed class InvalidClientException : KinesisVideoException
{
    /// <summary>The AWS error code this type represents.</summary>
    public const string Code = "InvalidClientException";

    /// <summary>Creates an exception with a generic message.</summary>
    public InvalidClientException()
        : this("InvalidClientException")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public InvalidClientException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause, or <see langword="null"/>.</param>
    public InvalidClientException(string message, Exception? innerException)
        : this(message, (HttpStatusCode)400, requestId: null, innerException)
    {
    }

    /// <summary>Creates an exception for a service response.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="statusCode">The HTTP status of the response.</param>
    /// <param name="requestId">The <c>x-amzn-RequestId</c> of the response, if any.</param>
    /// <param name="innerException">The cause, or <see langword="null"/>.</param>
    public InvalidClientException(string message, HttpStatusCode statusCode, string? requestId, Exception? innerException = null)
        : base(message, Code, statusCode, requestId, isRetryable: false, innerException)
    {
    }
}
