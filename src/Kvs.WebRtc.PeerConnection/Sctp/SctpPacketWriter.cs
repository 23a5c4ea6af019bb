using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>Appends chunks to a packet being built in caller memory (RFC 9260 §3); pads every chunk to 4 bytes.</summary>
internal ref struct SctpPacketWriter
{
    private readonly Span<byte> _buffer;
    private int _chunkStart;

    public SctpPacketWriter(Span<byte> buffer, ushort sourcePort, ushort destinationPort, uint verificationTag)
    {
        _buffer = buffer;
        SctpPacket.WriteHeader(buffer, sourcePort, destinationPort, verificationTag);
        Position = SctpPacket.CommonHeaderLength;
        _chunkStart = -1;
        ChunkCount = 0;
    }

    public int Position { get; private set; }

    public int ChunkCount { get; private set; }

    public readonly int Remaining => _buffer.Length - Position;

    public readonly bool HasChunks => ChunkCount > 0;

    public void BeginChunk(SctpChunkType type, byte flags)
    {
        _chunkStart = Position;
        _buffer[Position] = (byte)type;
        _buffer[Position + 1] = flags;
        Position += SctpPacket.ChunkHeaderLength;
    }

    public void EndChunk()
    {
        var length = Position - _chunkStart;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[(_chunkStart + 2)..], (ushort)length);
        var padded = SctpPacket.Pad4(length);
        _buffer.Slice(Position, padded - length).Clear();
        Position = _chunkStart + padded;
        _chunkStart = -1;
        ChunkCount++;
    }

    public void WriteByte(byte value) => _buffer[Position++] = value;

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[Position..], value);
        Position += 2;
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_buffer[Position..], value);
        Position += 4;
    }

    public void WriteBytes(scoped ReadOnlySpan<byte> value)
    {
        value.CopyTo(_buffer[Position..]);
        Position += value.Length;
    }

    /// <summary>Reserves <paramref name="length"/> bytes to fill in later and returns them.</summary>
    public Span<byte> Reserve(int length)
    {
        var span = _buffer.Slice(Position, length);
        Position += length;
        return span;
    }

    /// <summary>Writes a TLV parameter (or error cause) padded to 4 bytes.</summary>
    public void WriteParameter(ushort type, scoped ReadOnlySpan<byte> value)
    {
        WriteUInt16(type);
        WriteUInt16((ushort)(4 + value.Length));
        WriteBytes(value);
        var pad = SctpPacket.Pad4(value.Length) - value.Length;
        _buffer.Slice(Position, pad).Clear();
        Position += pad;
    }

    /// <summary>Finishes the packet (checksum) and returns its length.</summary>
    public readonly int Finish()
    {
        SctpPacket.WriteChecksum(_buffer[..Position]);
        return Position;
    }
}
