using System.Net;

namespace Kvs.WebRtc.Signaling.ControlPlane;

/// <summary>
/// A request did not complete within <see cref="KinesisVideoClientOptions.Timeout"/> (including retries). Raised
/// instead of a bare <see cref="TaskCanceledException"/>; cancellation requested by the caller still surfaces as
/// <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class KinesisVideoTimeoutException : KinesisVideoException
{
    /// <summary>The client-side error code of this type.</summary>
    public const string Code = "RequestTimeout";

    /// <summary>Creates an exception with a generic message.</summary>
    public KinesisVideoTimeoutException()
        : this("A Kinesis Video request timed out.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public KinesisVideoTimeoutException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause, or <see langword="null"/>.</param>
    public KinesisVideoTimeoutException(string message, Exception? innerException)
        : base(message, Code, default(HttpStatusCode), requestId: null, isRetryable: true, innerException)
    {
    }
}
