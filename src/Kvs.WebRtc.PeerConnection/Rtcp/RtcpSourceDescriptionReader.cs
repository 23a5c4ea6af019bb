using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Rtcp;

/// <summary>
/// Walks SDES chunks (RFC 3550 §6.5): per chunk an SSRC/CSRC, items (type, length, text) up to a zero type byte, then
/// zero padding to the next 32-bit boundary. Returns each chunk's CNAME (empty when it has none); other items are skipped.
/// Stops with <see cref="IsMalformed"/> when an item or chunk runs past the packet.
/// </summary>
internal ref struct RtcpSourceDescriptionReader
{
    private readonly ReadOnlySpan<byte> _chunks;
    private int _remaining;
    private int _offset;

    /// <summary>Creates a reader over the bytes after the SDES header, for <paramref name="chunkCount"/> chunks.</summary>
    public RtcpSourceDescriptionReader(ReadOnlySpan<byte> chunks, int chunkCount)
    {
        _chunks = chunks;
        _remaining = chunkCount;
        _offset = 0;
        IsMalformed = false;
    }

    /// <summary>True when the walk stopped at a truncated chunk or item.</summary>
    public bool IsMalformed { get; private set; }

    /// <summary>Reads the next chunk; false after the last one or at malformed bytes.</summary>
    public bool TryReadNext(out uint ssrc, out ReadOnlySpan<byte> cname)
    {
        ssrc = 0;
        cname = default;
        if (_remaining <= 0 || IsMalformed)
        {
            return false;
        }

        if (_offset + 4 > _chunks.Length)
        {
            return Fail();
        }

        ssrc = BinaryPrimitives.ReadUInt32BigEndian(_chunks[_offset..]);
        var offset = _offset + 4;
        while (true)
        {
            if (offset >= _chunks.Length)
            {
                ssrc = 0;
                cname = default;
                return Fail();
            }

            var type = _chunks[offset];
            if (type == 0)
            {
                // END: skip to the next 32-bit boundary (chunks start aligned relative to the packet).
                offset = RtcpHeader.Align(offset + 1);
                break;
            }

            if (offset + 2 > _chunks.Length || offset + 2 + _chunks[offset + 1] > _chunks.Length)
            {
                ssrc = 0;
                cname = default;
                return Fail();
            }

            var length = _chunks[offset + 1];
            if (type == RtcpSourceDescription.CnameItem && cname.IsEmpty)
            {
                cname = _chunks.Slice(offset + 2, length);
            }

            offset += 2 + length;
        }

        if (offset > _chunks.Length)
        {
            ssrc = 0;
            cname = default;
            return Fail();
        }

        _offset = offset;
        _remaining--;
        return true;
    }

    private bool Fail()
    {
        IsMalformed = true;
        _remaining = 0;
        return false;
    }
}
