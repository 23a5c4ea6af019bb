using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Kvs.WebRtc.PeerConnection.Codecs;
using Kvs.WebRtc.PeerConnection.Rtp;

namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>
/// A track received from the peer. Read whole frames with <see cref="ReadFramesAsync"/> (reordered, reassembled,
/// incomplete frames dropped and counted) or raw decrypted RTP with <see cref="ReadRtpAsync"/>. Both buffers are
/// bounded and drop their oldest entry when the reader falls behind (counted in <see cref="FramesOverflowed"/> and
/// <see cref="PacketsOverflowed"/>); nothing is raised per packet.
/// </summary>
/// <remarks>
/// <para>Frames are buffered from the first packet on, through a jitter buffer (reorder, whole frames, release at a
/// playout time that follows <see cref="RTCRtpReceiver.JitterBufferTarget"/>; each track has its own, so audio never
/// waits on video). RTP packets are buffered only once <see cref="ReadRtpAsync"/> has been called. Video frames start
/// at a key frame: delta frames before the first key frame, and after a frame that could not be completed, are dropped
/// until the next key frame (the connection asks the sender for one with PLI).</para>
/// <para>Thread-safety: one reader per method at a time; the connection writes from its receive path.</para>
/// </remarks>
public sealed class RemoteMediaTrack : MediaStreamTrack
{
    private const int FrameCapacity = 64;
    private const int PacketCapacity = 1024;
    private const long NotYet = long.MinValue;

    private readonly object _gate = new();
    private readonly Channel<EncodedFrame> _frames;
    private readonly Channel<RtpPacketData> _packets;
    private readonly Action? _requestKeyFrame;
    private readonly TimeProvider _clock;
    private readonly TaskCompletionSource _firstKeyFrame = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly InterFrameDelayStatistics _interFrame = new();
    private JitterBuffer? _jitter;
    private string? _jitterCodec;
    private TimeSpan? _jitterTarget;
    private JitterBufferSnapshot _retired;
    private ITimer? _timer;
    private TimeSpan _timerDue = TimeSpan.MaxValue;
    private bool _ended;
    private long _decodeBreaksSeen;
    private int _clockRate = 90000;
    private bool _rtpWanted;
    private RtpTimestampUnwrapper _timestamps;
    private long _firstTimestamp = -1;
    private long _framesOverflowed;
    private long _packetsOverflowed;
    private long _firstPacketTimestamp = NotYet;
    private long _firstKeyFrameTimestamp = NotYet;

    internal RemoteMediaTrack(MediaStreamTrackKind kind, string? id, Action? requestKeyFrame, TimeProvider? clock = null)
        : base(kind, id)
    {
        _requestKeyFrame = requestKeyFrame;
        _clock = clock ?? TimeProvider.System;
        _frames = Channel.CreateBounded<EncodedFrame>(
            new BoundedChannelOptions(FrameCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = false, SingleWriter = true },
            _ => Interlocked.Increment(ref _framesOverflowed));
        _packets = Channel.CreateBounded<RtpPacketData>(
            new BoundedChannelOptions(PacketCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = false, SingleWriter = true },
            _ => Interlocked.Increment(ref _packetsOverflowed));
    }

    /// <summary>The codec of the last packet received, or null before the first.</summary>
    public RTCRtpCodec? Codec { get; private set; }

    /// <summary>RTP packets received for this track.</summary>
    public long PacketsReceived { get; private set; }

    /// <summary>Payload bytes received for this track.</summary>
    public long BytesReceived { get; private set; }

    /// <summary>Whole frames delivered to the frame buffer.</summary>
    public long FramesReceived { get; private set; }

    /// <summary>Key frames delivered to the frame buffer.</summary>
    public long KeyFramesReceived { get; private set; }

    /// <summary>
    /// Frames dropped by the jitter buffer: incomplete (a packet lost), video delta frames before the first key frame or
    /// after a dropped frame (until the next key frame), and frames over the buffer's bounds.
    /// </summary>
    public long FramesDropped { get; private set; }

    /// <summary>Frames dropped because the reader fell behind (the buffer holds 64).</summary>
    public long FramesOverflowed => Interlocked.Read(ref _framesOverflowed);

    /// <summary>RTP packets dropped because the reader fell behind (the buffer holds 1,024).</summary>
    public long PacketsOverflowed => Interlocked.Read(ref _packetsOverflowed);

    /// <summary>
    /// When the first RTP packet of this track arrived: a timestamp of the connection's
    /// <see cref="RTCPeerConnectionOptions.TimeProvider"/> (<see cref="TimeProvider.GetTimestamp"/>; compare with
    /// <see cref="TimeProvider.GetElapsedTime(long, long)"/>), or null before the first packet.
    /// </summary>
    public long? FirstPacketTimestamp => Volatile.Read(ref _firstPacketTimestamp) is var t && t != NotYet ? t : null;

    /// <summary>
    /// When the first complete key frame (for audio: the first frame) was delivered to the frame buffer: a timestamp of the
    /// connection's <see cref="RTCPeerConnectionOptions.TimeProvider"/>, or null before it. A viewer can show a picture
    /// from then on (time to first frame).
    /// </summary>
    public long? FirstKeyFrameTimestamp => Volatile.Read(ref _firstKeyFrameTimestamp) is var t && t != NotYet ? t : null;

    /// <summary>The jitter buffer's latency target (see <see cref="RTCRtpReceiver.JitterBufferTarget"/>).</summary>
    internal TimeSpan? JitterBufferTarget
    {
        get
        {
            lock (_gate)
            {
                return _jitterTarget;
            }
        }

        set
        {
            JitterBuffer.ValidateTarget(value);
            lock (_gate)
            {
                _jitterTarget = value;
                if (_jitter is { } jitter)
                {
                    jitter.Target = value;
                    ReleaseDue(jitter, Now);
                }
            }
        }
    }

    /// <summary>The delay the jitter buffer uses now after a frame's expected arrival (0 before the first packet).</summary>
    internal TimeSpan JitterBufferDelay
    {
        get
        {
            lock (_gate)
            {
                return _jitter?.CurrentDelay ?? TimeSpan.Zero;
            }
        }
    }

    /// <summary>Frames held by the jitter buffer now (bounded by its options).</summary>
    internal int JitterBufferHeldFrames
    {
        get
        {
            lock (_gate)
            {
                return _jitter?.HeldFrames ?? 0;
            }
        }
    }

    /// <summary>Packets held by the jitter buffer behind a missing one now (bounded by its reorder window).</summary>
    internal int JitterBufferPendingPackets
    {
        get
        {
            lock (_gate)
            {
                return _jitter?.PendingPackets ?? 0;
            }
        }
    }

    /// <summary>The longest delay between two frames handed to the reader so far (video).</summary>
    internal TimeSpan MaxInterFrameDelay
    {
        get
        {
            lock (_gate)
            {
                return _interFrame.MaxInterFrameDelay;
            }
        }
    }

    /// <summary>
    /// Called (under the track's lock, on the receive path or the track's timer) when video stops being decodable until the
    /// next key frame: packets missing so far belong to frames that will be dropped anyway.
    /// </summary>
    internal Action? DecodeBroken { get; set; }

    /// <summary>
    /// Called (under the track's lock, on the receive path) with a sequence number below which missing packets are no longer
    /// worth repairing (video waits for a key frame).
    /// </summary>
    internal Action<ushort>? RepairHorizon { get; set; }

    private TimeSpan Now => _clock.GetElapsedTime(0);

    /// <summary>The jitter-buffer, inter-frame and freeze counters (W3C inbound-rtp).</summary>
    internal JitterBufferSnapshot GetJitterBufferSnapshot()
    {
        lock (_gate)
        {
            var current = _jitter is { } jitter
                ? new JitterBufferSnapshot(jitter.EmittedCount, jitter.TotalDelay, jitter.TotalTargetDelay, jitter.TotalMinimumDelay, 0, 0, 0, 0)
                : default;
            return new JitterBufferSnapshot(
                _retired.EmittedCount + current.EmittedCount,
                _retired.TotalDelay + current.TotalDelay,
                _retired.TotalTargetDelay + current.TotalTargetDelay,
                _retired.TotalMinimumDelay + current.TotalMinimumDelay,
                _interFrame.FreezeCount,
                _interFrame.TotalFreezesDuration,
                _interFrame.TotalInterFrameDelay,
                _interFrame.TotalSquaredInterFrameDelay);
        }
    }

    /// <summary>
    /// Asks the sender for a key frame (an RTCP picture loss indication), e.g. when this track's frames are forwarded to
    /// a new consumer that must start on a key frame. Sent at most every 300 ms per track; nothing is sent when the
    /// track is audio, not negotiated yet, or the peer did not negotiate <c>nack pli</c>.
    /// </summary>
    public void RequestKeyFrame()
    {
        if (Kind == MediaStreamTrackKind.Video)
        {
            _requestKeyFrame?.Invoke();
        }
    }

    /// <summary>
    /// Completes when the first key frame is readable (when <see cref="FirstKeyFrameTimestamp"/> is set); never faults, and
    /// stays pending when the track ends first. A viewer uses it to measure or show time to first frame.
    /// </summary>
    public Task FirstKeyFrame => _firstKeyFrame.Task;

    /// <summary>Whole frames, in order, until the track ends (the connection closes or the transceiver stops).</summary>
    public async IAsyncEnumerable<EncodedFrame> ReadFramesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await _frames.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_frames.Reader.TryRead(out var frame))
            {
                yield return frame;
            }
        }
    }

    /// <summary>Reads the next decrypted RTP packet; from the first call on, packets are buffered.</summary>
    /// <exception cref="ChannelClosedException">The track ended.</exception>
    public ValueTask<RtpPacketData> ReadRtpAsync(CancellationToken cancellationToken = default)
    {
        Volatile.Write(ref _rtpWanted, true);
        return _packets.Reader.ReadAsync(cancellationToken);
    }

    /// <summary>Delivers one decrypted RTP packet (called by the connection's receive path, one packet at a time).</summary>
    internal void Deliver(ReadOnlySpan<byte> packet, int payloadOffset, int payloadLength, byte payloadType, ushort sequence, uint timestamp,
        uint ssrc, bool marker, RTCRtpCodec codec)
    {
        lock (_gate)
        {
            if (_firstPacketTimestamp == NotYet)
            {
                Volatile.Write(ref _firstPacketTimestamp, _clock.GetTimestamp());
            }

            PacketsReceived++;
            BytesReceived += payloadLength;
            if (Volatile.Read(ref _rtpWanted))
            {
                _packets.Writer.TryWrite(new RtpPacketData(payloadType, sequence, timestamp, ssrc, marker, packet.ToArray(), payloadOffset, payloadLength));
            }

            if (!ReferenceEquals(Codec, codec))
            {
                Codec = codec;
            }

            if (_ended)
            {
                return;
            }

            if (!string.Equals(_jitterCodec, codec.Name, StringComparison.OrdinalIgnoreCase))
            {
                ReplaceJitterBuffer(codec);
            }

            if (_jitter is not { } jitter)
            {
                return;
            }

            var now = Now;
            var dropped = jitter.FramesDropped;
            jitter.Push(sequence, timestamp, marker, packet.Slice(payloadOffset, payloadLength), now);
            FramesDropped += jitter.FramesDropped - dropped;
            if (jitter.TakeRepairHorizon(out var horizon))
            {
                RepairHorizon?.Invoke(horizon);
            }

            ReleaseDue(jitter, now);
        }
    }

    /// <summary>Ends the track: readers finish once the buffers are drained.</summary>
    internal void End()
    {
        lock (_gate)
        {
            _ended = true;
            _frames.Writer.TryComplete();
            _packets.Writer.TryComplete();
            _timer?.Dispose();
            _timer = null;
            _jitter?.Dispose();
            _jitter = null;
        }
    }

    private void ReplaceJitterBuffer(RTCRtpCodec codec)
    {
        if (_jitter is { } old)
        {
            _retired = new JitterBufferSnapshot(_retired.EmittedCount + old.EmittedCount, _retired.TotalDelay + old.TotalDelay,
                _retired.TotalTargetDelay + old.TotalTargetDelay, _retired.TotalMinimumDelay + old.TotalMinimumDelay, 0, 0, 0, 0);
            old.Dispose();
        }

        _decodeBreaksSeen = 0;

        _jitter = RtpCodecFactory.CreateDepacketizer(codec.Name) is { } depacketizer
            ? new JitterBuffer(depacketizer, JitterBufferOptions.For(codec.Name)) { Target = _jitterTarget }
            : null;
        _jitterCodec = codec.Name;
        _clockRate = codec.ClockRate;
    }

    // Under the gate: publish what is due, ask for a key frame if the buffer wants one, arm the timer for the next due time.
    private void ReleaseDue(JitterBuffer jitter, TimeSpan now)
    {
        var dropped = jitter.FramesDropped;
        while (jitter.TryRead(now, out var frame))
        {
            Publish(frame, now);
        }

        FramesDropped += jitter.FramesDropped - dropped;
        if (jitter.DecodeBreaks != _decodeBreaksSeen)
        {
            _decodeBreaksSeen = jitter.DecodeBreaks;
            DecodeBroken?.Invoke();
        }

        if (jitter.TakeKeyFrameRequest())
        {
            _requestKeyFrame?.Invoke();
        }

        if (jitter.NextTimeout is { } due && due != _timerDue)
        {
            _timer ??= _clock.CreateTimer(static state => ((RemoteMediaTrack)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timerDue = due;
            _timer.Change(due > now ? due - now : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnTimer()
    {
        lock (_gate)
        {
            _timerDue = TimeSpan.MaxValue;
            if (!_ended && _jitter is { } jitter)
            {
                ReleaseDue(jitter, Now);
            }
        }
    }

    private void Publish(JitterBufferFrame frame, TimeSpan now)
    {
        var isKey = Kind == MediaStreamTrackKind.Audio || frame.IsKeyFrame;
        if (Kind == MediaStreamTrackKind.Video)
        {
            _interFrame.OnFrame(now);
        }
        // The 32-bit RTP clock wraps every ~13 h at 90 kHz: unwrap, then count from the first frame.
        var extended = _timestamps.Unwrap(frame.Timestamp);
        if (_firstTimestamp < 0)
        {
            _firstTimestamp = extended;
        }

        var time = TimeSpan.FromTicks((extended - _firstTimestamp) * TimeSpan.TicksPerSecond / _clockRate);
        FramesReceived++;
        if (isKey)
        {
            KeyFramesReceived++;
        }

        var firstKey = _firstKeyFrameTimestamp == NotYet;
        if (firstKey)
        {
            Volatile.Write(ref _firstKeyFrameTimestamp, _clock.GetTimestamp());
        }

        _frames.Writer.TryWrite(new EncodedFrame(frame.Data.ToArray(), time, isKey) { RtpTimestamp = frame.Timestamp });
        if (firstKey)
        {
            _firstKeyFrame.TrySetResult(); // after the frame is readable: a waiter that then reads gets it at once
        }
    }
}
