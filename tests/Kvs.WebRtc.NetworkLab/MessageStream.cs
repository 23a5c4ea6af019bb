namespace Kvs.WebRtc.NetworkLab;

/// <summary>
/// The messages of one direction and their checker. Message i: 4-byte index, 4-byte length, then bytes
/// <c>(i * 31 + j) &amp; 0xff</c>; sizes are drawn from a seeded generator, mostly small with about one in ten large.
/// </summary>
internal sealed class MessageStream
{
    private readonly int[] _sizes;
    private readonly object _sync = new();
    private int _next;

    public MessageStream(int count, int maxSize, int seed)
    {
        var random = new Random(seed);
        _sizes = new int[count];
        for (var i = 0; i < count; i++)
        {
            _sizes[i] = random.Next(10) == 0 ? random.Next(maxSize / 4, maxSize + 1) : random.Next(8, Math.Min(2048, maxSize) + 1);
        }
    }

    public int Count => _sizes.Length;

    public long TotalBytes => _sizes.Sum(s => (long)s);

    /// <summary>Messages received in sequence so far.</summary>
    public int Delivered
    {
        get
        {
            lock (_sync)
            {
                return _next;
            }
        }
    }

    public int Duplicates { get; private set; }

    public int OutOfOrder { get; private set; }

    public int Corrupt { get; private set; }

    public int Received { get; private set; }

    public byte[] Build(int index)
    {
        var buffer = new byte[_sizes[index]];
        BitConverter.TryWriteBytes(buffer, index);
        BitConverter.TryWriteBytes(buffer.AsSpan(4), buffer.Length);
        for (var j = 8; j < buffer.Length; j++)
        {
            buffer[j] = (byte)((index * 31) + j);
        }

        return buffer;
    }

    /// <summary>Checks one received message; returns true when the whole stream has been delivered.</summary>
    public bool Accept(ReadOnlySpan<byte> message)
    {
        lock (_sync)
        {
            Received++;
            if (message.Length < 8)
            {
                Corrupt++;
                return false;
            }

            var index = BitConverter.ToInt32(message);
            var length = BitConverter.ToInt32(message[4..]);
            if (index < 0 || index >= _sizes.Length || length != message.Length || length != _sizes[index] || !PatternHolds(index, message))
            {
                Corrupt++;
                return false;
            }

            if (index < _next)
            {
                Duplicates++;
            }
            else if (index > _next)
            {
                OutOfOrder++;
                _next = index + 1;
            }
            else
            {
                _next++;
            }

            return _next == _sizes.Length;
        }
    }

    private static bool PatternHolds(int index, ReadOnlySpan<byte> message)
    {
        for (var j = 8; j < message.Length; j++)
        {
            if (message[j] != (byte)((index * 31) + j))
            {
                return false;
            }
        }

        return true;
    }
}
