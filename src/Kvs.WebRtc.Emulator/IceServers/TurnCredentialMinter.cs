using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Kvs.WebRtc.Emulator.IceServers;

/// <summary>
/// Mints time-limited TURN credentials in the "REST API for access to TURN services" style that coturn's
/// <c>use-auth-secret</c> verifies: username <c>{expiry epoch seconds}:{base64("v1:" + channelArn)}</c>, password
/// <c>base64(HMAC(secret, username))</c>.
/// </summary>
internal sealed class TurnCredentialMinter
{
    private readonly byte[] _secret;
    private readonly HashAlgorithmName _algorithm;

    public TurnCredentialMinter(string sharedSecret, HashAlgorithmName algorithm)
    {
        _secret = Encoding.UTF8.GetBytes(sharedSecret);
        _algorithm = algorithm;
    }

    public (string Username, string Password) Mint(string channelArn, DateTimeOffset expiresAt)
    {
        var username = expiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) + ":" + Convert.ToBase64String(Encoding.UTF8.GetBytes("v1:" + channelArn));
        var data = Encoding.UTF8.GetBytes(username);
#pragma warning disable CA5350 // HMAC-SHA1 is what coturn's use-auth-secret verifies; this is interop, not protection.
#pragma warning disable CA5350 // coturn's use-auth-secret (RFC-draft TURN REST API) verifies HMAC-SHA1; not used for our own security.
        var mac = _algorithm == HashAlgorithmName.SHA256 ? HMACSHA256.HashData(_secret, data) : HMACSHA1.HashData(_secret, data);
#pragma warning restore CA5350
#pragma warning restore CA5350
        return (username, Convert.ToBase64String(mac));
    }
}
