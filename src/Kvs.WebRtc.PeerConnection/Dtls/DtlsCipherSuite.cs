namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>Cipher suites this implementation negotiates (IANA values; RFC 5289, RFC 7905).</summary>
internal enum DtlsCipherSuite : ushort
{
    /// <summary>TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (mandatory for WebRTC, RFC 8827 §6.5).</summary>
    EcdheEcdsaWithAes128GcmSha256 = 0xC02B,

    /// <summary>TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384.</summary>
    EcdheEcdsaWithAes256GcmSha384 = 0xC02C,

    /// <summary>TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 (only where the platform supports ChaCha20-Poly1305).</summary>
    EcdheEcdsaWithChaCha20Poly1305Sha256 = 0xCCA9,
}
