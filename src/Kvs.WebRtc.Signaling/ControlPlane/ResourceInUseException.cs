using System.Net;

namespace Kvs.WebRtc.Signaling.ControlPlane;

/// <summary>
/// The channel is not available for the operation: the name is taken, or the channel is not <c>ACTIVE</c>.
/// </summary>
/// <remarks>AWS error code <c>ResourceInUseException</c>; HTTP 400 from the service.</remarks>
public sealed class ResourceInUseException : KinesisVideoException
{
    /// <summary>The AWS error code this type represents.</summary>
    public const string Code = "ResourceInUseException";

    /// <summary>Creates an exception with a generic message.</summary>
    public ResourceInUseException()
        : this("ResourceInUseException")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public ResourceInUseException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause, or <see langword="null"/>.</param>
    public ResourceInUseException(string message, Exception? innerException)
        : this(message, (HttpStatusCode)400, requestId: null, innerException)
    {
    }

    /// <summary>Creates an exception for a service response.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="statusCode">The HTTP status of the response.</param>
    /// <param name="requestId">The <c>x-amzn-RequestId</c> of the response, if any.</param>
    /// <param name="innerException">The cause, or <see langword="null"/>.</param>
    public ResourceInUseException(string message, HttpStatusCode statusCode, string? requestId, Exception? innerException = null)
        : base(message, Code, statusCode, requestId, isRetryable: false, innerException)
    {
    }
}
