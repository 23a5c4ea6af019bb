namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>Why a DTLS connection failed; carried by <see cref="DtlsException.Error"/>.</summary>
internal enum DtlsError
{
    /// <summary>The peer's certificate does not match any fingerprint from its SDP (RFC 8122 §5).</summary>
    FingerprintMismatch,

    /// <summary>The peers share no cipher suite, curve or signature algorithm, or the peer lacks extended master secret (RFC 7627).</summary>
    NegotiationFailed,

    /// <summary>The peer sent a malformed or out-of-order handshake message, or a signature/Finished did not verify.</summary>
    ProtocolViolation,

    /// <summary>The peer sent a fatal alert (see <see cref="DtlsException.Alert"/>).</summary>
    AlertReceived,

    /// <summary>The handshake did not complete within the configured time.</summary>
    Timeout,
}
