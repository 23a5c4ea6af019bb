using System.Buffers;
using System.Numerics;

namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// Turns the RTP packets of one received stream (already decrypted, header parsed by the caller) into whole frames,
/// with the codec's <see cref="RtpDepacketizer"/>. Single-threaded, sans-IO.
/// </summary>
/// <remarks>
/// <para>Packets go through a reorder window of <see cref="RtpFrameAssemblerOptions.ReorderWindow"/> slots: an
/// out-of-order packet inside it is put in place, a duplicate or a packet older than what was already delivered is
/// ignored. A missing packet is waited for until the window is full or a newer packet's timestamp runs
/// <see cref="RtpFrameAssemblerOptions.MaxReorderDelay"/> past the last delivered one; then it is declared lost, the
/// frame it belonged to is dropped and counted, and the next frame goes on: a loss never stalls the stream beyond
/// that bound. <see cref="Flush"/> releases what waits (end of stream).</para>
/// <para>A frame ends on the codec's end mark (marker bit) or, when that packet never came but nothing is missing,
/// when the next timestamp begins. Frames are held in pooled buffers (<see cref="ArrayPool{T}.Shared"/>), each at most
/// <see cref="RtpFrameAssemblerOptions.MaxFrameSize"/> bytes; at the start of each <see cref="Push"/> unread frames
/// beyond <see cref="RtpFrameAssemblerOptions.MaxQueuedFrames"/> are discarded, oldest first (a single push that
/// fills a gap may release up to a reorder window of frames at once).</para>
/// </remarks>
internal sealed class RtpFrameAssembler : IDisposable
{
    private const int ResyncDistance = 8192;

    private readonly RtpDepacketizer _depacketizer;
    private readonly int _maxFrameSize;
    private int _maxReorderDelay;
    private readonly int _maxPayloadSize;
    private readonly Slot[] _slots;
    private readonly QueuedFrame[] _queue;
    private readonly int _maxQueuedFrames;

    private int _buffered;
    private bool _started;
    private ushort _expected;
    private bool _gap;
    private bool _haveLastTimestamp;
    private uint _lastTimestamp;

    private bool _inFrame;
    private bool _frameVerified;
    private uint _frameTimestamp;
    private ushort _frameFirstSequence;
    private ushort _frameLastSequence;
    private long _frameFirstArrival;
    private long _arrival;
    private byte[]? _frameBuffer;
    private int _frameLength;
    private bool _skipping;
    private uint _skipTimestamp;

    private int _queueHead;
    private int _queueCount;
    private byte[]? _lastRead;
    private int _completedInCall;

    /// <summary>Creates an assembler for one stream.</summary>
    /// <param name="depacketizer">The codec's depacketizer (owned by this assembler from now on).</param>
    /// <param name="options">Limits; null for the video defaults.</param>
    public RtpFrameAssembler(RtpDepacketizer depacketizer, RtpFrameAssemblerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(depacketizer);
        options ??= new RtpFrameAssemblerOptions();
        options.Validate();
        _depacketizer = depacketizer;
        _maxFrameSize = options.MaxFrameSize;
        _maxReorderDelay = options.MaxReorderDelay;
        _maxPayloadSize = options.MaxPayloadSize;
        _slots = new Slot[(int)BitOperations.RoundUpToPowerOf2((uint)options.ReorderWindow)]; // divides 65536: no clash at the wrap
        _maxQueuedFrames = options.MaxQueuedFrames;
        _queue = new QueuedFrame[options.MaxQueuedFrames + _slots.Length + 2]; // one call releases at most a window
    }

    /// <summary>Frames completed and queued for reading.</summary>
    public long FramesCompleted { get; private set; }

    /// <summary>Frames dropped incomplete: a packet lost or malformed, a fragment without start, too large.</summary>
    public long FramesDropped { get; private set; }

    /// <summary>Completed frames discarded unread because the queue was full.</summary>
    public long FramesDiscardedUnread { get; private set; }

    /// <summary>Packets dropped for their content: malformed, unsupported packetization, fragment without start, oversized.</summary>
    public long PacketsDropped { get; private set; }

    /// <summary>Packets ignored as duplicates or as arriving after their place was passed.</summary>
    public long PacketsDuplicateOrLate { get; private set; }

    /// <summary>Sequence numbers declared lost (never arrived within the reorder window).</summary>
    public long PacketsLost { get; private set; }

    /// <summary>Packets whose payload the codec could not parse.</summary>
    public long PacketsMalformed { get; private set; }

    /// <summary>Packets with a valid but unsupported packetization (e.g. H.264 STAP-B, MTAP, FU-B).</summary>
    public long PacketsUnsupported { get; private set; }

    /// <summary>Fragments whose fragmented unit had no start (e.g. FU-A without the S bit first).</summary>
    public long PacketsFragmentWithoutStart { get; private set; }

    /// <summary>Packets dropped because their payload, or the frame they grew, was over the size limits.</summary>
    public long PacketsOversized { get; private set; }

    /// <summary>Packets held in the reorder window.</summary>
    public int PendingPackets => _buffered;

    /// <summary>Frames queued and not yet read.</summary>
    public int QueuedFrames => _queueCount;

    /// <summary>
    /// How far (in RTP clock units) a newly arrived packet's timestamp may run ahead of the last delivered packet's before a
    /// gap is declared lost (starts as <see cref="RtpFrameAssemblerOptions.MaxReorderDelay"/>; a jitter buffer widens it
    /// with its latency target).
    /// </summary>
    public int MaxReorderDelay
    {
        get => _maxReorderDelay;
        set => _maxReorderDelay = Math.Max(0, value);
    }

    /// <summary>True while packets wait behind a missing one.</summary>
    public bool HasGap => _buffered > 0;

    /// <summary>
    /// The RTP timestamp of the last packet delivered in order: the frame a missing packet belongs to is at or after it
    /// (meaningful while <see cref="HasGap"/>).
    /// </summary>
    public uint LastDeliveredTimestamp => _lastTimestamp;

    /// <summary>
    /// Gives up on the oldest gap now (a jitter buffer's deadline passed): its sequence numbers are declared lost, the
    /// frame they belonged to is dropped, and the packets after it go on.
    /// </summary>
    /// <returns>How many frames became complete.</returns>
    public int DeclareGapLost()
    {
        TrimQueue();
        _completedInCall = 0;
        if (_buffered > 0)
        {
            SkipGap();
            Drain();
        }

        return _completedInCall;
    }

    /// <summary>Pushes one RTP packet of the stream.</summary>
    /// <param name="sequenceNumber">The RTP sequence number.</param>
    /// <param name="timestamp">The RTP timestamp.</param>
    /// <param name="marker">The RTP marker bit.</param>
    /// <param name="payload">The RTP payload (after header, extensions and padding); copied if it must wait.</param>
    /// <param name="arrival">
    /// An opaque arrival mark (e.g. clock ticks), kept with the packet; a frame reports the smallest of its packets'
    /// (<see cref="TakenFrame.FirstArrival"/>). 0 when unused.
    /// </param>
    /// <returns>How many frames became complete (read them with <see cref="TryReadFrame"/>).</returns>
    public int Push(ushort sequenceNumber, uint timestamp, bool marker, ReadOnlySpan<byte> payload, long arrival = 0)
    {
        _arrival = arrival;
        TrimQueue();
        _completedInCall = 0;
        if (payload.Length > _maxPayloadSize)
        {
            PacketsOversized++;
            PacketsDropped++;
            return 0; // treated as lost: its gap is handled like any other
        }

        if (!_started)
        {
            _started = true;
            _expected = sequenceNumber;

            // What came before the first packet is unknown: where a frame's start is not explicit (H.264/H.265), a
            // frame opened by it is trusted only if the packet provably opens an access unit (a lost leading SPS/PPS
            // packet would otherwise yield a key frame without its parameter sets, passed on as complete).
            _gap = true;
        }

        var diff = (short)(ushort)(sequenceNumber - _expected);
        if (diff < 0)
        {
            if (-diff < ResyncDistance)
            {
                PacketsDuplicateOrLate++;
                return 0;
            }

            Resync(sequenceNumber); // the sender restarted its sequence far behind
            diff = 0;
        }
        else if (diff >= _slots.Length)
        {
            FlushBuffered();
            var remaining = (short)(ushort)(sequenceNumber - _expected);
            if (remaining > 0)
            {
                PacketsLost += remaining;
                _gap = true;
            }

            _expected = sequenceNumber;
            diff = 0;
        }

        if (diff == 0)
        {
            Process(sequenceNumber, timestamp, marker, payload);
            _expected++;
            Drain();
        }
        else
        {
            ref var slot = ref _slots[sequenceNumber % _slots.Length];
            if (slot.Used)
            {
                PacketsDuplicateOrLate++;
                return 0;
            }

            Store(ref slot, sequenceNumber, timestamp, marker, payload);
        }

        while (_buffered > 0 && _haveLastTimestamp && (int)(timestamp - _lastTimestamp) > _maxReorderDelay)
        {
            SkipGap();
            Drain();
        }

        return _completedInCall;
    }

    /// <summary>Releases every packet waiting in the reorder window, declaring the gaps before them lost.</summary>
    /// <returns>How many frames became complete.</returns>
    public int Flush()
    {
        TrimQueue();
        _completedInCall = 0;
        FlushBuffered();
        return _completedInCall;
    }

    /// <summary>Reads the oldest completed frame.</summary>
    /// <param name="frame">The frame; its data stays valid until the next call or <see cref="Dispose"/>.</param>
    /// <returns>False when no frame is queued.</returns>
    public bool TryReadFrame(out AssembledFrame frame)
    {
        ReturnBuffer(ref _lastRead);
        if (_queueCount == 0)
        {
            frame = default;
            return false;
        }

        ref var queued = ref _queue[_queueHead];
        _lastRead = queued.Buffer;
        frame = new AssembledFrame(queued.Buffer.AsMemory(0, queued.Length), queued.Timestamp, queued.IsKeyFrame,
            queued.FirstSequence, queued.LastSequence, queued.IsComplete);
        queued = default;
        _queueHead = (_queueHead + 1) % _queue.Length;
        _queueCount--;
        return true;
    }

    /// <summary>
    /// Takes the oldest completed frame with its pooled buffer: the caller owns <see cref="TakenFrame.Buffer"/> from now on
    /// and returns it to <see cref="ArrayPool{T}.Shared"/> (no copy).
    /// </summary>
    /// <returns>False when no frame is queued.</returns>
    public bool TryTakeFrame(out TakenFrame frame)
    {
        ReturnBuffer(ref _lastRead);
        if (_queueCount == 0)
        {
            frame = default;
            return false;
        }

        ref var queued = ref _queue[_queueHead];
        frame = new TakenFrame(queued.Buffer!, queued.Length, queued.Timestamp, queued.IsKeyFrame, queued.IsComplete, queued.FirstArrival);
        queued = default;
        _queueHead = (_queueHead + 1) % _queue.Length;
        _queueCount--;
        return true;
    }

    /// <summary>Returns every pooled buffer; the assembler must not be used afterwards.</summary>
    public void Dispose()
    {
        ReturnBuffer(ref _lastRead);
        ReturnBuffer(ref _frameBuffer);
        while (_queueCount > 0)
        {
            ReturnBuffer(ref _queue[_queueHead].Buffer);
            _queueHead = (_queueHead + 1) % _queue.Length;
            _queueCount--;
        }

        for (var i = 0; i < _slots.Length; i++)
        {
            ReturnBuffer(ref _slots[i].Buffer);
            _slots[i].Used = false;
        }

        _buffered = 0;
    }

    private static void ReturnBuffer(ref byte[]? buffer)
    {
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = null;
        }
    }

    private void Store(ref Slot slot, ushort sequenceNumber, uint timestamp, bool marker, ReadOnlySpan<byte> payload)
    {
        if (slot.Buffer is null || slot.Buffer.Length < payload.Length)
        {
            ReturnBuffer(ref slot.Buffer);
            slot.Buffer = ArrayPool<byte>.Shared.Rent(Math.Max(payload.Length, 1500));
        }

        payload.CopyTo(slot.Buffer);
        slot.Length = payload.Length;
        slot.Sequence = sequenceNumber;
        slot.Timestamp = timestamp;
        slot.Marker = marker;
        slot.Arrival = _arrival;
        slot.Used = true;
        _buffered++;
    }

    private void Drain()
    {
        while (_buffered > 0)
        {
            ref var slot = ref _slots[_expected % _slots.Length];
            if (!slot.Used || slot.Sequence != _expected)
            {
                return;
            }

            ReleaseSlot(ref slot);
            _expected++;
        }
    }

    private void ReleaseSlot(ref Slot slot)
    {
        slot.Used = false;
        _buffered--;
        _arrival = slot.Arrival;
        Process(slot.Sequence, slot.Timestamp, slot.Marker, slot.Buffer.AsSpan(0, slot.Length));
    }

    private void SkipGap()
    {
        while (_buffered > 0)
        {
            ref var slot = ref _slots[_expected % _slots.Length];
            if (slot.Used && slot.Sequence == _expected)
            {
                return;
            }

            PacketsLost++;
            _gap = true;
            _expected++;
        }
    }

    private void FlushBuffered()
    {
        while (_buffered > 0)
        {
            SkipGap();
            Drain();
        }
    }

    private void Resync(ushort sequenceNumber)
    {
        FlushBuffered();
        _gap = true;
        _expected = sequenceNumber;
    }

    private void Process(ushort sequenceNumber, uint timestamp, bool marker, ReadOnlySpan<byte> payload)
    {
        var gap = _gap;
        _gap = false;
        _haveLastTimestamp = true;
        _lastTimestamp = timestamp;

        if (_inFrame && gap)
        {
            DropFrame(); // its end (or a middle packet) is among the lost ones
        }
        else if (_inFrame && timestamp != _frameTimestamp)
        {
            CompleteFrame(); // ended without an end mark, but nothing is missing
        }

        if (!_inFrame)
        {
            if (_skipping && timestamp == _skipTimestamp)
            {
                return; // the rest of a dropped frame
            }

            _skipping = false;
            if (!_depacketizer.IsFrameStart(payload))
            {
                FramesDropped++; // a frame whose start was lost
                _skipping = true;
                _skipTimestamp = timestamp;
                return;
            }

            _inFrame = true;
            _frameVerified = !gap || _depacketizer.FrameStartIsExplicit || _depacketizer.IsAccessUnitStart(payload);
            _frameTimestamp = timestamp;
            _frameFirstSequence = sequenceNumber;
            _frameFirstArrival = _arrival;
            _frameLength = 0;
            _depacketizer.BeginFrame();
        }

        var needed = _depacketizer.GetOutputLength(payload);
        if (needed < 0 || needed > _maxFrameSize - _frameLength)
        {
            PacketsOversized++;
            PacketsDropped++;
            DropFrame();
            return;
        }

        EnsureFrameCapacity(_frameLength + needed);
        var status = _depacketizer.Append(payload, _frameBuffer.AsSpan(_frameLength, needed), out var written);
        if (status is not (RtpDepacketizeStatus.Ok or RtpDepacketizeStatus.Skipped))
        {
            PacketsDropped++;
            switch (status)
            {
                case RtpDepacketizeStatus.Unsupported:
                    PacketsUnsupported++;
                    break;
                case RtpDepacketizeStatus.FragmentWithoutStart:
                    PacketsFragmentWithoutStart++;
                    break;
                default:
                    PacketsMalformed++;
                    break;
            }

            DropFrame();
            return;
        }

        _frameLength += written;
        _frameLastSequence = sequenceNumber;
        if (_arrival < _frameFirstArrival)
        {
            _frameFirstArrival = _arrival;
        }

        if (_depacketizer.IsFrameEnd(payload, marker))
        {
            CompleteFrame();
        }
    }

    private void EnsureFrameCapacity(int length)
    {
        if (_frameBuffer is not null && _frameBuffer.Length >= length)
        {
            return;
        }

        var size = Math.Max(length, Math.Max(4096, (_frameBuffer?.Length ?? 0) * 2));
        var grown = ArrayPool<byte>.Shared.Rent(Math.Min(size, Math.Max(length, _maxFrameSize)));
        if (_frameBuffer is not null)
        {
            _frameBuffer.AsSpan(0, _frameLength).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(_frameBuffer);
        }

        _frameBuffer = grown;
    }

    private void DropFrame()
    {
        FramesDropped++;
        _inFrame = false;
        _skipping = true;
        _skipTimestamp = _frameTimestamp;
        _frameLength = 0;
    }

    private void CompleteFrame()
    {
        _inFrame = false;
        if (!_depacketizer.EndFrame(out var isKeyFrame) || _frameLength == 0 || _frameBuffer is null)
        {
            FramesDropped++;
            _frameLength = 0;
            return;
        }

        if (_queueCount == _queue.Length)
        {
            DiscardOldest(); // unreachable by construction; kept as a bound
        }

        _queue[(_queueHead + _queueCount) % _queue.Length] = new QueuedFrame
        {
            Buffer = _frameBuffer,
            Length = _frameLength,
            Timestamp = _frameTimestamp,
            IsKeyFrame = isKeyFrame,
            FirstSequence = _frameFirstSequence,
            LastSequence = _frameLastSequence,
            IsComplete = _frameVerified,
            FirstArrival = _frameFirstArrival,
        };
        _queueCount++;
        _frameBuffer = null;
        _frameLength = 0;
        FramesCompleted++;
        _completedInCall++;
    }

    // Frames left unread from earlier calls beyond the limit are discarded, oldest first. Within one call the queue may
    // hold up to the limit plus what a single call can release (a reorder window), so a burst is never cut short.
    private void TrimQueue()
    {
        while (_queueCount > _maxQueuedFrames)
        {
            DiscardOldest();
        }
    }

    private void DiscardOldest()
    {
        ReturnBuffer(ref _queue[_queueHead].Buffer);
        _queueHead = (_queueHead + 1) % _queue.Length;
        _queueCount--;
        FramesDiscardedUnread++;
    }

    private struct Slot
    {
        public bool Used;
        public ushort Sequence;
        public uint Timestamp;
        public bool Marker;
        public long Arrival;
        public byte[]? Buffer;
        public int Length;
    }

    private struct QueuedFrame
    {
        public byte[]? Buffer;
        public int Length;
        public uint Timestamp;
        public bool IsKeyFrame;
        public ushort FirstSequence;
        public ushort LastSequence;
        public bool IsComplete;
        public long FirstArrival;
    }
}
