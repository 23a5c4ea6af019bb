namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>A DTLS handshake or connection failure. Never contains key material.</summary>
internal sealed class DtlsException : IOException
{
    /// <summary>Creates an exception with the given code and message.</summary>
    /// <param name="error">What went wrong.</param>
    /// <param name="message">Human-readable explanation.</param>
    /// <param name="alert">The alert sent or received, if any.</param>
    public DtlsException(DtlsError error, string message, DtlsAlertDescription? alert = null)
        : base(message)
    {
        Error = error;
        Alert = alert;
    }

    /// <summary>The failure code.</summary>
    public DtlsError Error { get; }

    /// <summary>The alert that was sent to or received from the peer, when one was.</summary>
    public DtlsAlertDescription? Alert { get; }
}
