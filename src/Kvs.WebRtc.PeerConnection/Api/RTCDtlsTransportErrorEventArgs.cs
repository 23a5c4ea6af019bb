namespace Kvs.WebRtc.PeerConnection;

/// <summary>Why a DTLS transport failed (W3C <c>RTCErrorEvent</c> with errorDetail <c>"dtls-failure"</c> or <c>"fingerprint-failure"</c>).</summary>
public sealed class RTCDtlsTransportErrorEventArgs : EventArgs
{
    internal RTCDtlsTransportErrorEventArgs(WebRtcException exception)
    {
        Exception = exception;
    }

    /// <summary>The typed reason: <see cref="WebRtcError.FingerprintMismatch"/> or <see cref="WebRtcError.DtlsFailed"/>.</summary>
    public WebRtcError Error => Exception.Error;

    /// <summary>The failure: a message and the fatal alert sent or received (<see cref="WebRtcException.SentAlert"/>, <see cref="WebRtcException.ReceivedAlert"/>).</summary>
    public WebRtcException Exception { get; }
}
