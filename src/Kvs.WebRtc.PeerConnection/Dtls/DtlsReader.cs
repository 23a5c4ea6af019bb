using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>A bounds-checked big-endian reader over handshake bytes: every read returns false instead of reading past the input.</summary>
internal ref struct DtlsReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public DtlsReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    /// <summary>Bytes not yet read.</summary>
    public readonly int Remaining => _data.Length - _position;

    public bool TryReadByte(out byte value)
    {
        if (Remaining < 1)
        {
            value = 0;
            return false;
        }

        value = _data[_position++];
        return true;
    }

    public bool TryReadUInt16(out ushort value)
    {
        if (Remaining < 2)
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt16BigEndian(_data[_position..]);
        _position += 2;
        return true;
    }

    public bool TryReadUInt24(out int value)
    {
        if (Remaining < 3)
        {
            value = 0;
            return false;
        }

        value = (_data[_position] << 16) | (_data[_position + 1] << 8) | _data[_position + 2];
        _position += 3;
        return true;
    }

    public bool TryReadBytes(int count, out ReadOnlySpan<byte> value)
    {
        if (count < 0 || Remaining < count)
        {
            value = default;
            return false;
        }

        value = _data.Slice(_position, count);
        _position += count;
        return true;
    }

    /// <summary>Reads a vector with a 1-byte length prefix.</summary>
    public bool TryReadVector8(out ReadOnlySpan<byte> value)
    {
        value = default;
        return TryReadByte(out var length) && TryReadBytes(length, out value);
    }

    /// <summary>Reads a vector with a 2-byte length prefix.</summary>
    public bool TryReadVector16(out ReadOnlySpan<byte> value)
    {
        value = default;
        return TryReadUInt16(out var length) && TryReadBytes(length, out value);
    }

    /// <summary>Reads a vector with a 3-byte length prefix.</summary>
    public bool TryReadVector24(out ReadOnlySpan<byte> value)
    {
        value = default;
        return TryReadUInt24(out var length) && TryReadBytes(length, out value);
    }
}
