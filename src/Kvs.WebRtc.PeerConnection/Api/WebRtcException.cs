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

    /// <summary>
    /// For a DTLS failure (<see cref="WebRtcError.DtlsFailed"/>, <see cref="WebRtcError.FingerprintMismatch"/>): the fatal
    /// alert the peer sent (W3C <c>RTCError.receivedAlert</c>), or null.
    /// </summary>
    public Dtls.DtlsAlertDescription? ReceivedAlert { get; internal init; }

    /// <summary>
    /// For a DTLS failure (<see cref="WebRtcError.DtlsFailed"/>, <see cref="WebRtcError.FingerprintMismatch"/>): the fatal
    /// alert this side sent to the peer (W3C <c>RTCError.sentAlert</c>), or null.
    /// </summary>
    public Dtls.DtlsAlertDescription? SentAlert { get; internal init; }

    /// <summary>The <see cref="WebRtcException"/> a connection reports for a failed DTLS handshake or connection.</summary>
    internal static WebRtcException FromDtls(Dtls.DtlsException? failure)
    {
        var mismatch = failure?.Error == Dtls.DtlsError.FingerprintMismatch;
        var received = failure?.Error == Dtls.DtlsError.AlertReceived;
        return new WebRtcException(
            mismatch ? WebRtcError.FingerprintMismatch : WebRtcError.DtlsFailed,
            mismatch
                ? "The peer's DTLS certificate does not match the fingerprint in its SDP."
                : "The DTLS handshake failed: " + (failure?.Message ?? "unknown reason"))
        {
            ReceivedAlert = received ? failure!.Alert : null,
            SentAlert = received ? null : failure?.Alert,
        };
    }
}
