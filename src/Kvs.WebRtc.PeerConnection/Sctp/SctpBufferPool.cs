using System.Buffers;

namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>
/// Payload buffers of one association, shared by its send queue and its reassembly. Buffers of up to one chunk payload
/// come from a capped free list (the shared pool keeps only a few arrays per size, far fewer than the thousands of
/// small messages a window holds); larger ones from <see cref="ArrayPool{T}.Shared"/>.
/// </summary>
internal sealed class SctpBufferPool
{
    private const int MaxPooledSmallBuffers = 4096;

    private readonly Stack<byte[]> _small = new();
    private readonly int _smallLength;

    /// <param name="smallLength">Length of the pooled small buffers (the largest chunk payload).</param>
    public SctpBufferPool(int smallLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(smallLength, 1);
        _smallLength = smallLength;
    }

    /// <summary>Small buffers waiting for reuse.</summary>
    public int PooledSmallBuffers => _small.Count;

    /// <summary>A buffer of at least <paramref name="length"/> bytes.</summary>
    public byte[] Rent(int length)
    {
        if (length <= _smallLength)
        {
            return _small.Count > 0 ? _small.Pop() : new byte[_smallLength];
        }

        return ArrayPool<byte>.Shared.Rent(length);
    }

    /// <summary>Gives back a buffer from <see cref="Rent"/> (an empty array is ignored).</summary>
    public void Return(byte[] buffer)
    {
        if (buffer.Length == _smallLength)
        {
            if (_small.Count < MaxPooledSmallBuffers)
            {
                _small.Push(buffer);
            }
        }
        else if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
