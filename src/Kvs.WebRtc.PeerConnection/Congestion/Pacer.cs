namespace Kvs.WebRtc.PeerConnection.Congestion;

/// <summary>
/// Smooths sending to the pacing rate (<see cref="PacerOptions.PacingFactor"/> × the target bitrate) with a small
/// burst budget (a leaky bucket, as libwebrtc's pacer): a key frame of 100 packets leaves over tens of milliseconds
/// instead of in one burst that would overflow a shallow bottleneck queue. Sans-IO: the loop enqueues packets with
/// their size, asks <see cref="TimeUntilNextSendUs"/> when to come back, and takes packets with
/// <see cref="TryDequeue"/>; time is an argument (µs, one monotonic clock).
/// </summary>
/// <remarks>
/// Audio goes first and is not held back by the budget (it still spends it, so video yields). The queue is bounded in
/// packets and in time: when the queued bytes would need more than <see cref="PacerOptions.MaxQueueTimeUs"/> at the
/// pacing rate, or the video queue is full, the oldest video packets are dropped (<see cref="DroppedPackets"/>;
/// their handles come back through <see cref="TryTakeDropped"/> so the caller can recycle buffers). A full audio
/// queue refuses new audio (<see cref="RejectedPackets"/>). Storage is allocated once; nothing allocates per packet.
/// Not thread-safe.
/// </remarks>
/// <typeparam name="TPacket">The caller's handle for a packet (e.g. a buffer, or an index into one).</typeparam>
internal sealed class Pacer<TPacket>
{
    private const int MinBurstBytes = 1500;

    private readonly PacerOptions _options;
    private readonly Ring _video;
    private readonly Ring _audio;
    private readonly Ring _dropped;
    private double _budgetBytes;
    private long _lastRefillUs = long.MinValue;

    /// <summary>Creates a pacer for a target bitrate.</summary>
    /// <param name="targetBitrateBps">The initial target (bits/s), e.g. the estimator's start bitrate.</param>
    /// <param name="options">Tuning; null for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option or the bitrate is out of range.</exception>
    public Pacer(long targetBitrateBps, PacerOptions? options = null)
    {
        options ??= new PacerOptions();
        options.Validate();
        _options = options;
        _video = new Ring(options.MaxVideoPackets);
        _audio = new Ring(options.MaxAudioPackets);
        _dropped = new Ring(options.MaxDroppedPackets);
        SetTargetBitrate(targetBitrateBps);
        _budgetBytes = BurstBytes;
    }

    /// <summary>The pacing rate in bits/s.</summary>
    public long PacingRateBps { get; private set; }

    /// <summary>Packets queued (audio and video).</summary>
    public int QueuedPackets => _video.Count + _audio.Count;

    /// <summary>Bytes queued (audio and video).</summary>
    public long QueuedBytes => _video.Bytes + _audio.Bytes;

    /// <summary>How long the queued bytes take to leave at the pacing rate (µs).</summary>
    public long ExpectedQueueTimeUs => (long)(QueuedBytes * 8e6 / PacingRateBps);

    /// <summary>Video packets dropped because the queue was over its time budget or full.</summary>
    public long DroppedPackets { get; private set; }

    /// <summary>Audio packets refused because the audio queue was full.</summary>
    public long RejectedPackets { get; private set; }

    private double BurstBytes => Math.Max(PacingRateBps * (_options.BurstUs / 8e6), MinBurstBytes);

    /// <summary>Sets the pacing rate from a new target bitrate (values below 1 kbit/s count as 1 kbit/s).</summary>
    public void SetTargetBitrate(long targetBitrateBps) =>
        PacingRateBps = (long)Math.Min(Math.Max(targetBitrateBps, 1000) * _options.PacingFactor, 1e12);

    /// <summary>Queues a packet; false when it was refused (audio queue full). Video over the limits pushes out the oldest video.</summary>
    /// <param name="packet">The caller's handle, returned by <see cref="TryDequeue"/> or <see cref="TryTakeDropped"/>.</param>
    /// <param name="sizeBytes">Its size on the wire (bytes).</param>
    /// <param name="isAudio">Audio: sent before any video, never dropped once queued.</param>
    /// <param name="nowUs">Current time (µs).</param>
    public bool Enqueue(TPacket packet, int sizeBytes, bool isAudio, long nowUs)
    {
        sizeBytes = Math.Max(sizeBytes, 0);
        if (isAudio)
        {
            if (_audio.IsFull)
            {
                RejectedPackets++;
                return false;
            }

            _audio.Push(packet, sizeBytes, nowUs);
        }
        else
        {
            if (_video.IsFull)
            {
                DropOldestVideo();
            }

            _video.Push(packet, sizeBytes, nowUs);
        }

        while (_video.Count > 1 && ExpectedQueueTimeUs > _options.MaxQueueTimeUs)
        {
            DropOldestVideo();
        }

        return true;
    }

    /// <summary>How long until <see cref="TryDequeue"/> releases a packet: 0 when one may go now, −1 when the queue is empty.</summary>
    public long TimeUntilNextSendUs(long nowUs)
    {
        if (_audio.Count > 0)
        {
            return 0;
        }

        if (_video.Count == 0)
        {
            return -1;
        }

        Refill(nowUs);
        return _budgetBytes > 0 ? 0 : Math.Max(1, (long)Math.Ceiling((-_budgetBytes + 1) * 8e6 / PacingRateBps));
    }

    /// <summary>Takes the next packet allowed to leave at <paramref name="nowUs"/> (audio first); false when none may go yet.</summary>
    public bool TryDequeue(long nowUs, out TPacket packet, out int sizeBytes)
    {
        Refill(nowUs);
        var queue = _audio.Count > 0 ? _audio : _video.Count > 0 && _budgetBytes > 0 ? _video : null;
        if (queue is null)
        {
            packet = default!;
            sizeBytes = 0;
            return false;
        }

        queue.Pop(out packet, out sizeBytes, out _);
        _budgetBytes -= sizeBytes;
        return true;
    }

    /// <summary>Age of the oldest queued packet (µs), 0 when empty.</summary>
    public long OldestQueuedAgeUs(long nowUs)
    {
        var oldest = long.MaxValue;
        if (_audio.Count > 0)
        {
            oldest = _audio.PeekEnqueuedUs();
        }

        if (_video.Count > 0)
        {
            oldest = Math.Min(oldest, _video.PeekEnqueuedUs());
        }

        return oldest == long.MaxValue ? 0 : Math.Max(0, nowUs - oldest);
    }

    /// <summary>Takes the handle of a dropped video packet (oldest first) so its buffer can be recycled.</summary>
    public bool TryTakeDropped(out TPacket packet)
    {
        if (_dropped.Count == 0)
        {
            packet = default!;
            return false;
        }

        _dropped.Pop(out packet, out _, out _);
        return true;
    }

    private void DropOldestVideo()
    {
        _video.Pop(out var packet, out var size, out var enqueuedUs);
        DroppedPackets++;
        if (_dropped.IsFull)
        {
            _dropped.Pop(out _, out _, out _);
        }

        _dropped.Push(packet, size, enqueuedUs);
    }

    private void Refill(long nowUs)
    {
        if (_lastRefillUs == long.MinValue)
        {
            _lastRefillUs = nowUs;
            return;
        }

        var elapsed = nowUs - _lastRefillUs;
        if (elapsed <= 0)
        {
            return;
        }

        _lastRefillUs = nowUs;
        _budgetBytes = Math.Min(_budgetBytes + (PacingRateBps * (elapsed / 8e6)), BurstBytes);
    }

    private sealed class Ring(int capacity)
    {
        private readonly TPacket[] _packets = new TPacket[capacity];
        private readonly int[] _sizes = new int[capacity];
        private readonly long[] _enqueuedUs = new long[capacity];
        private int _head;

        public int Count { get; private set; }

        public long Bytes { get; private set; }

        public bool IsFull => Count == _packets.Length;

        public void Push(TPacket packet, int size, long enqueuedUs)
        {
            var tail = (_head + Count) % _packets.Length;
            _packets[tail] = packet;
            _sizes[tail] = size;
            _enqueuedUs[tail] = enqueuedUs;
            Count++;
            Bytes += size;
        }

        public void Pop(out TPacket packet, out int size, out long enqueuedUs)
        {
            packet = _packets[_head];
            size = _sizes[_head];
            enqueuedUs = _enqueuedUs[_head];
            _packets[_head] = default!;
            _head = (_head + 1) % _packets.Length;
            Count--;
            Bytes -= size;
        }

        public long PeekEnqueuedUs() => _enqueuedUs[_head];
    }
}
