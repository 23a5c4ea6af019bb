using System.Security.Cryptography;
using System.Text;
using Kvs.WebRtc.Emulator.IceServers;
using NUnit.Framework;

namespace Kvs.WebRtc.Emulator.Tests.IceServers;

[TestFixture]
public sealed class CoreTurnCredentialMinterTests
{
    private const string Arn = "arn:aws:kinesisvideo:us-west-2:123456789012:channel/demo/1712136149494";
    private static readonly DateTimeOffset s_expiry = DateTimeOffset.FromUnixTimeSeconds(1_743_506_463);

    [Test]
    public void Mint_Default_UsernameIsExpiryColonBase64OfV1ArnAndPasswordIsHmacSha1()
    {
        var (username, password) = new TurnCredentialMinter("shared-secret", HashAlgorithmName.SHA1).Mint(Arn, s_expiry);

        var expectedUser = "1743506463:" + Convert.ToBase64String(Encoding.UTF8.GetBytes("v1:" + Arn));
#pragma warning disable CA5350 // coturn's use-auth-secret verifies HMAC-SHA1; this recomputes it.
        var expectedPassword = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes("shared-secret"), Encoding.UTF8.GetBytes(expectedUser)));
#pragma warning restore CA5350
        Assert.Multiple(() =>
        {
            Assert.That(username, Is.EqualTo(expectedUser));
            Assert.That(password, Is.EqualTo(expectedPassword));
        });
    }

    [Test]
    public void Mint_Sha256_PasswordIsHmacSha256OfUsername()
    {
        var (username, password) = new TurnCredentialMinter("shared-secret", HashAlgorithmName.SHA256).Mint(Arn, s_expiry);

        Assert.That(password, Is.EqualTo(Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes("shared-secret"), Encoding.UTF8.GetBytes(username)))));
    }
}
