using System.Buffers;
using System.Buffers.Binary;
using Kvs.WebRtc.PeerConnection.Stun;

namespace Kvs.WebRtc.PeerConnection.Turn;

/// <summary>
/// Cuts STUN messages and ChannelData messages out of a TCP/TLS byte stream, by their length fields, in a bounded
/// buffer. Single-threaded.
/// </summary>
/// <remarks>
/// RFC 8656 §12.5 / RFC 8489 §6.2.2: over a stream, STUN messages are self-delimiting (20 + length) and ChannelData
/// messages are padded to a multiple of 4. The first two bits tell them apart: 0b00 STUN, 0b01 ChannelData.
/// </remarks>
internal sealed class TurnStreamFramer
{
    private readonly byte[] _buffer;
    private int _start;
    private int _end;

    /// <summary>Creates a framer whose buffer holds <paramref name="capacity"/> bytes (the largest accepted frame).</summary>
    public TurnStreamFramer(int capacity = 4 + 0xFFFF + 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, StunMessage.HeaderSize);
        _buffer = new byte[capacity];
    }

    /// <summary>Room for the next read from the stream (compacts first). Empty only when a frame is too large (then <see cref="TryReadFrame"/> reports it).</summary>
    public Memory<byte> GetReadBuffer()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        return _buffer.AsMemory(_end);
    }

    /// <summary>Records that <paramref name="count"/> bytes were read into <see cref="GetReadBuffer"/>.</summary>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _end);
        _end += count;
    }

    /// <summary>Copies bytes in (for tests and for callers that do not read into <see cref="GetReadBuffer"/>).</summary>
    /// <returns>How many bytes were taken (fewer than offered when the buffer is full).</returns>
    public int Write(ReadOnlySpan<byte> bytes)
    {
        var room = GetReadBuffer().Span;
        var take = Math.Min(room.Length, bytes.Length);
        bytes[..take].CopyTo(room);
        _end += take;
        return take;
    }

    /// <summary>
    /// The next whole frame: <see cref="OperationStatus.Done"/> with the frame (valid until the next call of any
    /// method), <see cref="OperationStatus.NeedMoreData"/>, or <see cref="OperationStatus.InvalidData"/> when the
    /// stream is not STUN/ChannelData or a frame exceeds the buffer (the connection should then be closed).
    /// </summary>
    public OperationStatus TryReadFrame(out ReadOnlySpan<byte> frame)
    {
        var status = TryReadFrameMemory(out var memory);
        frame = memory.Span;
        return status;
    }

    /// <summary>As <see cref="TryReadFrame"/>, as memory (for async callers).</summary>
    public OperationStatus TryReadFrameMemory(out ReadOnlyMemory<byte> frame)
    {
        frame = default;
        var available = _buffer.AsSpan(_start, _end - _start);
        if (available.Length < 4)
        {
            return OperationStatus.NeedMoreData;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(available[2..]);
        int size;
        switch (available[0] >> 6)
        {
            case 0:
                if ((length & 3) != 0)
                {
                    return OperationStatus.InvalidData;
                }

                size = StunMessage.HeaderSize + length;
                break;
            case 1:
                size = TurnChannelData.HeaderSize + ((length + 3) & ~3);
                break;
            default:
                return OperationStatus.InvalidData;
        }

        if (size > _buffer.Length)
        {
            return OperationStatus.InvalidData;
        }

        if (available.Length < size)
        {
            return OperationStatus.NeedMoreData;
        }

        frame = _buffer.AsMemory(_start, size);
        _start += size;
        if (_start == _end)
        {
            _start = 0;
            _end = 0;
        }

        return OperationStatus.Done;
    }
}
