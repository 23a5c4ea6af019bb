namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>
/// The send queue of an association: messages accepted by <c>Send</c> and not yet cut into DATA chunks, the outbound
/// streams (next SSN, bufferedAmount and its low threshold, the reset gate) and the message and chunk free lists.
/// </summary>
/// <remarks>
/// <para>Scheduling is one FIFO over all streams: messages leave in the order they were queued, whatever their stream.
/// Each message is cut into chunks of at most the largest DATA payload; the association asks for the next chunk with
/// <see cref="TryTakeChunk"/> and a byte budget, gives it a TSN and writes it. The queue knows nothing of TSNs, SACKs,
/// windows or timers: chunks come back through <see cref="ReleaseChunk"/> once acknowledged.</para>
/// <para><see cref="SctpEventKind.BufferedAmountLow"/> events go to the association's event queue passed in.
/// See <c>docs/architecture.md</c>, "SCTP pieces".</para>
/// </remarks>
internal sealed class SctpSendQueue
{
    private const int MaxPooledMessages = 1024;
    private const int MaxPooledChunks = 8192;

    private readonly Queue<SctpOutboundMessage> _pending = new();
    private readonly Dictionary<ushort, SctpOutboundStream> _streams = [];
    private readonly Stack<SctpOutboundMessage> _messagePool = new();
    private readonly Stack<SctpOutboundChunk> _chunkPool = new();
    private readonly SctpBufferPool _buffers;
    private readonly Queue<SctpEvent> _events;
    private readonly int _maxChunkPayload;
    private readonly long _maxBufferedAmount;

    /// <param name="buffers">Payload buffers (shared with the reassembly).</param>
    /// <param name="events">Where <see cref="SctpEventKind.BufferedAmountLow"/> events go.</param>
    /// <param name="maxChunkPayload">Largest DATA chunk payload: messages are fragmented at this size.</param>
    /// <param name="maxBufferedAmount">Cap on bytes queued and not yet sent over all streams.</param>
    public SctpSendQueue(SctpBufferPool buffers, Queue<SctpEvent> events, int maxChunkPayload, long maxBufferedAmount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChunkPayload, 1);
        _buffers = buffers;
        _events = events;
        _maxChunkPayload = maxChunkPayload;
        _maxBufferedAmount = maxBufferedAmount;
    }

    /// <summary>Bytes queued and not yet sent, over all streams.</summary>
    public long TotalBufferedAmount { get; private set; }

    /// <summary>Messages queued and not yet fully cut into chunks, over all streams.</summary>
    public int PendingMessageCount => _pending.Count;

    /// <summary>True when a message waits to be cut into chunks.</summary>
    public bool HasPending => _pending.Count > 0;

    /// <summary>Messages kept for reuse.</summary>
    internal int PooledMessages => _messagePool.Count;

    /// <summary>Chunks kept for reuse.</summary>
    internal int PooledChunks => _chunkPool.Count;

    /// <summary>
    /// Copies one message into the queue. Refuses it on a stream being reset (<see cref="SctpSendStatus.InvalidStream"/>)
    /// and when it would take the total over the cap (<see cref="SctpSendStatus.BufferFull"/>); the caller checks the
    /// rest (state, size, stream count).
    /// </summary>
    /// <param name="streamId">Stream (data channel id).</param>
    /// <param name="ppid">Payload protocol identifier.</param>
    /// <param name="data">The message, copied into a pooled buffer.</param>
    /// <param name="unordered">Unordered delivery (U bit): no SSN.</param>
    /// <param name="reliability">Partial reliability policy (lifetime, retransmission limit).</param>
    /// <param name="now">Current time: starts the lifetime of a timed message.</param>
    public SctpSendStatus Enqueue(ushort streamId, uint ppid, ReadOnlySpan<byte> data, bool unordered, SctpReliability reliability, TimeSpan now)
    {
        var stream = GetStream(streamId);
        if (stream.Resetting)
        {
            return SctpSendStatus.InvalidStream;
        }

        if (TotalBufferedAmount + data.Length > _maxBufferedAmount)
        {
            return SctpSendStatus.BufferFull;
        }

        var message = _messagePool.Count > 0 ? _messagePool.Pop() : new SctpOutboundMessage();
        message.Buffer = _buffers.Rent(data.Length);
        data.CopyTo(message.Buffer);
        message.Length = data.Length;
        message.Stream = stream;
        message.Ppid = ppid;
        message.Unordered = unordered;
        message.Ssn = 0;
        message.MaxRetransmits = reliability.MaxRetransmits;
        message.ExpiresAt = reliability.Lifetime is { } lifetime ? now + lifetime : TimeSpan.MaxValue;
        message.NextOffset = 0;
        message.ChunksOutstanding = 0;
        message.Abandoned = false;
        _pending.Enqueue(message);
        stream.PendingMessages++;
        stream.BufferedAmount += data.Length;
        TotalBufferedAmount += data.Length;
        return SctpSendStatus.Queued;
    }

    /// <summary>Bytes of <paramref name="streamId"/> queued and not yet sent once (W3C bufferedAmount).</summary>
    public long GetBufferedAmount(ushort streamId) =>
        _streams.TryGetValue(streamId, out var stream) ? stream.BufferedAmount : 0;

    /// <summary>Messages of <paramref name="streamId"/> queued and not yet fully cut into chunks.</summary>
    public int GetQueuedMessageCount(ushort streamId) =>
        _streams.TryGetValue(streamId, out var stream) ? stream.PendingMessages : 0;

    /// <summary>Sets the level at or below which a <see cref="SctpEventKind.BufferedAmountLow"/> event fires when crossed downwards.</summary>
    public void SetBufferedAmountLowThreshold(ushort streamId, long threshold)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threshold);
        GetStream(streamId).BufferedAmountLowThreshold = threshold;
    }

    /// <summary>
    /// Drops timed messages at the head of the queue that expired before their first byte was cut into a chunk
    /// (RFC 3758: such a message needs no TSN and no FORWARD-TSN). Returns how many were dropped.
    /// </summary>
    public int DropExpiredHeads(TimeSpan now)
    {
        var dropped = 0;
        while (_pending.TryPeek(out var message) && message.NextOffset == 0 && now >= message.ExpiresAt)
        {
            _pending.Dequeue();
            DropUnsent(message);
            FreeMessageIfDone(message);
            dropped++;
        }

        return dropped;
    }

    /// <summary>
    /// Cuts the next chunk from the head message if its payload fits in <paramref name="budget"/> bytes. The chunk has no
    /// TSN yet; an ordered message gets its stream's next SSN with its first chunk. The bytes leave bufferedAmount.
    /// </summary>
    /// <param name="budget">Largest payload the caller can send now (room in the packet, the peer's window).</param>
    /// <param name="now">Stamped as the chunk's send time.</param>
    /// <param name="chunk">The chunk; its last fragment carries <see cref="DataChunk.FlagEnding"/>.</param>
    public bool TryTakeChunk(long budget, TimeSpan now, out SctpOutboundChunk chunk)
    {
        if (!_pending.TryPeek(out var message))
        {
            chunk = null!;
            return false;
        }

        var length = Math.Min(message.Length - message.NextOffset, _maxChunkPayload);
        if (length > budget)
        {
            chunk = null!;
            return false;
        }

        var stream = message.Stream;
        if (message.NextOffset == 0 && !message.Unordered)
        {
            message.Ssn = stream.NextSsn++;
        }

        chunk = _chunkPool.Count > 0 ? _chunkPool.Pop() : new SctpOutboundChunk();
        chunk.Message = message;
        chunk.Offset = message.NextOffset;
        chunk.Length = length;
        chunk.Flags = (byte)((message.NextOffset == 0 ? DataChunk.FlagBeginning : 0)
            | (message.NextOffset + length == message.Length ? DataChunk.FlagEnding : 0)
            | (message.Unordered ? DataChunk.FlagUnordered : 0));
        chunk.SendCount = 1;
        chunk.SentAt = now;
        message.ChunksOutstanding++;
        message.NextOffset += length;
        ReduceBuffered(stream, length);
        if (message.FullyChunked)
        {
            _pending.Dequeue();
            stream.PendingMessages--;
        }

        return true;
    }

    /// <summary>A chunk left the outstanding data (acknowledged): recycles it and frees its message when it was the last.</summary>
    public void ReleaseChunk(SctpOutboundChunk chunk)
    {
        var message = chunk.Message;
        message.ChunksOutstanding--;
        FreeMessageIfDone(message);
        chunk.Reset();
        if (_chunkPool.Count < MaxPooledChunks)
        {
            _chunkPool.Push(chunk);
        }
    }

    /// <summary>
    /// The send-queue half of abandoning a message (RFC 3758 §3.5) whose chunks with a TSN were abandoned already:
    /// the fragments not yet cut are dropped and leave bufferedAmount.
    /// </summary>
    public void OnMessageAbandoned(SctpOutboundMessage message)
    {
        if (message.FullyChunked)
        {
            return;
        }

        // Only the head of the pending queue can be partly sent.
        if (_pending.TryPeek(out var head) && head == message)
        {
            _pending.Dequeue();
        }

        DropUnsent(message);
    }

    /// <summary>
    /// Closes the gate of <paramref name="streamId"/> ahead of a reset: no new message is accepted on it. Returns false
    /// when a reset is already requested.
    /// </summary>
    public bool TryBeginReset(ushort streamId)
    {
        var stream = GetStream(streamId);
        if (stream.Resetting)
        {
            return false;
        }

        stream.Resetting = true;
        return true;
    }

    /// <summary>True when the stream is being reset.</summary>
    public bool IsResetting(ushort streamId) => _streams.TryGetValue(streamId, out var stream) && stream.Resetting;

    /// <summary>Opens the gate again; after a successful reset the stream's SSNs restart at 0 (RFC 6525 §5.1.2).</summary>
    public void EndReset(ushort streamId, bool success)
    {
        var stream = GetStream(streamId);
        stream.Resetting = false;
        if (success)
        {
            stream.NextSsn = 0;
        }
    }

    /// <summary>Frees every queued message (the association ended); chunks still outstanding go through <see cref="ReleaseChunk"/>.</summary>
    public void Clear()
    {
        while (_pending.TryDequeue(out var message))
        {
            message.NextOffset = message.Length;
            FreeMessageIfDone(message);
        }

        foreach (var stream in _streams.Values)
        {
            stream.BufferedAmount = 0;
            stream.PendingMessages = 0;
        }

        TotalBufferedAmount = 0;
    }

    private SctpOutboundStream GetStream(ushort streamId)
    {
        if (!_streams.TryGetValue(streamId, out var stream))
        {
            stream = new SctpOutboundStream(streamId);
            _streams.Add(streamId, stream);
        }

        return stream;
    }

    private void ReduceBuffered(SctpOutboundStream stream, long length)
    {
        var before = stream.BufferedAmount;
        stream.BufferedAmount -= length;
        TotalBufferedAmount -= length;
        if (before > stream.BufferedAmountLowThreshold && stream.BufferedAmount <= stream.BufferedAmountLowThreshold)
        {
            _events.Enqueue(new SctpEvent(SctpEventKind.BufferedAmountLow, stream.Id));
        }
    }

    private void DropUnsent(SctpOutboundMessage message)
    {
        var remaining = message.Length - message.NextOffset;
        message.NextOffset = message.Length;
        message.Stream.PendingMessages--;
        ReduceBuffered(message.Stream, remaining);
    }

    private void FreeMessageIfDone(SctpOutboundMessage message)
    {
        if (message.ChunksOutstanding != 0 || !message.FullyChunked)
        {
            return;
        }

        _buffers.Return(message.Buffer);
        message.Buffer = [];
        message.Stream = null!;
        if (_messagePool.Count < MaxPooledMessages)
        {
            _messagePool.Push(message);
        }
    }
}
