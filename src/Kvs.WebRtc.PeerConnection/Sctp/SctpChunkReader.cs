using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>Walks the chunks after the common header of a packet (RFC 9260 §3.2) without copying.</summary>
internal ref struct SctpChunkReader
{
    private ReadOnlySpan<byte> _remaining;

    public SctpChunkReader(ReadOnlySpan<byte> chunks)
    {
        _remaining = chunks;
        Malformed = false;
    }

    /// <summary>Set when the walk stopped at a chunk whose length field does not fit the packet.</summary>
    public bool Malformed { get; private set; }

    public bool TryReadNext(out SctpChunk chunk)
    {
        chunk = default;
        if (_remaining.IsEmpty)
        {
            return false;
        }

        if (_remaining.Length < SctpPacket.ChunkHeaderLength)
        {
            Malformed = true;
            _remaining = default;
            return false;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(_remaining[2..]);
        if (length < SctpPacket.ChunkHeaderLength || length > _remaining.Length)
        {
            Malformed = true;
            _remaining = default;
            return false;
        }

        chunk = new SctpChunk(_remaining[0], _remaining[1], _remaining[SctpPacket.ChunkHeaderLength..length]);
        var padded = SctpPacket.Pad4(length);
        _remaining = padded >= _remaining.Length ? default : _remaining[padded..];
        return true;
    }
}
