namespace Kvs.WebRtc.PeerConnection.Srtp;

/// <summary>Key, salt and tag lengths of each <see cref="SrtpProfile"/> (RFC 5764 §4.1.2, RFC 7714 §14.2).</summary>
internal static class SrtpProfileInfo
{
    /// <summary>Master key length in bytes.</summary>
    public static int MasterKeyLength(SrtpProfile profile) => profile switch
    {
        SrtpProfile.Aes128CmHmacSha1_80 or SrtpProfile.Aes128CmHmacSha1_32 or SrtpProfile.AeadAes128Gcm => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(profile)),
    };

    /// <summary>Master salt length in bytes (112 bits for AES-CM, 96 bits for GCM).</summary>
    public static int MasterSaltLength(SrtpProfile profile) => profile switch
    {
        SrtpProfile.Aes128CmHmacSha1_80 or SrtpProfile.Aes128CmHmacSha1_32 => 14,
        SrtpProfile.AeadAes128Gcm => 12,
        _ => throw new ArgumentOutOfRangeException(nameof(profile)),
    };

    /// <summary>Authentication tag appended to SRTP packets.</summary>
    public static int RtpTagLength(SrtpProfile profile) => profile switch
    {
        SrtpProfile.Aes128CmHmacSha1_80 => 10,
        SrtpProfile.Aes128CmHmacSha1_32 => 4,
        SrtpProfile.AeadAes128Gcm => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(profile)),
    };

    /// <summary>Authentication tag appended to SRTCP packets (80 bits for both AES-CM profiles, RFC 5764 §4.1.2).</summary>
    public static int RtcpTagLength(SrtpProfile profile) => profile == SrtpProfile.AeadAes128Gcm ? 16 : 10;

    /// <summary>True for the AEAD (GCM) profiles.</summary>
    public static bool IsAead(SrtpProfile profile) => profile == SrtpProfile.AeadAes128Gcm;

    /// <summary>True when <paramref name="value"/> is a profile this implementation supports.</summary>
    public static bool IsSupported(ushort value) =>
        value is (ushort)SrtpProfile.Aes128CmHmacSha1_80 or (ushort)SrtpProfile.Aes128CmHmacSha1_32 or (ushort)SrtpProfile.AeadAes128Gcm;

    /// <summary>Bytes of DTLS exporter output needed for both directions: 2 × (key + salt) (RFC 5764 §4.2).</summary>
    public static int KeyingMaterialLength(SrtpProfile profile) => 2 * (MasterKeyLength(profile) + MasterSaltLength(profile));
}
