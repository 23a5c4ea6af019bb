namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>
/// Reassembles a fragmented ClientHello for a server that is still stateless (before the cookie exchange, RFC 6347
/// §4.2.1, or before the ClientHello that starts the handshake). Browsers split large ClientHellos (Chromium's with
/// big key shares exceeds 1200 bytes) into handshake fragments in separate datagrams (RFC 6347 §4.2.3).
/// </summary>
/// <remarks>
/// Memory is bounded regardless of what arrives: at most <see cref="Slots"/> messages are assembled at once, each at
/// most <see cref="MaxMessageLength"/> bytes, in buffers allocated once and reused; a fragment of a new message
/// evicts the slot started longest ago. Nothing here is trusted: the assembled body still goes through the parser
/// and the cookie check, so conflicting overlapping fragments only yield a ClientHello that is dropped.
/// </remarks>
internal sealed class DtlsClientHelloAssembler
{
    /// <summary>Messages assembled concurrently (a real client has one ClientHello in flight).</summary>
    public const int Slots = 2;

    /// <summary>Largest ClientHello accepted in fragments; comfortably above post-quantum key shares.</summary>
    public const int MaxMessageLength = 8 * 1024;

    private readonly Slot[] _slots = [new(), new()];
    private long _generation;

    /// <summary>Messages partially assembled right now.</summary>
    public int BufferedMessages
    {
        get
        {
            var count = 0;
            foreach (var slot in _slots)
            {
                count += slot.InUse ? 1 : 0;
            }

            return count;
        }
    }

    /// <summary>
    /// Adds one fragment of a ClientHello with message_seq <paramref name="sequence"/> and total
    /// <paramref name="length"/>. When it completes the message, returns true with the body (valid until the next
    /// call) and the highest record sequence number that carried a fragment of it; the slot is then freed.
    /// </summary>
    /// <returns>False while the message is incomplete or when the fragment was dropped (see <paramref name="dropped"/>).</returns>
    public bool Add(int sequence, int length, int offset, ReadOnlySpan<byte> fragment, ulong recordSequence, out ReadOnlySpan<byte> body, out ulong lastRecordSequence, out bool dropped)
    {
        body = default;
        lastRecordSequence = 0;
        dropped = false;
        if (length <= 0 || length > MaxMessageLength || fragment.IsEmpty || offset < 0 || offset + fragment.Length > length)
        {
            dropped = true;
            return false;
        }

        Slot? target = null;
        foreach (var slot in _slots)
        {
            if (slot.InUse && slot.Sequence == sequence && slot.Length == length)
            {
                target = slot;
                break;
            }
        }

        if (target is null)
        {
            // A free slot, else the oldest: a stray fragment can displace at most one partial message.
            foreach (var slot in _slots)
            {
                if (target is null || !slot.InUse || (target.InUse && slot.Generation < target.Generation))
                {
                    target = slot;
                }
            }

            target!.Start(sequence, length, ++_generation);
        }

        target.Add(offset, fragment, recordSequence);
        if (!target.IsComplete)
        {
            return false;
        }

        body = target.Body;
        lastRecordSequence = target.LastRecordSequence;
        target.InUse = false;
        return true;
    }

    /// <summary>Forgets every partial message and frees the buffers (called once the handshake has started).</summary>
    public void Clear()
    {
        foreach (var slot in _slots)
        {
            slot.Release();
        }
    }

    private sealed class Slot
    {
        private byte[]? _buffer;
        private ulong[]? _have;
        private int _received;

        public bool InUse { get; set; }

        public int Sequence { get; private set; }

        public int Length { get; private set; }

        public long Generation { get; private set; }

        public ulong LastRecordSequence { get; private set; }

        public bool IsComplete => _received == Length;

        public ReadOnlySpan<byte> Body => _buffer.AsSpan(0, Length);

        public void Start(int sequence, int length, long generation)
        {
            // Allocated on first use only, then reused: the bound is Slots x (MaxMessageLength + bitmap).
            _buffer ??= new byte[MaxMessageLength];
            _have ??= new ulong[MaxMessageLength / 64];
            Array.Clear(_have);
            _received = 0;
            Sequence = sequence;
            Length = length;
            Generation = generation;
            LastRecordSequence = 0;
            InUse = true;
        }

        public void Release()
        {
            InUse = false;
            _buffer = null;
            _have = null;
        }

        public void Add(int offset, ReadOnlySpan<byte> fragment, ulong recordSequence)
        {
            fragment.CopyTo(_buffer.AsSpan(offset));
            for (var i = offset; i < offset + fragment.Length; i++)
            {
                var mask = 1UL << (i & 63);
                if ((_have![i >> 6] & mask) == 0)
                {
                    _have[i >> 6] |= mask;
                    _received++;
                }
            }

            LastRecordSequence = Math.Max(LastRecordSequence, recordSequence);
        }
    }
}
