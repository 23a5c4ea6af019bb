namespace Kvs.WebRtc.PeerConnection.Dtls;

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

    /// <summary>secp256r1 named group.</summary>
    public const ushort Secp256r1 = 23;

    /// <summary>secp384r1 named group.</summary>
    public const ushort Secp384r1 = 24;

    /// <summary>ecdsa_secp256r1_sha256 SignatureScheme (hash sha256 = 4, signature ecdsa = 3).</summary>
    public const ushort EcdsaSecp256r1Sha256 = 0x0403;

    /// <summary>ecdsa_secp384r1_sha384.</summary>
    public const ushort EcdsaSecp384r1Sha384 = 0x0503;

    /// <summary>ecdsa_secp521r1_sha512.</summary>
    public const ushort EcdsaSecp521r1Sha512 = 0x0603;
}
