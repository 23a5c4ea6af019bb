namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// The one exception root of the WebRTC stack, with a <see cref="WebRtcError"/> code that says what failed.
/// Derives from <see cref="IOException"/> because most failures are transport failures.
/// </summary>
public sealed class WebRtcException : IOException
{
    /// <summary>Creates the exception with an error code and a message.</summary>
    public WebRtcException(WebRtcError error, string message)
        : base(message)
    {
        Error = error;
    }

    /// <summary>Creates the exception with an error code, a message and the cause.</summary>
    public WebRtcException(WebRtcError error, string message, Exception? innerException)
        : base(message, innerException)
    {
        Error = error;
    }

    /// <summary>Creates an <see cref="WebRtcError.InternalError"/> exception (for serializers and tooling).</summary>
    public WebRtcException()
        : this(WebRtcError.InternalError, "A WebRTC operation failed.")
    {
    }

    /// <summary>Creates an <see cref="WebRtcError.InternalError"/> exception with a message.</summary>
    public WebRtcException(string message)
        : this(WebRtcError.InternalError, message)
    {
    }

    /// <summary>Creates an <see cref="WebRtcError.InternalError"/> exception with a message and the cause.</summary>
    public WebRtcException(string message, Exception? innerException)
        : this(WebRtcError.InternalError, message, innerException)
    {
    }

    /// <summary>What failed.</summary>
    public WebRtcError Error { get; }
}
