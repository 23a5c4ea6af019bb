using System.Net;

namespace Kvs.WebRtc.Signaling.ControlPlane;

/// <summary>
/// The account has reached the maximum number of signaling channels in this region.
/// </summary>
/// <remarks>AWS error code <c>AccountChannelLimitExceededException</c>; HTTP 400 from the service.</remarks>
public sealed class AccountChannelLimitExceededException : KinesisVideoException
{
    /// <summary>The AWS error code this type represents.</summary>
    public const string Code = "AccountChannelLimitExceededException";

    /// <summary>Creates an exception with a generic message.</summary>
    public AccountChannelLimitExceededException()
        : this("AccountChannelLimitExceededException")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public AccountChannelLimitExceededException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause, or <see langword="null"/>.</param>
    public AccountChannelLimitExceededException(string message, Exception? innerException)
        : this(message, (HttpStatusCode)400, requestId: null, innerException)
    {
    }

    /// <summary>Creates an exception for a service response.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="statusCode">The HTTP status of the response.</param>
    /// <param name="requestId">The <c>x-amzn-RequestId</c> of the response, if any.</param>
    /// <param name="innerException">The cause, or <see langword="null"/>.</param>
    public AccountChannelLimitExceededException(string message, HttpStatusCode statusCode, string? requestId, Exception? innerException = null)
        : base(message, Code, statusCode, requestId, isRetryable: false, innerException)
    {
    }
}
