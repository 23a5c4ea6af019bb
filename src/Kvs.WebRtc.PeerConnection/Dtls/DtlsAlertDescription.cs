namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>Alert descriptions (RFC 5246 §7.2), as sent on the wire.</summary>
public enum DtlsAlertDescription : byte
{
    /// <summary>close_notify: orderly shutdown.</summary>
    CloseNotify = 0,

    /// <summary>unexpected_message.</summary>
    UnexpectedMessage = 10,

    /// <summary>bad_record_mac.</summary>
    BadRecordMac = 20,

    /// <summary>record_overflow.</summary>
    RecordOverflow = 22,

    /// <summary>handshake_failure: no common parameters (cipher suite, extended master secret).</summary>
    HandshakeFailure = 40,

    /// <summary>bad_certificate: e.g. the certificate does not match the SDP fingerprint.</summary>
    BadCertificate = 42,

    /// <summary>unsupported_certificate.</summary>
    UnsupportedCertificate = 43,

    /// <summary>certificate_unknown.</summary>
    CertificateUnknown = 46,

    /// <summary>illegal_parameter.</summary>
    IllegalParameter = 47,

    /// <summary>decode_error.</summary>
    DecodeError = 50,

    /// <summary>decrypt_error: a signature or Finished did not verify.</summary>
    DecryptError = 51,

    /// <summary>protocol_version.</summary>
    ProtocolVersion = 70,

    /// <summary>insufficient_security.</summary>
    InsufficientSecurity = 71,

    /// <summary>internal_error.</summary>
    InternalError = 80,

    /// <summary>user_canceled.</summary>
    UserCanceled = 90,

    /// <summary>no_renegotiation.</summary>
    NoRenegotiation = 100,

    /// <summary>unsupported_extension.</summary>
    UnsupportedExtension = 110,
}
