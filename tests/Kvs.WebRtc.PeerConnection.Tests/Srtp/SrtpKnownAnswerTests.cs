using Kvs.WebRtc.PeerConnection.Srtp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Srtp;

/// <summary>RFC 3711 Appendix B and RFC 7714 §16/§17 known-answer vectors.</summary>
[TestFixture]
public sealed class SrtpKnownAnswerTests
{
    private const string GcmKey = "000102030405060708090a0b0c0d0e0f";
    private const string GcmSalt = "517569642070726f2071756f";
    private const string GcmRtpPlain = "8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e69732064697669736120696e207061727465732074726573";
    private const string GcmRtpProtected = "8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d19b36de3adf8833899d7f27beb16a9152cf765ee4390cce";
    private const string GcmRtcpPlain = "81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef";
    private const string GcmRtcpProtected = "81c8000d4d61727363e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32dc676a5f1730d6fda4ce09b4686303ded0bb9275bc84aa45896cf4d2fc5abf87245d9eade800005d4";

    [Test]
    public void AesCounterMode_Rfc3711B2_ProducesKeystream()
    {
        using var ctr = new AesCounterMode(Convert.FromHexString("2B7E151628AED2A6ABF7158809CF4F3C"));
        var keystream = new byte[48];
        ctr.Keystream(Convert.FromHexString("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000"), keystream);
        Assert.That(Convert.ToHexString(keystream), Is.EqualTo(
            "E03EAD0935C95E80E166B16DD92B4EB4" + "D23513162B02D0F72A43A2FE4A5F97AB" + "41E95B3BB0A2E8DD477901E4FCA894C0"));
    }

    [Test]
    public void KeyDerivation_Rfc3711B3_DerivesCipherKeySaltAndAuthKey()
    {
        var masterKey = Convert.FromHexString("E1F97A0D3E018BE0D64FA32C06DE4139");
        var masterSalt = Convert.FromHexString("0EC675AD498AFEEBB6960B3AABE6");
        var key = new byte[16];
        var salt = new byte[14];
        var auth = new byte[94];
        SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpKeyDerivation.RtpEncryption, key);
        SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpKeyDerivation.RtpSalt, salt);
        SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpKeyDerivation.RtpAuthentication, auth);
        Assert.Multiple(() =>
        {
            Assert.That(Convert.ToHexString(key), Is.EqualTo("C61E7A93744F39EE10734AFE3FF7A087"));
            Assert.That(Convert.ToHexString(salt), Is.EqualTo("30CBBC08863D8C85D49DB34A9AE1"));
            Assert.That(Convert.ToHexString(auth), Is.EqualTo(
                "CEBE321F6FF7716B6FD4AB49AF256A15" + "6D38BAA48F0A0ACF3C34E2359E6CDBCE" + "E049646C43D9327AD175578EF7227098" +
                "6371C10C9A369AC2F94A8C5FBCDDDC25" + "6D6E919A48B610EF17C2041E47403576" + "6B68642C59BBFC2F34DB60DBDFB2"));
        });
    }

    [Test]
    public void ProtectRtp_Rfc7714Section16_ProducesCiphertextAndTag()
    {
        using var context = GcmContext();
        var plain = Convert.FromHexString(GcmRtpPlain);
        var buffer = new byte[plain.Length + 16];
        plain.CopyTo(buffer, 0);
        Assert.That(context.ProtectRtp(buffer, plain.Length, out var n), Is.EqualTo(SrtpError.None));
        Assert.That(Convert.ToHexString(buffer, 0, n), Is.EqualTo(GcmRtpProtected).IgnoreCase);
    }

    [Test]
    public void UnprotectRtp_Rfc7714Section16_RecoversPlaintext()
    {
        using var context = GcmContext();
        var packet = Convert.FromHexString(GcmRtpProtected);
        Assert.That(context.UnprotectRtp(packet, out var n), Is.EqualTo(SrtpError.None));
        Assert.That(Convert.ToHexString(packet, 0, n), Is.EqualTo(GcmRtpPlain).IgnoreCase);
    }

    [Test]
    public void ProtectRtcp_Rfc7714Section17_ProducesCiphertextTagAndIndex()
    {
        using var context = GcmContext();
        context.SetNextRtcpIndex(0x4d617273, 0x5d4);
        var plain = Convert.FromHexString(GcmRtcpPlain);
        var buffer = new byte[plain.Length + context.RtcpOverhead];
        plain.CopyTo(buffer, 0);
        Assert.That(context.ProtectRtcp(buffer, plain.Length, out var n), Is.EqualTo(SrtpError.None));
        Assert.That(Convert.ToHexString(buffer, 0, n), Is.EqualTo(GcmRtcpProtected).IgnoreCase);
    }

    [Test]
    public void UnprotectRtcp_Rfc7714Section17_RecoversPlaintext()
    {
        using var context = GcmContext();
        var packet = Convert.FromHexString(GcmRtcpProtected);
        Assert.That(context.UnprotectRtcp(packet, out var n), Is.EqualTo(SrtpError.None));
        Assert.That(Convert.ToHexString(packet, 0, n), Is.EqualTo(GcmRtcpPlain).IgnoreCase);
    }

    [Test]
    public void ProtectRtp_AesCmWithRfc3711B2Keys_EncryptsPayloadWithAppendixKeystream()
    {
        // With session key/salt from B.2, SSRC 0 and index 0, the payload keystream is the B.2 keystream.
        using var context = new SrtpContext(SrtpProfile.Aes128CmHmacSha1_80, Convert.FromHexString("2B7E151628AED2A6ABF7158809CF4F3C"),
            Convert.FromHexString("F0F1F2F3F4F5F6F7F8F9FAFBFCFD"), new byte[20], sessionKeys: true);
        var buffer = new byte[12 + 48 + 10];
        buffer[0] = 0x80;
        Assert.That(context.ProtectRtp(buffer, 60, out var n), Is.EqualTo(SrtpError.None));
        Assert.That(n, Is.EqualTo(70));
        Assert.That(Convert.ToHexString(buffer, 12, 48), Is.EqualTo(
            "E03EAD0935C95E80E166B16DD92B4EB4" + "D23513162B02D0F72A43A2FE4A5F97AB" + "41E95B3BB0A2E8DD477901E4FCA894C0"));
    }

    private static SrtpContext GcmContext() =>
        new(SrtpProfile.AeadAes128Gcm, Convert.FromHexString(GcmKey), Convert.FromHexString(GcmSalt), [], sessionKeys: true);
}
