namespace Kvs.WebRtc.Signaling;

/// <summary>
/// A signaling failure: connecting, a lost connection, a send on a closed client, or (as an event on
/// <see cref="SignalingClient.Errors"/>) a frame that could not be decoded.
/// </summary>
/// <remarks>Messages never contain credentials, signatures or presigned URLs.</remarks>
public sealed class SignalingException : IOException
{
    /// <summary>Creates an exception with an error code and a message.</summary>
    /// <param name="error">The reason.</param>
    /// <param name="message">A description without secrets.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    /// <param name="httpStatusCode">The HTTP status of a refused upgrade, if any.</param>
    public SignalingException(SignalingError error, string message, Exception? innerException = null, int? httpStatusCode = null)
        : base(message, innerException)
    {
        Error = error;
        HttpStatusCode = httpStatusCode;
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

    /// <summary>The HTTP status code of a refused WebSocket upgrade (e.g. 403), or null.</summary>
    public int? HttpStatusCode { get; }

    /// <summary>
    /// True when retrying later may succeed (<see cref="SignalingError.ConnectFailed"/>,
    /// <see cref="SignalingError.ConnectTimeout"/>, <see cref="SignalingError.ConnectionLost"/>,
    /// <see cref="SignalingError.SendTimeout"/>, <see cref="SignalingError.ReconnectAttemptFailed"/>,
    /// <see cref="SignalingError.LimitExceeded"/>).
    /// </summary>
    public bool IsTransient => Error is SignalingError.ConnectFailed or SignalingError.ConnectTimeout
        or SignalingError.ConnectionLost or SignalingError.SendTimeout or SignalingError.ReconnectAttemptFailed
        or SignalingError.LimitExceeded;
}
