namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>
/// SRTP protection profiles offered in the use_srtp extension (RFC 5764 §4.1.2, RFC 7714 §14.2). The values equal
/// those of the Srtp layer's profile enum, so the driver converts with a cast; DTLS does not reference SRTP.
/// </summary>
internal enum DtlsSrtpProtectionProfile : ushort
{
    /// <summary>SRTP_AES128_CM_HMAC_SHA1_80.</summary>
    Aes128CmHmacSha1_80 = 0x0001,

    /// <summary>SRTP_AES128_CM_HMAC_SHA1_32.</summary>
    Aes128CmHmacSha1_32 = 0x0002,

    /// <summary>SRTP_AEAD_AES_128_GCM.</summary>
    AeadAes128Gcm = 0x0007,
}
