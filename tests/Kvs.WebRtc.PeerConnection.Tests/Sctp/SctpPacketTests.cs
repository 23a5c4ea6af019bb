using System.Buffers.Binary;
using Kvs.WebRtc.PeerConnection.Sctp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Sctp;

public sealed class SctpPacketTests
{
    private static byte[] BuildDataPacket(uint tag, uint tsn, ushort stream, ushort ssn, uint ppid, byte[] payload, byte flags = DataChunk.FlagBeginning | DataChunk.FlagEnding)
    {
        var buffer = new byte[1200];
        var writer = new SctpPacketWriter(buffer, 5000, 5000, tag);
        DataChunk.Write(ref writer, flags, tsn, stream, ssn, ppid, payload);
        var length = writer.Finish();
        return buffer.AsSpan(0, length).ToArray();
    }

    [Test]
    public void Writer_DataChunk_RoundTripsThroughReader()
    {
        var packet = BuildDataPacket(0x01020304, 77, 9, 3, 53, [1, 2, 3, 4, 5]);
        Assert.That(SctpPacket.TryReadHeader(packet, out var src, out var dst, out var tag), Is.True);
        Assert.That((src, dst, tag), Is.EqualTo(((ushort)5000, (ushort)5000, 0x01020304u)));
        Assert.That(SctpPacket.VerifyChecksum(packet), Is.True);
        Assert.That(packet.Length % 4, Is.Zero, "chunks are padded to 4 bytes");
        var reader = new SctpChunkReader(packet.AsSpan(12));
        Assert.That(reader.TryReadNext(out var chunk), Is.True);
        Assert.That(DataChunk.TryParse(chunk, out var data), Is.True);
        Assert.That((data.Tsn, data.StreamId, data.Ssn, data.Ppid, data.Beginning, data.Ending, data.Unordered), Is.EqualTo((77u, (ushort)9, (ushort)3, 53u, true, true, false)));
        Assert.That(data.Payload.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3, 4, 5 }));
        Assert.That(reader.TryReadNext(out _), Is.False);
        Assert.That(reader.Malformed, Is.False);
    }

    [Test]
    public void VerifyChecksum_FlippedBit_Fails()
    {
        var packet = BuildDataPacket(1, 1, 0, 0, 51, [9]);
        packet[^1] ^= 0x10;
        Assert.That(SctpPacket.VerifyChecksum(packet), Is.False);
    }

    [Test]
    public void Checksum_IsStoredLittleEndianCrc32cOverZeroedField()
    {
        var packet = BuildDataPacket(1, 1, 0, 0, 51, [9]);
        var copy = (byte[])packet.Clone();
        copy.AsSpan(8, 4).Clear();
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(packet.AsSpan(8)), Is.EqualTo(Crc32c.Compute(copy)));
    }

    [Test]
    public void ChunkReader_LengthBeyondPacket_ReportsMalformed()
    {
        var packet = BuildDataPacket(1, 1, 0, 0, 51, [1, 2, 3, 4]);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(14), 200);
        var reader = new SctpChunkReader(packet.AsSpan(12));
        Assert.That(reader.TryReadNext(out _), Is.False);
        Assert.That(reader.Malformed, Is.True);
    }

    [Test]
    public void ChunkReader_LengthBelowHeader_ReportsMalformed()
    {
        byte[] chunks = [0, 0, 0, 2, 0, 0, 0, 0];
        var reader = new SctpChunkReader(chunks);
        Assert.That(reader.TryReadNext(out _), Is.False);
        Assert.That(reader.Malformed, Is.True);
    }

    [Test]
    public void DataChunk_WithoutUserData_IsRejected()
    {
        byte[] value = new byte[12];
        Assert.That(DataChunk.TryParse(new SctpChunk(0, 3, value), out _), Is.False);
    }

    [Test]
    public void InitChunk_WriteThenParse_KeepsFieldsAndExtensions()
    {
        var buffer = new byte[200];
        var writer = new SctpPacketWriter(buffer, 5000, 5000, 0);
        InitChunk.Write(ref writer, SctpChunkType.InitAck, 0xAABBCCDD, 131072, 1024, 2048, 12345, [1, 2, 3]);
        var length = writer.Finish();
        var reader = new SctpChunkReader(buffer.AsSpan(12, length - 12));
        Assert.That(reader.TryReadNext(out var chunk), Is.True);
        Assert.That(chunk.Type, Is.EqualTo(SctpChunkType.InitAck));
        Assert.That(InitChunk.TryParse(chunk.Value, out var init), Is.True);
        Assert.That((init.InitiateTag, init.AdvertisedReceiverWindow, init.OutboundStreams, init.InboundStreams, init.InitialTsn), Is.EqualTo((0xAABBCCDDu, 131072u, (ushort)1024, (ushort)2048, 12345u)));
        Assert.That(init.StateCookie.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3 }));
        Assert.That(init.SupportsForwardTsn && init.SupportsReconfig, Is.True);
    }

    [Test]
    public void InitChunk_ZeroInitiateTag_IsRejected()
    {
        var value = new byte[16];
        BinaryPrimitives.WriteUInt16BigEndian(value.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt16BigEndian(value.AsSpan(10), 1);
        Assert.That(InitChunk.TryParse(value, out _), Is.False, "RFC 9260 §3.3.2: the Initiate Tag must not be 0");
    }

    [Test]
    public void SackChunk_CountsBeyondValue_AreRejected()
    {
        var value = new byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(value.AsSpan(8), 3);
        Assert.That(SackChunk.TryParse(value, out _), Is.False);
    }

    [Test]
    public void SackChunk_GapBlocksAndDuplicates_AreRead()
    {
        byte[] value = [0, 0, 0, 10, 0, 1, 0, 0, 0, 2, 0, 1, 0, 2, 0, 3, 0, 5, 0, 5, 0, 0, 0, 9];
        Assert.That(SackChunk.TryParse(value, out var sack), Is.True);
        Assert.That((sack.CumulativeTsnAck, sack.AdvertisedReceiverWindow, sack.GapBlockCount, sack.DuplicateCount), Is.EqualTo((10u, 65536u, 2, 1)));
        Assert.That(sack.GetGapBlock(0), Is.EqualTo(((ushort)2, (ushort)3)));
        Assert.That(sack.GetGapBlock(1), Is.EqualTo(((ushort)5, (ushort)5)));
        Assert.That(sack.GetDuplicate(0), Is.EqualTo(9u));
    }

    [Test]
    public void ForwardTsnChunk_OddLength_IsRejected()
    {
        Assert.That(ForwardTsnChunk.TryParse(new byte[6], out _), Is.False);
        Assert.That(ForwardTsnChunk.TryParse([0, 0, 0, 7, 0, 1, 0, 2], out var forward), Is.True);
        Assert.That((forward.NewCumulativeTsn, forward.StreamCount, forward.GetStream(0)), Is.EqualTo((7u, 1, ((ushort)1, (ushort)2))));
    }

    [Test]
    public void StateCookie_Tampered_FailsVerification()
    {
        var key = new byte[32];
        new Random(1).NextBytes(key);
        var cookie = new SctpStateCookie(1, 2, 3, 4, 5, 6, true, false, 99);
        var bytes = new byte[SctpStateCookie.Length];
        cookie.Write(bytes, key);
        Assert.That(SctpStateCookie.TryRead(bytes, key, out var read), Is.True);
        Assert.That(read, Is.EqualTo(cookie));
        for (var i = 0; i < bytes.Length; i++)
        {
            var copy = (byte[])bytes.Clone();
            copy[i] ^= 1;
            Assert.That(SctpStateCookie.TryRead(copy, key, out _), Is.False, $"byte {i}");
        }
    }

    [Test]
    public void SerialArithmetic_WrapsAround()
    {
        Assert.That(SctpSerial.Lt(0xFFFFFFF0u, 5u), Is.True);
        Assert.That(SctpSerial.Gt(5u, 0xFFFFFFF0u), Is.True);
        Assert.That(SctpSerial.Lt((ushort)65530, (ushort)3), Is.True);
        Assert.That(SctpSerial.Le(7u, 7u), Is.True);
    }
}
