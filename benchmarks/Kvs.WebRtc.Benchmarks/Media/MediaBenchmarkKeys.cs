using System.Security.Cryptography;
using Kvs.WebRtc.PeerConnection.Srtp;

namespace Kvs.WebRtc.Benchmarks.Media;

/// <summary>SRTP contexts with random keys for the media benchmarks.</summary>
internal static class MediaBenchmarkKeys
{
    /// <summary>A sending context for <c>AEAD_AES_128_GCM</c> or <c>AES_CM_128_HMAC_SHA1_80</c>.</summary>
    public static SrtpContext CreateContext(string profileName)
    {
        var profile = profileName == "AEAD_AES_128_GCM" ? SrtpProfile.AeadAes128Gcm : SrtpProfile.Aes128CmHmacSha1_80;
        var key = RandomNumberGenerator.GetBytes(SrtpProfileInfo.MasterKeyLength(profile));
        var salt = RandomNumberGenerator.GetBytes(SrtpProfileInfo.MasterSaltLength(profile));
        return new SrtpContext(profile, key, salt);
    }
}
