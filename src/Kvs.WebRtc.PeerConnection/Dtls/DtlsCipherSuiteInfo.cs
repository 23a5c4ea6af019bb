using System.Security.Cryptography;

namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>Key sizes and PRF hash of each <see cref="DtlsCipherSuite"/> (RFC 5289 §3, RFC 7905 §2).</summary>
internal static class DtlsCipherSuiteInfo
{
    /// <summary>True when the suite is known and its AEAD exists on this platform.</summary>
    public static bool IsSupported(DtlsCipherSuite suite) => suite switch
    {
        DtlsCipherSuite.EcdheEcdsaWithAes128GcmSha256 or DtlsCipherSuite.EcdheEcdsaWithAes256GcmSha384 => AesGcm.IsSupported,
        DtlsCipherSuite.EcdheEcdsaWithChaCha20Poly1305Sha256 => ChaCha20Poly1305.IsSupported,
        _ => false,
    };

    /// <summary>Hash of the TLS 1.2 PRF and of the handshake transcript.</summary>
    public static HashAlgorithmName PrfHash(DtlsCipherSuite suite) =>
        suite == DtlsCipherSuite.EcdheEcdsaWithAes256GcmSha384 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;

    /// <summary>Write key length in bytes.</summary>
    public static int KeyLength(DtlsCipherSuite suite) => suite == DtlsCipherSuite.EcdheEcdsaWithAes128GcmSha256 ? 16 : 32;

    /// <summary>Implicit (fixed) IV length: 4-byte salt for GCM (RFC 5288 §3), 12 bytes for ChaCha20 (RFC 7905 §2).</summary>
    public static int FixedIvLength(DtlsCipherSuite suite) => suite == DtlsCipherSuite.EcdheEcdsaWithChaCha20Poly1305Sha256 ? 12 : 4;
}
