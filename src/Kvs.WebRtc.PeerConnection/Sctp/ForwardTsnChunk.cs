using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>A FORWARD-TSN chunk view (RFC 3758 §3.2): new cumulative TSN plus (stream, SSN) pairs.</summary>
internal readonly ref struct ForwardTsnChunk
{
    private readonly ReadOnlySpan<byte> _streams;

    private ForwardTsnChunk(uint newCumulativeTsn, ReadOnlySpan<byte> streams)
    {
        NewCumulativeTsn = newCumulativeTsn;
        _streams = streams;
    }

    public uint NewCumulativeTsn { get; }

    public int StreamCount => _streams.Length / 4;

    public (ushort StreamId, ushort Ssn) GetStream(int index) =>
        (BinaryPrimitives.ReadUInt16BigEndian(_streams[(index * 4)..]), BinaryPrimitives.ReadUInt16BigEndian(_streams[((index * 4) + 2)..]));

    public static bool TryParse(ReadOnlySpan<byte> value, out ForwardTsnChunk chunk)
    {
        if (value.Length < 4 || (value.Length - 4) % 4 != 0)
        {
            chunk = default;
            return false;
        }

        chunk = new ForwardTsnChunk(BinaryPrimitives.ReadUInt32BigEndian(value), value[4..]);
        return true;
    }

    /// <summary>Bytes a FORWARD-TSN with <paramref name="streamCount"/> stream entries takes in a packet.</summary>
    public static int WrittenLength(int streamCount) => SctpPacket.ChunkHeaderLength + 4 + (4 * streamCount);

    /// <summary>Writes a FORWARD-TSN chunk with the (stream, SSN) entries given.</summary>
    public static void Write(ref SctpPacketWriter writer, uint newCumulativeTsn, scoped ReadOnlySpan<(ushort StreamId, ushort Ssn)> streams)
    {
        writer.BeginChunk(SctpChunkType.ForwardTsn, 0);
        writer.WriteUInt32(newCumulativeTsn);
        foreach (var (streamId, ssn) in streams)
        {
            writer.WriteUInt16(streamId);
            writer.WriteUInt16(ssn);
        }

        writer.EndChunk();
    }
}
