using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>A growable big-endian writer for handshake messages (handshake path only; allocations there are fine).</summary>
internal sealed class DtlsWriter
{
    private byte[] _buffer = new byte[256];

    /// <summary>Bytes written.</summary>
    public int Length { get; private set; }

    /// <summary>The written bytes.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, Length);

    public byte[] ToArray() => WrittenSpan.ToArray();

    public void WriteByte(byte value) => Reserve(1)[0] = value;

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Reserve(2), value);

    public void WriteUInt24(int value)
    {
        var span = Reserve(3);
        span[0] = (byte)(value >> 16);
        span[1] = (byte)(value >> 8);
        span[2] = (byte)value;
    }

    public void WriteBytes(ReadOnlySpan<byte> value) => value.CopyTo(Reserve(value.Length));

    /// <summary>Starts a vector whose length prefix of <paramref name="prefixBytes"/> bytes is filled by <see cref="EndVector"/>.</summary>
    public int BeginVector(int prefixBytes)
    {
        var start = Length;
        Reserve(prefixBytes).Clear();
        return start;
    }

    /// <summary>Writes the length of the vector begun at <paramref name="start"/>.</summary>
    public void EndVector(int start, int prefixBytes)
    {
        var length = Length - start - prefixBytes;
        var span = _buffer.AsSpan(start, prefixBytes);
        for (var i = prefixBytes - 1; i >= 0; i--)
        {
            span[i] = (byte)length;
            length >>= 8;
        }
    }

    private Span<byte> Reserve(int count)
    {
        if (Length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + count));
        }

        var span = _buffer.AsSpan(Length, count);
        Length += count;
        return span;
    }
}
