using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>A DATA chunk view (RFC 9260 §3.3.1).</summary>
/// <remarks>
/// <code>
/// | Type = 0 | Reserved|U|B|E | Length |
/// | TSN | Stream Identifier S | Stream Sequence Number n | Payload Protocol Identifier | User Data |
/// </code>
/// </remarks>
internal readonly ref struct DataChunk
{
    public const byte FlagEnding = 0x01;
    public const byte FlagBeginning = 0x02;
    public const byte FlagUnordered = 0x04;
    public const byte FlagImmediate = 0x08;

    /// <summary>Chunk header plus the fixed DATA fields.</summary>
    public const int HeaderLength = 16;

    private DataChunk(byte flags, uint tsn, ushort streamId, ushort ssn, uint ppid, ReadOnlySpan<byte> payload)
    {
        Flags = flags;
        Tsn = tsn;
        StreamId = streamId;
        Ssn = ssn;
        Ppid = ppid;
        Payload = payload;
    }

    public byte Flags { get; }

    public uint Tsn { get; }

    public ushort StreamId { get; }

    public ushort Ssn { get; }

    public uint Ppid { get; }

    public ReadOnlySpan<byte> Payload { get; }

    public bool Beginning => (Flags & FlagBeginning) != 0;

    public bool Ending => (Flags & FlagEnding) != 0;

    public bool Unordered => (Flags & FlagUnordered) != 0;

    /// <summary>Parses the value of a DATA chunk; false when it is shorter than the fixed fields or carries no data.</summary>
    public static bool TryParse(in SctpChunk chunk, out DataChunk data)
    {
        var v = chunk.Value;
        if (v.Length <= 12)
        {
            // RFC 9260 §6.2: a DATA chunk with no user data is a protocol error ("No User Data").
            data = default;
            return false;
        }

        data = new DataChunk(
            chunk.Flags,
            BinaryPrimitives.ReadUInt32BigEndian(v),
            BinaryPrimitives.ReadUInt16BigEndian(v[4..]),
            BinaryPrimitives.ReadUInt16BigEndian(v[6..]),
            BinaryPrimitives.ReadUInt32BigEndian(v[8..]),
            v[12..]);
        return true;
    }

    /// <summary>Writes one DATA chunk.</summary>
    public static void Write(ref SctpPacketWriter writer, byte flags, uint tsn, ushort streamId, ushort ssn, uint ppid, scoped ReadOnlySpan<byte> payload)
    {
        writer.BeginChunk(SctpChunkType.Data, flags);
        writer.WriteUInt32(tsn);
        writer.WriteUInt16(streamId);
        writer.WriteUInt16(ssn);
        writer.WriteUInt32(ppid);
        writer.WriteBytes(payload);
        writer.EndChunk();
    }
}
