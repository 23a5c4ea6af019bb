using System.Net;

namespace Kvs.WebRtc.Signaling.ControlPlane;

/// <summary>
/// A response could not be used: malformed JSON, a required member missing, a body larger than
/// <see cref="KinesisVideoClientOptions.MaxResponseBytes"/> (<see cref="KinesisVideoException.ErrorCode"/>
/// <c>ResponseTooLarge</c>), or a paginated listing that repeated its <c>NextToken</c> (<c>RepeatedNextToken</c>).
/// </summary>
public sealed class InvalidResponseException : KinesisVideoException
{
    /// <summary>The default client-side error code of this type.</summary>
    public const string Code = "InvalidResponse";

    /// <summary>The error code for a response body over the size cap.</summary>
    public const string TooLargeCode = "ResponseTooLarge";

    /// <summary>The error code for a listing whose <c>NextToken</c> did not advance.</summary>
    public const string RepeatedNextTokenCode = "RepeatedNextToken";

    /// <summary>Creates an exception with a generic message.</summary>
    public InvalidResponseException()
        : this("A Kinesis Video response could not be used.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public InvalidResponseException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause, or <see langword="null"/>.</param>
    public InvalidResponseException(string message, Exception? innerException)
        : this(message, Code, default, requestId: null, innerException)
    {
    }

    /// <summary>Creates an exception with every detail.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="errorCode"><see cref="Code"/>, <see cref="TooLargeCode"/> or <see cref="RepeatedNextTokenCode"/>.</param>
    /// <param name="statusCode">The HTTP status of the response.</param>
    /// <param name="requestId">The <c>x-amzn-RequestId</c> of the response, if any.</param>
    /// <param name="innerException">The cause, or <see langword="null"/>.</param>
    public InvalidResponseException(string message, string errorCode, HttpStatusCode statusCode, string? requestId, Exception? innerException = null)
        : base(message, errorCode, statusCode, requestId, isRetryable: false, innerException)
    {
    }
}
