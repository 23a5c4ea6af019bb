using System.Buffers;

namespace Kvs.WebRtc.Signaling.Auth;

/// <summary>
/// A growable byte buffer (a mutable struct: always pass it by ref) rented from <see cref="ArrayPool{T}.Shared"/>. Offsets into it stay valid when it grows.
/// <see cref="Dispose"/> clears the written bytes (they may contain a session token) and returns the array.
/// </summary>
internal struct PooledByteBuffer
{
    private byte[] _array;
    private int _length;

    public PooledByteBuffer(int initialCapacity)
    {
        _array = ArrayPool<byte>.Shared.Rent(initialCapacity);
        _length = 0;
    }

    /// <summary>Number of bytes written so far.</summary>
    public readonly int Length => _length;

    /// <summary>The backing array; valid until the next append that grows the buffer.</summary>
    public readonly byte[] RawArray => _array;

    /// <summary>A written range.</summary>
    public readonly ReadOnlySpan<byte> Slice(int start, int length) => _array.AsSpan(start, length);

    /// <summary>Makes room for at least <paramref name="count"/> more bytes and returns the free space.</summary>
    public Span<byte> GetFreeSpan(int count)
    {
        if (_array.Length - _length < count)
        {
            Grow(count);
        }

        return _array.AsSpan(_length);
    }

    /// <summary>Commits <paramref name="count"/> bytes written into the span returned by <see cref="GetFreeSpan"/>.</summary>
    public void Advance(int count) => _length += count;

    /// <summary>Appends <paramref name="count"/> bytes and returns them for the caller to fill.</summary>
    public Span<byte> Reserve(int count)
    {
        var span = GetFreeSpan(count)[..count];
        _length += count;
        return span;
    }

    public void Append(byte value)
    {
        if (_length == _array.Length)
        {
            Grow(1);
        }

        _array[_length++] = value;
    }

    /// <summary>Appends bytes that do not live in this buffer.</summary>
    public void Append(scoped ReadOnlySpan<byte> value)
    {
        value.CopyTo(GetFreeSpan(value.Length));
        _length += value.Length;
    }

    /// <summary>Appends a copy of an earlier range of this buffer.</summary>
    public void AppendCopy(int start, int length)
    {
        GetFreeSpan(length);
        _array.AsSpan(start, length).CopyTo(_array.AsSpan(_length));
        _length += length;
    }

    public void Dispose()
    {
        var array = _array;
        if (array is not null)
        {
            array.AsSpan(0, _length).Clear();
            _array = null!;
            _length = 0;
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    private void Grow(int needed)
    {
        var old = _array;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(old.Length * 2, _length + needed));
        old.AsSpan(0, _length).CopyTo(bigger);
        old.AsSpan(0, _length).Clear();
        _array = bigger;
        ArrayPool<byte>.Shared.Return(old);
    }
}
