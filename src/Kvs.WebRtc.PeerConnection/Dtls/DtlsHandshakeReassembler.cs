namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>
/// Reassembles fragmented handshake messages (RFC 6347 §4.2.3) for the next few message_seq values. Memory is capped:
/// at most <see cref="Window"/> messages are buffered, each at most <see cref="MaxMessageLength"/> bytes; fragments
/// outside the window, inconsistent with earlier fragments, or past a message's length are dropped.
/// </summary>
internal sealed class DtlsHandshakeReassembler
{
    /// <summary>Messages buffered ahead of the next expected one.</summary>
    public const int Window = 8;

    /// <summary>Largest handshake message accepted (a certificate chain fits comfortably).</summary>
    public const int MaxMessageLength = 16 * 1024;

    private readonly Entry?[] _slots = new Entry?[Window];

    /// <summary>Outcome of adding a fragment.</summary>
    public enum Result
    {
        /// <summary>Buffered (possibly completing the message).</summary>
        Accepted,

        /// <summary>For a message already processed: the peer is retransmitting its previous flight.</summary>
        Old,

        /// <summary>Dropped: too far ahead, too large, or inconsistent.</summary>
        Dropped,
    }

    /// <summary>Adds a fragment of message <paramref name="sequence"/> when <paramref name="nextSequence"/> is the next expected.</summary>
    public Result Add(int nextSequence, byte type, int length, int sequence, int offset, ReadOnlySpan<byte> fragment, ushort epoch)
    {
        if (sequence < nextSequence)
        {
            return Result.Old;
        }

        if (sequence >= nextSequence + Window || length > MaxMessageLength || offset + fragment.Length > length)
        {
            return Result.Dropped;
        }

        ref var slot = ref _slots[sequence % Window];
        if (slot is null || slot.Sequence != sequence)
        {
            slot = new Entry(sequence, type, length, epoch);
        }
        else if (slot.Type != type || slot.Length != length)
        {
            return Result.Dropped;
        }

        slot.Add(offset, fragment);
        return Result.Accepted;
    }

    /// <summary>Removes and returns message <paramref name="sequence"/> if all of it arrived.</summary>
    public bool TryTake(int sequence, out byte type, out byte[] body, out ushort epoch)
    {
        ref var slot = ref _slots[sequence % Window];
        if (slot is null || slot.Sequence != sequence || !slot.IsComplete)
        {
            type = 0;
            body = [];
            epoch = 0;
            return false;
        }

        type = slot.Type;
        body = slot.Body;
        epoch = slot.Epoch;
        slot = null;
        return true;
    }

    /// <summary>Forgets everything buffered.</summary>
    public void Clear() => Array.Clear(_slots);

    private sealed class Entry(int sequence, byte type, int length, ushort epoch)
    {
        private readonly bool[] _have = new bool[length];
        private int _received;

        public int Sequence { get; } = sequence;

        public byte Type { get; } = type;

        public int Length { get; } = length;

        public ushort Epoch { get; } = epoch;

        public byte[] Body { get; } = new byte[length];

        public bool IsComplete => _received == Length;

        public void Add(int offset, ReadOnlySpan<byte> fragment)
        {
            fragment.CopyTo(Body.AsSpan(offset));
            for (var i = 0; i < fragment.Length; i++)
            {
                if (!_have[offset + i])
                {
                    _have[offset + i] = true;
                    _received++;
                }
            }
        }
    }
}
