namespace Kvs.WebRtc.PeerConnection.Srtp;

/// <summary>
/// SRTP protection profiles negotiated through DTLS-SRTP (RFC 5764 §4.1.2, RFC 7714 §14.2).
/// The numeric values are the IANA profile identifiers carried in the use_srtp extension.
/// </summary>
internal enum SrtpProfile : ushort
{
    /// <summary>SRTP_AES128_CM_HMAC_SHA1_80: AES-128 counter mode, 80-bit HMAC-SHA1 tag.</summary>
    Aes128CmHmacSha1_80 = 0x0001,

    /// <summary>SRTP_AES128_CM_HMAC_SHA1_32: as above with a 32-bit SRTP tag (SRTCP keeps 80 bits).</summary>
    Aes128CmHmacSha1_32 = 0x0002,

    /// <summary>SRTP_AEAD_AES_128_GCM: AES-128-GCM with a 128-bit tag (RFC 7714).</summary>
    AeadAes128Gcm = 0x0007,
}
