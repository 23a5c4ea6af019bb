using System.Buffers.Binary;
using Kvs.WebRtc.PeerConnection.Srtp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Srtp;

[TestFixture]
public sealed class SrtpContextTests
{
    private static readonly byte[] s_key = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();

    public static IEnumerable<TestCaseData> Profiles()
    {
        yield return new TestCaseData((ushort)SrtpProfile.Aes128CmHmacSha1_80).SetArgDisplayNames("AES_CM_HMAC_SHA1_80");
        yield return new TestCaseData((ushort)SrtpProfile.Aes128CmHmacSha1_32).SetArgDisplayNames("AES_CM_HMAC_SHA1_32");
        yield return new TestCaseData((ushort)SrtpProfile.AeadAes128Gcm).SetArgDisplayNames("AEAD_AES_128_GCM");
    }

    [TestCaseSource(nameof(Profiles))]
    public void RtpRoundTrip_ProtectThenUnprotect_RestoresPacket(ushort value)
    {
        var profile = (SrtpProfile)value;
        using var sender = Create(profile);
        using var receiver = Create(profile);
        var packet = Rtp(1000, 0x11223344, 200);
        var buffer = new byte[packet.Length + 16];
        packet.CopyTo(buffer, 0);
        Assert.That(sender.ProtectRtp(buffer, packet.Length, out var n), Is.EqualTo(SrtpError.None));
        Assert.That(n, Is.EqualTo(packet.Length + SrtpProfileInfo.RtpTagLength(profile)));
        Assert.That(buffer.AsSpan(12, 200).SequenceEqual(packet.AsSpan(12)), Is.False, "payload is encrypted");
        Assert.That(receiver.UnprotectRtp(buffer.AsSpan(0, n), out var m), Is.EqualTo(SrtpError.None));
        Assert.That(buffer.AsSpan(0, m).ToArray(), Is.EqualTo(packet));
    }

    [TestCaseSource(nameof(Profiles))]
    public void UnprotectRtp_TamperedPacket_FailsAuthentication(ushort value)
    {
        var profile = (SrtpProfile)value;
        using var sender = Create(profile);
        using var receiver = Create(profile);
        var buffer = new byte[300];
        Rtp(5, 1, 100).CopyTo(buffer, 0);
        sender.ProtectRtp(buffer, 112, out var n);
        buffer[20] ^= 1;
        Assert.That(receiver.UnprotectRtp(buffer.AsSpan(0, n), out _), Is.EqualTo(SrtpError.AuthenticationFailed));
    }

    [TestCaseSource(nameof(Profiles))]
    public void UnprotectRtp_ReplayedPacket_IsRejected(ushort value)
    {
        var profile = (SrtpProfile)value;
        using var sender = Create(profile);
        using var receiver = Create(profile);
        var buffer = new byte[300];
        Rtp(5, 1, 100).CopyTo(buffer, 0);
        sender.ProtectRtp(buffer, 112, out var n);
        var copy = buffer.AsSpan(0, n).ToArray();
        Assert.That(receiver.UnprotectRtp(buffer.AsSpan(0, n), out _), Is.EqualTo(SrtpError.None));
        Assert.That(receiver.UnprotectRtp(copy, out _), Is.EqualTo(SrtpError.Replayed));
    }

    [TestCaseSource(nameof(Profiles))]
    public void UnprotectRtp_RetransmissionLateBy500Packets_IsAcceptedOnceThenRejectedAsReplay(ushort value)
    {
        var profile = (SrtpProfile)value;
        using var sender = Create(profile);
        using var receiver = Create(profile);
        var packets = new List<byte[]>();
        for (var i = 0; i < 600; i++)
        {
            var buffer = new byte[120];
            Rtp((ushort)(65000 + i), 9, 50).CopyTo(buffer, 0); // across the sequence wrap too
            sender.ProtectRtp(buffer, 62, out var n);
            packets.Add(buffer.AsSpan(0, n).ToArray());
        }

        // Packet 50 is lost; it comes back as a plain resend (the same bytes) after packet 599, 549 packets late.
        for (var i = 0; i < packets.Count; i++)
        {
            if (i != 50)
            {
                Assert.That(receiver.UnprotectRtp(packets[i].ToArray(), out _), Is.EqualTo(SrtpError.None), $"packet {i}");
            }
        }

        Assert.That(receiver.UnprotectRtp(packets[50].ToArray(), out _), Is.EqualTo(SrtpError.None), "a late retransmission is no replay");
        Assert.That(receiver.UnprotectRtp(packets[50].ToArray(), out _), Is.EqualTo(SrtpError.Replayed), "the second copy is");
        Assert.That(receiver.UnprotectRtp(packets[400].ToArray(), out _), Is.EqualTo(SrtpError.Replayed));
    }

    [TestCaseSource(nameof(Profiles))]
    public void Rtp_SequenceWrapAndReordering_RocIsTrackedOnBothSides(ushort value)
    {
        var profile = (SrtpProfile)value;
        using var sender = Create(profile);
        using var receiver = Create(profile);
        var packets = new List<byte[]>();
        for (var i = 0; i < 20; i++)
        {
            var seq = (ushort)(65525 + i);
            var buffer = new byte[200];
            Rtp(seq, 7, 50).CopyTo(buffer, 0);
            sender.ProtectRtp(buffer, 62, out var n);
            packets.Add(buffer.AsSpan(0, n).ToArray());
        }

        // Deliver with a swap across the wrap: 65535 after 0.
        (packets[10], packets[11]) = (packets[11], packets[10]);
        foreach (var packet in packets)
        {
            Assert.That(receiver.UnprotectRtp(packet, out _), Is.EqualTo(SrtpError.None));
        }
    }

    [TestCaseSource(nameof(Profiles))]
    public void RtcpRoundTrip_ProtectThenUnprotect_RestoresPacketAndRejectsReplay(ushort value)
    {
        var profile = (SrtpProfile)value;
        using var sender = Create(profile);
        using var receiver = Create(profile);
        var rtcp = new byte[28];
        rtcp[0] = 0x80;
        rtcp[1] = 200;
        BinaryPrimitives.WriteUInt16BigEndian(rtcp.AsSpan(2), 6);
        BinaryPrimitives.WriteUInt32BigEndian(rtcp.AsSpan(4), 0xCAFEBABE);
        rtcp.AsSpan(8).Fill(0x5A);
        var buffer = new byte[100];
        rtcp.CopyTo(buffer, 0);
        Assert.That(sender.ProtectRtcp(buffer, rtcp.Length, out var n), Is.EqualTo(SrtpError.None));
        Assert.That(n, Is.EqualTo(rtcp.Length + sender.RtcpOverhead));
        var copy = buffer.AsSpan(0, n).ToArray();
        Assert.That(receiver.UnprotectRtcp(buffer.AsSpan(0, n), out var m), Is.EqualTo(SrtpError.None));
        Assert.That(buffer.AsSpan(0, m).ToArray(), Is.EqualTo(rtcp));
        Assert.That(receiver.UnprotectRtcp(copy, out _), Is.EqualTo(SrtpError.Replayed));
    }

    [Test]
    public void CreateFromKeyingMaterial_ClientOutboundMatchesServerInbound()
    {
        var material = Enumerable.Range(0, SrtpProfileInfo.KeyingMaterialLength(SrtpProfile.Aes128CmHmacSha1_80)).Select(i => (byte)(i * 7)).ToArray();
        var (clientOut, clientIn) = SrtpContext.CreateFromKeyingMaterial(SrtpProfile.Aes128CmHmacSha1_80, material, isDtlsClient: true);
        var (serverOut, serverIn) = SrtpContext.CreateFromKeyingMaterial(SrtpProfile.Aes128CmHmacSha1_80, material, isDtlsClient: false);
        using (clientOut)
        using (clientIn)
        using (serverOut)
        using (serverIn)
        {
            var buffer = new byte[200];
            Rtp(1, 2, 50).CopyTo(buffer, 0);
            clientOut.ProtectRtp(buffer, 62, out var n);
            var copy = buffer.AsSpan(0, n).ToArray();
            Assert.That(serverIn.UnprotectRtp(buffer.AsSpan(0, n), out _), Is.EqualTo(SrtpError.None));
            Assert.That(clientIn.UnprotectRtp(copy, out _), Is.EqualTo(SrtpError.AuthenticationFailed), "the other direction uses other keys");
        }
    }

    [Test]
    public void Malformed_ShortOrWrongVersion_ReturnsMalformed()
    {
        using var context = Create(SrtpProfile.Aes128CmHmacSha1_80);
        Assert.That(context.UnprotectRtp(new byte[10], out _), Is.EqualTo(SrtpError.Malformed));
        var wrongVersion = new byte[40];
        Assert.That(context.UnprotectRtp(wrongVersion, out _), Is.EqualTo(SrtpError.Malformed));
        Assert.That(context.ProtectRtp(new byte[12], 12, out _), Is.EqualTo(SrtpError.Malformed));
        var rtp = Rtp(1, 1, 10);
        Assert.That(context.ProtectRtp(rtp, rtp.Length, out _), Is.EqualTo(SrtpError.BufferTooSmall));
        Assert.That(context.UnprotectRtcp(new byte[20], out _), Is.EqualTo(SrtpError.Malformed));
    }

    [Test]
    public void UnprotectRtp_CsrcAndExtensionClaimsBeyondPacket_AreMalformed()
    {
        using var context = Create(SrtpProfile.Aes128CmHmacSha1_80);
        var packet = new byte[30];
        packet[0] = 0x9F; // V=2, X=1, CC=15: header claims 72+ bytes
        Assert.That(context.UnprotectRtp(packet, out _), Is.EqualTo(SrtpError.Malformed));
    }

    [TestCaseSource(nameof(Profiles))]
    public void Fuzz_MutatedProtectedPackets_NeverThrowAndNeverAuthenticate(ushort value)
    {
        var profile = (SrtpProfile)value;
        using var sender = Create(profile);
        using var receiver = Create(profile);
        var random = new Random(1234);
        var accepted = 0;
        for (var i = 0; i < 2000; i++)
        {
            var buffer = new byte[300];
            Rtp((ushort)i, 9, 80).CopyTo(buffer, 0);
            sender.ProtectRtp(buffer, 92, out var n);
            var packet = buffer.AsSpan(0, n).ToArray();
            var mutations = random.Next(1, 4);
            for (var m = 0; m < mutations; m++)
            {
                packet[random.Next(packet.Length)] ^= (byte)random.Next(1, 256);
            }

            var truncated = random.Next(4) == 0 ? packet.AsSpan(0, random.Next(packet.Length)).ToArray() : packet;
            var error = random.Next(2) == 0 ? receiver.UnprotectRtp(truncated, out _) : receiver.UnprotectRtcp(truncated, out _);
            if (error == SrtpError.None)
            {
                accepted++;
            }
        }

        Assert.That(accepted, Is.EqualTo(0));
    }

    [TestCaseSource(nameof(Profiles))]
    public void ProtectUnprotect_SteadyState_DoesNotAllocate(ushort value)
    {
        var profile = (SrtpProfile)value;
        using var sender = Create(profile);
        using var receiver = Create(profile);
        var buffer = new byte[1300];
        ushort seq = 0;
        void RoundTrip()
        {
            buffer[0] = 0x80;
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), seq++);
            BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(8), 3);
            sender.ProtectRtp(buffer, 1200, out var n);
            receiver.UnprotectRtp(buffer.AsSpan(0, n), out _);
        }

        for (var i = 0; i < 20; i++)
        {
            RoundTrip();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 200; i++)
        {
            RoundTrip();
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
    }

    private static SrtpContext Create(SrtpProfile profile) =>
        new(profile, s_key, Enumerable.Range(100, SrtpProfileInfo.MasterSaltLength(profile)).Select(i => (byte)i).ToArray());

    private static byte[] Rtp(ushort sequence, uint ssrc, int payloadLength)
    {
        var packet = new byte[12 + payloadLength];
        packet[0] = 0x80;
        packet[1] = 96;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), 160u * sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc);
        for (var i = 12; i < packet.Length; i++)
        {
            packet[i] = (byte)i;
        }

        return packet;
    }
}
