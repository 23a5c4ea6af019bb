namespace Kvs.WebRtc.PeerConnection.Rtp;

/// <summary>
/// Walks the elements of an RFC 8285 header-extension block: the one-byte form (§4.2: 4-bit id, 4-bit length − 1,
/// id 15 stops the walk) or the two-byte form (§4.3: 8-bit id, 8-bit length, empty values allowed). Zero bytes
/// between elements are padding and are skipped. Never reads past the block; a truncated element ends the walk
/// with <see cref="IsMalformed"/> set.
/// </summary>
internal ref struct RtpHeaderExtensionReader
{
    private readonly ReadOnlySpan<byte> _block;
    private readonly bool _twoByte;
    private int _offset;

    /// <summary>Creates a reader over the extension elements <paramref name="block"/> (after the 4-byte extension header).</summary>
    public RtpHeaderExtensionReader(ReadOnlySpan<byte> block, bool twoByte)
    {
        _block = block;
        _twoByte = twoByte;
        _offset = 0;
        IsMalformed = false;
    }

    /// <summary>True when the walk stopped at an element that runs past the block.</summary>
    public bool IsMalformed { get; private set; }

    /// <summary>Reads the next element; false at the end of the block, at a one-byte id 15, or at a malformed element.</summary>
    public bool TryReadNext(out int id, out ReadOnlySpan<byte> value)
    {
        id = 0;
        value = default;
        while (_offset < _block.Length)
        {
            var b = _block[_offset];
            if (b == 0)
            {
                _offset++;
                continue;
            }

            int length;
            int start;
            if (_twoByte)
            {
                if (_offset + 2 > _block.Length)
                {
                    return Stop(malformed: true);
                }

                id = b;
                length = _block[_offset + 1];
                start = _offset + 2;
            }
            else
            {
                id = b >> 4;
                if (id == 15)
                {
                    return Stop(malformed: false);
                }

                length = (b & 0x0F) + 1;
                start = _offset + 1;
            }

            if (length > _block.Length - start)
            {
                id = 0;
                return Stop(malformed: true);
            }

            value = _block.Slice(start, length);
            _offset = start + length;
            return true;
        }

        return false;
    }

    private bool Stop(bool malformed)
    {
        IsMalformed = malformed;
        _offset = _block.Length;
        return false;
    }
}
