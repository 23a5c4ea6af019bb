using System.Buffers;
using Kvs.WebRtc.PeerConnection.Codecs;

namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>
/// The jitter buffer of one remote track: reorders packets, assembles whole frames, and releases them in decode order
/// at their playout time. Sans-IO and single-threaded: <see cref="Push"/> and <see cref="TryRead"/> take the time, the
/// owner arms a timer for <see cref="NextTimeout"/>. Nothing is allocated per packet after warm-up.
/// </summary>
/// <remarks>
/// <para><b>Reorder and assembly</b>: an <see cref="RtpFrameAssembler"/> (reorder window of
/// <see cref="RtpFrameAssemblerOptions.ReorderWindow"/> packets: the packet bound) puts packets in sequence order and
/// builds frames; duplicates and packets whose place was passed are ignored.</para>
/// <para><b>Playout time</b>: each frame's RTP timestamp is mapped to the local clock through the smallest
/// "first arrival − timestamp" of recent frames (a windowed minimum, so sender clock drift and route changes are followed):
/// that is the frame's expected arrival on the fastest path seen. A frame is released at expected arrival + the
/// <see cref="CurrentDelay"/> = max(<see cref="Target"/>, <see cref="MinimumDelay"/>). The minimum delay adapts to the
/// network: a peak-hold of how late frames complete after their expected arrival (decaying over ~64 frames), at least
/// 3 × the RFC 3550 interarrival jitter of the frames' first packets, at most
/// <see cref="JitterBufferOptions.MaxAdaptiveDelay"/>. With no target (the default) the buffer thus only waits as long
/// as recent frames needed to complete: low latency. A frame that completes after its playout time is released at once;
/// release never reorders.</para>
/// <para><b>Frames that cannot complete</b>: a missing packet is waited for (NACK repair) until the playout time of the
/// frame it belongs to plus <see cref="JitterBufferOptions.MaxRepairWait"/>; then it is given up, its frame dropped
/// and counted, and the frames after it go on (never a stall). Video frames depend on each other: after a dropped frame
/// (or before the first key frame) delta frames are dropped until the next key frame, and a key frame is asked for once
/// (<see cref="TakeKeyFrameRequest"/>; repeated every <see cref="JitterBufferOptions.KeyFrameRetryInterval"/> while it
/// does not come). Audio has its own buffer and never waits on video.</para>
/// <para><b>Bounds</b>: at most <see cref="JitterBufferOptions.MaxFrames"/> frames and
/// <see cref="JitterBufferOptions.MaxBytes"/> bytes are held; beyond them the oldest are dropped and counted in
/// <see cref="FramesOverflowed"/> (video drops what is held and waits for a key frame).</para>
/// </remarks>
internal sealed class JitterBuffer : IDisposable
{
    private const int BaseWindowFrames = 128;
    private const int EnvelopeDecay = 64;
    private static readonly long s_resyncTicks = TimeSpan.FromSeconds(10).Ticks;

    private const int KeyFrameRepairMargin = 8;

    private readonly RtpFrameAssembler _assembler;
    private readonly RtpDepacketizer _depacketizer;
    private readonly JitterBufferOptions _options;
    private readonly int _clockRate;
    private readonly HeldFrame[] _held;
    private int _heldHead;
    private int _heldCount;
    private long _heldBytes;
    private byte[]? _lastRead;

    private TimeSpan? _target;
    private Rtp.RtpTimestampUnwrapper _unwrapper;
    private bool _haveBase;
    private long _baseCurrent;
    private long _basePrevious;
    private int _baseFrames;
    private long _envelope;
    private bool _haveTransit;
    private long _lastTransit;
    private double _jitterTicks;

    private bool _waitingForKeyFrame;
    private bool _keyFrameAsked;
    private TimeSpan _lastKeyFrameAsk;
    private bool _keyFrameRequestPending;
    private bool _keyPacketSeen;
    private ushort _keyPacketSequence;
    private uint _keyPacketTimestamp;
    private bool _repairHorizonPending;
    private ushort _repairHorizon;

    /// <summary>Creates a buffer for one stream.</summary>
    /// <param name="depacketizer">The codec's depacketizer (owned from now on).</param>
    /// <param name="options">Limits and timing (see <see cref="JitterBufferOptions.For"/>).</param>
    public JitterBuffer(RtpDepacketizer depacketizer, JitterBufferOptions options)
    {
        ArgumentNullException.ThrowIfNull(depacketizer);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _clockRate = options.ClockRate;
        _assembler = new RtpFrameAssembler(depacketizer, options.Assembler);
        _depacketizer = depacketizer;
        _held = new HeldFrame[options.MaxFrames];
        _waitingForKeyFrame = options.IsVideo;
        ApplyReorderDelay();
    }

    /// <summary>
    /// The latency target (W3C <c>RTCRtpReceiver.jitterBufferTarget</c>): null for the default (as low as the network
    /// allows), else 0–4000 ms; the buffer holds frames at least this long after their expected arrival. Settable while running.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative or over 4000 ms (W3C RangeError).</exception>
    public TimeSpan? Target
    {
        get => _target;
        set
        {
            ValidateTarget(value);
            _target = value;
            ApplyReorderDelay();
        }
    }

    /// <summary>The delay the buffer adds on its own for the network (W3C minimum delay): what it would use without a target.</summary>
    public TimeSpan MinimumDelay
    {
        get
        {
            var ticks = Math.Max(_envelope, (long)(3 * _jitterTicks));
            return TimeSpan.FromTicks(Math.Min(ticks, _options.MaxAdaptiveDelay.Ticks));
        }
    }

    /// <summary>The delay in use after expected arrival: max(<see cref="Target"/>, <see cref="MinimumDelay"/>).</summary>
    public TimeSpan CurrentDelay => _target is { } target && target > MinimumDelay ? target : MinimumDelay;

    /// <summary>Frames released (W3C <c>jitterBufferEmittedCount</c>).</summary>
    public long EmittedCount { get; private set; }

    /// <summary>Key frames released.</summary>
    public long KeyFramesEmitted { get; private set; }

    /// <summary>
    /// Frames dropped (W3C <c>framesDropped</c>): incomplete (a packet lost or malformed), video delta frames while waiting
    /// for a key frame, and overflow.
    /// </summary>
    public long FramesDropped { get; private set; }

    /// <summary>Frames dropped because <see cref="JitterBufferOptions.MaxFrames"/> or <see cref="JitterBufferOptions.MaxBytes"/> was reached.</summary>
    public long FramesOverflowed { get; private set; }

    /// <summary>Sum over released frames of the time from their first packet's arrival to release, in seconds (W3C <c>jitterBufferDelay</c>).</summary>
    public double TotalDelay { get; private set; }

    /// <summary>Sum over released frames of <see cref="CurrentDelay"/> at release, in seconds (W3C <c>jitterBufferTargetDelay</c>).</summary>
    public double TotalTargetDelay { get; private set; }

    /// <summary>Sum over released frames of <see cref="MinimumDelay"/> at release, in seconds (W3C <c>jitterBufferMinimumDelay</c>).</summary>
    public double TotalMinimumDelay { get; private set; }

    /// <summary>Sequence numbers given up as lost.</summary>
    public long PacketsLost => _assembler.PacketsLost;

    /// <summary>Packets ignored as duplicates or as arriving after their place was passed (e.g. after their frame's deadline).</summary>
    public long PacketsDuplicateOrLate => _assembler.PacketsDuplicateOrLate;

    /// <summary>Packets waiting behind a missing one.</summary>
    public int PendingPackets => _assembler.PendingPackets;

    /// <summary>Completed frames waiting for their playout time.</summary>
    public int HeldFrames => _heldCount;

    /// <summary>Bytes of the completed frames waiting.</summary>
    public long HeldBytes => _heldBytes;

    /// <summary>
    /// Times video lost its decodability after it had started (a frame dropped, waiting for a key frame since): the packets
    /// still missing then are of no use any more (the owner stops asking for them).
    /// </summary>
    public long DecodeBreaks { get; private set; }

    /// <summary>True while video waits for a key frame (from the start, and after a dropped frame).</summary>
    public bool WaitingForKeyFrame => _waitingForKeyFrame;

    /// <summary>Throws the W3C RangeError (<see cref="ArgumentOutOfRangeException"/>) for a target outside 0–4000 ms.</summary>
    public static void ValidateTarget(TimeSpan? target)
    {
        if (target is { } value && (value < TimeSpan.Zero || value > JitterBufferOptions.MaxTarget))
        {
            throw new ArgumentOutOfRangeException(nameof(target), value, "The jitter buffer target must be between 0 and 4000 ms.");
        }
    }

    /// <summary>Takes one RTP packet of the stream (decrypted, header parsed).</summary>
    /// <param name="sequenceNumber">The RTP sequence number.</param>
    /// <param name="timestamp">The RTP timestamp.</param>
    /// <param name="marker">The marker bit.</param>
    /// <param name="payload">The payload (copied if it must wait).</param>
    /// <param name="now">The arrival time.</param>
    public void Push(ushort sequenceNumber, uint timestamp, bool marker, ReadOnlySpan<byte> payload, TimeSpan now)
    {
        if (_waitingForKeyFrame)
        {
            ClassifyWhileWaiting(sequenceNumber, timestamp, payload);
        }

        var dropped = _assembler.FramesDropped;
        _assembler.Push(sequenceNumber, timestamp, marker, payload, now.Ticks);
        AfterAssembler(dropped, now, measure: true);
        ExpireGaps(now);
    }

    /// <summary>Releases the next frame whose playout time has come (giving up gaps whose deadline passed first).</summary>
    /// <param name="now">The time.</param>
    /// <param name="frame">The frame; its data stays valid until the next call or <see cref="Dispose"/>.</param>
    /// <returns>False when no frame is due.</returns>
    public bool TryRead(TimeSpan now, out JitterBufferFrame frame)
    {
        ReturnBuffer(ref _lastRead);
        ExpireGaps(now);
        if (_heldCount == 0 || _held[_heldHead].Expected + CurrentDelay.Ticks > now.Ticks)
        {
            frame = default;
            return false;
        }

        var delay = CurrentDelay;
        var minimum = MinimumDelay;
        ref var held = ref _held[_heldHead];
        _lastRead = held.Buffer;
        frame = new JitterBufferFrame(held.Buffer.AsMemory(0, held.Length), held.Timestamp, held.IsKeyFrame);
        TotalDelay += Math.Max(0, now.Ticks - held.FirstArrival) / (double)TimeSpan.TicksPerSecond;
        TotalTargetDelay += delay.TotalSeconds;
        TotalMinimumDelay += minimum.TotalSeconds;
        EmittedCount++;
        if (held.IsKeyFrame)
        {
            KeyFramesEmitted++;
        }

        _heldBytes -= held.Length;
        held = default;
        _heldHead = (_heldHead + 1) % _held.Length;
        _heldCount--;
        return true;
    }

    /// <summary>
    /// When <see cref="TryRead"/> next has something to do (a held frame's playout time or a gap's deadline), or null
    /// when nothing waits on time.
    /// </summary>
    public TimeSpan? NextTimeout
    {
        get
        {
            long? due = _heldCount > 0 ? _held[_heldHead].Expected + CurrentDelay.Ticks : null;
            if (GapDeadline() is { } gap && (due is not { } d || gap < d))
            {
                due = gap;
            }

            return due is { } ticks ? TimeSpan.FromTicks(ticks) : null;
        }
    }

    /// <summary>
    /// True once when packets before <paramref name="sequenceNumber"/> are no longer worth repairing (video waits for a key
    /// frame and a delta frame's packet arrived: the frames before it will be dropped; a key frame seen since keeps its
    /// own packets, with a small margin); the owner stops NACKing them. Clears the signal.
    /// </summary>
    public bool TakeRepairHorizon(out ushort sequenceNumber)
    {
        sequenceNumber = _repairHorizon;
        var pending = _repairHorizonPending;
        _repairHorizonPending = false;
        return pending;
    }

    /// <summary>True once when a key frame should be asked for (the owner sends PLI); clears the request.</summary>
    public bool TakeKeyFrameRequest()
    {
        var pending = _keyFrameRequestPending;
        _keyFrameRequestPending = false;
        return pending;
    }

    /// <summary>Returns every pooled buffer; the buffer must not be used afterwards.</summary>
    public void Dispose()
    {
        ReturnBuffer(ref _lastRead);
        DropHeld(countAsDropped: false);
        _assembler.Dispose();
    }

    private static void ReturnBuffer(ref byte[]? buffer)
    {
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = null;
        }
    }

    // The assembler's timestamp rule (a newer packet far ahead of a gap) is the backstop of the time rule: as wide as the
    // longest wait the time rule can give.
    private void ApplyReorderDelay()
    {
        var extra = (_target ?? TimeSpan.Zero) + _options.MaxAdaptiveDelay;
        var delay = _options.Assembler.MaxReorderDelay + (long)(extra.TotalSeconds * _clockRate);
        _assembler.MaxReorderDelay = (int)Math.Min(delay, int.MaxValue / 2);
    }

    private long ToTicks(long rtpTime) => (rtpTime / _clockRate * TimeSpan.TicksPerSecond) + (rtpTime % _clockRate * TimeSpan.TicksPerSecond / _clockRate);

    private long? GapDeadline()
    {
        if (!_assembler.HasGap || !_haveBase)
        {
            return null;
        }

        var latest = _unwrapper.Latest;
        var extended = latest + (int)(_assembler.LastDeliveredTimestamp - (uint)latest);
        return ToTicks(extended) + Base + CurrentDelay.Ticks + _options.MaxRepairWait.Ticks;
    }

    private long Base => Math.Min(_baseCurrent, _basePrevious);

    private void ExpireGaps(TimeSpan now)
    {
        while (GapDeadline() is { } deadline && deadline <= now.Ticks)
        {
            var dropped = _assembler.FramesDropped;
            _assembler.DeclareGapLost();
            AfterAssembler(dropped, now, measure: false);
        }
    }

    // measure: the frames completed because a packet arrived (their lateness is the network's); not those released by a
    // deadline (held by the buffer's own decision).
    private void AfterAssembler(long droppedBefore, TimeSpan now, bool measure)
    {
        if (_assembler.FramesDropped != droppedBefore)
        {
            FramesDropped += _assembler.FramesDropped - droppedBefore;
            OnDecodeBreak(now);
        }

        while (_assembler.TryTakeFrame(out var taken))
        {
            Accept(taken, now, measure);
        }
    }

    private void Accept(TakenFrame taken, TimeSpan now, bool measure)
    {
        var buffer = taken.Buffer;
        if (!taken.IsComplete || (_waitingForKeyFrame && !taken.IsKeyFrame))
        {
            ArrayPool<byte>.Shared.Return(buffer);
            FramesDropped++;
            OnDecodeBreak(now);
            return;
        }

        if (_options.IsVideo && taken.IsKeyFrame)
        {
            _waitingForKeyFrame = false;
            _keyFrameAsked = false;
            _keyPacketSeen = false;
        }

        var timestampTicks = ToTicks(_unwrapper.Unwrap(taken.Timestamp));
        var transit = taken.FirstArrival - timestampTicks;
        UpdateMapping(transit);
        if (measure)
        {
            var lateness = now.Ticks - (timestampTicks + Base);
            _envelope = lateness > _envelope ? lateness : _envelope - ((_envelope - Math.Max(lateness, 0)) / EnvelopeDecay);
        }

        if (_heldCount == _held.Length || _heldBytes + taken.Length > _options.MaxBytes)
        {
            Overflow(taken.Length, now);
            if (_options.IsVideo && !taken.IsKeyFrame)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                FramesDropped++;
                return;
            }

            _waitingForKeyFrame = false; // video: this key frame starts the stream again
        }

        _held[(_heldHead + _heldCount) % _held.Length] = new HeldFrame
        {
            Buffer = buffer,
            Length = taken.Length,
            Timestamp = taken.Timestamp,
            IsKeyFrame = _options.IsVideo && taken.IsKeyFrame,
            FirstArrival = taken.FirstArrival,
            Expected = timestampTicks + Base,
        };
        _heldCount++;
        _heldBytes += taken.Length;
    }

    // The windowed minimum of first-arrival transit (two half windows), and the RFC 3550 jitter of the frames.
    private void UpdateMapping(long transit)
    {
        if (!_haveBase || transit > Base + s_resyncTicks || transit < Base - s_resyncTicks)
        {
            _haveBase = true; // the first frame, or a jump (the sender restarted its clock): start over
            _baseCurrent = transit;
            _basePrevious = transit;
            _baseFrames = 0;
            _envelope = 0;
            _haveTransit = false;
        }

        if (transit < _baseCurrent)
        {
            _baseCurrent = transit;
        }

        if (++_baseFrames >= BaseWindowFrames / 2)
        {
            _basePrevious = _baseCurrent;
            _baseCurrent = transit;
            _baseFrames = 0;
        }

        if (_haveTransit)
        {
            var difference = Math.Abs(transit - _lastTransit);
            _jitterTicks += (difference - _jitterTicks) / 16;
        }

        _haveTransit = true;
        _lastTransit = transit;
    }

    private void Overflow(int incoming, TimeSpan now)
    {
        if (_options.IsVideo)
        {
            // Every held frame depends on the oldest one: drop them all and start again at a key frame.
            var count = _heldCount;
            DropHeld(countAsDropped: true);
            FramesOverflowed += count;
            OnDecodeBreak(now);
            return;
        }

        while (_heldCount > 0 && (_heldCount >= _held.Length || _heldBytes + incoming > _options.MaxBytes))
        {
            ref var oldest = ref _held[_heldHead];
            ReturnBuffer(ref oldest.Buffer);
            _heldBytes -= oldest.Length;
            oldest = default;
            _heldHead = (_heldHead + 1) % _held.Length;
            _heldCount--;
            FramesDropped++;
            FramesOverflowed++;
        }
    }

    private void DropHeld(bool countAsDropped)
    {
        while (_heldCount > 0)
        {
            ref var oldest = ref _held[_heldHead];
            ReturnBuffer(ref oldest.Buffer);
            oldest = default;
            _heldHead = (_heldHead + 1) % _held.Length;
            _heldCount--;
            if (countAsDropped)
            {
                FramesDropped++;
            }
        }

        _heldBytes = 0;
        _heldHead = 0;
    }

    // Video: a frame is missing, so what follows cannot be decoded until a key frame. Ask once, again after the retry interval.
    private void OnDecodeBreak(TimeSpan now)
    {
        if (!_options.IsVideo)
        {
            return;
        }

        if (!_waitingForKeyFrame)
        {
            DecodeBreaks++;
        }

        _waitingForKeyFrame = true;
        if (!_keyFrameAsked || now - _lastKeyFrameAsk >= _options.KeyFrameRetryInterval)
        {
            _keyFrameAsked = true;
            _lastKeyFrameAsk = now;
            _keyFrameRequestPending = true;
        }
    }

    // While video waits for a key frame: packets the codec marks as a delta frame's make everything before them useless
    // (up to the first packet of the newest key frame seen since, minus a margin for its lost first packets). The key
    // frame is known by its RTP timestamp, so a late retransmission of an older delta arriving amid the key frame's
    // packets cannot move its start forward and get its own missing packets discarded.
    private void ClassifyWhileWaiting(ushort sequenceNumber, uint timestamp, ReadOnlySpan<byte> payload)
    {
        switch (_depacketizer.IsKeyFramePacket(payload))
        {
            case true:
                if (!_keyPacketSeen || (int)(timestamp - _keyPacketTimestamp) > 0)
                {
                    _keyPacketSeen = true;
                    _keyPacketSequence = sequenceNumber;
                    _keyPacketTimestamp = timestamp;
                }
                else if (timestamp == _keyPacketTimestamp && (short)(sequenceNumber - _keyPacketSequence) < 0)
                {
                    _keyPacketSequence = sequenceNumber; // a packet of the same key frame from before the first one seen
                }

                break;
            case false:
                _repairHorizon = _keyPacketSeen ? (ushort)(_keyPacketSequence - KeyFrameRepairMargin) : sequenceNumber;
                _repairHorizonPending = true;
                break;
        }
    }

    private struct HeldFrame
    {
        public byte[]? Buffer;
        public int Length;
        public uint Timestamp;
        public bool IsKeyFrame;
        public long FirstArrival;
        public long Expected;
    }
}
