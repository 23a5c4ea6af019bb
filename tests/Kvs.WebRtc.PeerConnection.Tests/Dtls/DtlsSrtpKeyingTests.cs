using Kvs.WebRtc.PeerConnection.Dtls;
using Kvs.WebRtc.PeerConnection.Srtp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Dtls;

/// <summary>DTLS-SRTP end to end in memory: the exported keys of both sides build SRTP contexts that interoperate.</summary>
[TestFixture]
public sealed class DtlsSrtpKeyingTests
{
    [TestCase((ushort)DtlsSrtpProtectionProfile.Aes128CmHmacSha1_80, 60)]
    [TestCase((ushort)DtlsSrtpProtectionProfile.Aes128CmHmacSha1_32, 60)]
    [TestCase((ushort)DtlsSrtpProtectionProfile.AeadAes128Gcm, 56)]
    public void ExportSrtpKeyingMaterial_BothSides_BuildMatchingSrtpContexts(ushort value, int expectedLength)
    {
        var profile = (DtlsSrtpProtectionProfile)value;
        var options = new DtlsOptions { SrtpProfiles = [profile] };
        using var pair = new DtlsTestPair(options, options);
        Assert.That(pair.Handshake(), Is.True);
        Assert.That(pair.Client.SrtpProfile, Is.EqualTo(profile));
        Assert.That(pair.Client.SrtpKeyingMaterialLength, Is.EqualTo(expectedLength));

        var clientKeys = new byte[expectedLength];
        var serverKeys = new byte[expectedLength];
        pair.Client.ExportSrtpKeyingMaterial(clientKeys);
        pair.Server.ExportSrtpKeyingMaterial(serverKeys);
        Assert.That(clientKeys, Is.EqualTo(serverKeys));

        var srtpProfile = (SrtpProfile)(ushort)profile;
        Assert.That(SrtpProfileInfo.KeyingMaterialLength(srtpProfile), Is.EqualTo(expectedLength));
        var (clientOut, clientIn) = SrtpContext.CreateFromKeyingMaterial(srtpProfile, clientKeys, isDtlsClient: pair.Client.Role == DtlsRole.Client);
        var (serverOut, serverIn) = SrtpContext.CreateFromKeyingMaterial(srtpProfile, serverKeys, isDtlsClient: pair.Server.Role == DtlsRole.Client);
        using (clientOut)
        using (clientIn)
        using (serverOut)
        using (serverIn)
        {
            var packet = new byte[100];
            packet[0] = 0x80;
            packet[11] = 1;
            Assert.That(serverOut.ProtectRtp(packet, 60, out var n), Is.EqualTo(SrtpError.None));
            Assert.That(clientIn.UnprotectRtp(packet.AsSpan(0, n), out var m), Is.EqualTo(SrtpError.None));
            Assert.That(m, Is.EqualTo(60));
        }
    }

    [Test]
    public void ExportKeyingMaterial_BeforeConnected_Throws()
    {
        using var pair = new DtlsTestPair();
        Assert.Throws<InvalidOperationException>(() => pair.Client.ExportKeyingMaterial(DtlsConnection.SrtpExporterLabel, new byte[60]));
    }
}
