namespace Kvs.WebRtc.PeerConnection.Dtls;

// The one place for the DTLS wire numbers this implementation uses (IANA TLS registries). Enums of their own:
// DtlsContentType, DtlsHandshakeType, DtlsAlertDescription, DtlsCipherSuite, DtlsSrtpProtectionProfile.
// See docs/architecture.md, "DTLS".

/// <summary>Protocol versions on the wire (RFC 6347 §4.1: DTLS counts down from {254, 255}).</summary>
internal static class DtlsVersion
{
    /// <summary>DTLS 1.2 ({254, 253}).</summary>
    public const ushort Dtls12 = 0xFEFD;

    /// <summary>DTLS 1.0 ({254, 255}): accepted in records of the first flight and sent in HelloVerifyRequest (RFC 6347 §4.2.1).</summary>
    public const ushort Dtls10 = 0xFEFF;
}

/// <summary>Hello extension types this implementation sends or reads (IANA TLS ExtensionType values).</summary>
internal static class DtlsExtensionType
{
    /// <summary>supported_groups (RFC 8422 §5.1.1).</summary>
    public const ushort SupportedGroups = 10;

    /// <summary>ec_point_formats (RFC 8422 §5.1.2).</summary>
    public const ushort EcPointFormats = 11;

    /// <summary>signature_algorithms (RFC 5246 §7.4.1.4.1).</summary>
    public const ushort SignatureAlgorithms = 13;

    /// <summary>use_srtp (RFC 5764 §4.1.1).</summary>
    public const ushort UseSrtp = 14;

    /// <summary>extended_master_secret (RFC 7627 §5.1).</summary>
    public const ushort ExtendedMasterSecret = 23;

    /// <summary>renegotiation_info (RFC 5746 §3.2).</summary>
    public const ushort RenegotiationInfo = 0xFF01;

    /// <summary>TLS_EMPTY_RENEGOTIATION_INFO_SCSV, a cipher-suite value that stands for an empty renegotiation_info (RFC 5746 §3.3).</summary>
    public const ushort EmptyRenegotiationInfoScsv = 0x00FF;
}

/// <summary>Named elliptic-curve groups (RFC 8422 §5.1.1).</summary>
internal static class DtlsNamedGroup
{
    /// <summary>secp256r1 (P-256).</summary>
    public const ushort Secp256r1 = 23;

    /// <summary>secp384r1 (P-384).</summary>
    public const ushort Secp384r1 = 24;
}

/// <summary>SignatureScheme values (hash byte, signature byte; RFC 5246 §7.4.1.4.1, RFC 8422 §5.1.3).</summary>
internal static class DtlsSignatureScheme
{
    /// <summary>ecdsa_secp256r1_sha256 (sha256 = 4, ecdsa = 3).</summary>
    public const ushort EcdsaSecp256r1Sha256 = 0x0403;

    /// <summary>ecdsa_secp384r1_sha384.</summary>
    public const ushort EcdsaSecp384r1Sha384 = 0x0503;

    /// <summary>ecdsa_secp521r1_sha512.</summary>
    public const ushort EcdsaSecp521r1Sha512 = 0x0603;
}

/// <summary>Alert levels (RFC 5246 §7.2).</summary>
internal static class DtlsAlertLevel
{
    /// <summary>warning.</summary>
    public const byte Warning = 1;

    /// <summary>fatal.</summary>
    public const byte Fatal = 2;
}

/// <summary>Small single-byte code points of the key exchange messages.</summary>
internal static class DtlsCodePoint
{
    /// <summary>ECCurveType named_curve in ServerECDHParams (RFC 8422 §5.4).</summary>
    public const byte NamedCurve = 3;

    /// <summary>ClientCertificateType ecdsa_sign in CertificateRequest (RFC 8422 §5.5).</summary>
    public const byte EcdsaSign = 64;

    /// <summary>ECPointFormat uncompressed, the first byte of an encoded point (RFC 8422 §5.4.1).</summary>
    public const byte UncompressedPoint = 4;

    /// <summary>The single byte of a ChangeCipherSpec message (RFC 5246 §7.1).</summary>
    public const byte ChangeCipherSpec = 1;

    /// <summary>Length of verify_data in Finished (RFC 5246 §7.4.9).</summary>
    public const int VerifyDataLength = 12;

    /// <summary>Length of client_random and server_random (RFC 5246 §7.4.1.2).</summary>
    public const int RandomLength = 32;
}
