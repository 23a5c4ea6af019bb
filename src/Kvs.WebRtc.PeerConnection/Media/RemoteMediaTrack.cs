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
/// <para>Frames are buffered from the first packet on. RTP packets are buffered only once <see cref="ReadRtpAsync"/>
/// has been called. Video frames start at a key frame: delta frames before the first key frame are dropped (the
/// connection asks the sender for one with PLI).</para>
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
    private RtpFrameAssembler? _assembler;
    private string? _assemblerCodec;
    private int _clockRate = 90000;
    private bool _rtpWanted;
    private bool _sawKeyFrame;
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

    /// <summary>Frames that could not be completed (a packet lost) or came before the first key frame.</summary>
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

    /// <summary>Completes when <see cref="FirstKeyFrameTimestamp"/> is set; never faults (a track that ends first leaves it pending).</summary>
    internal Task FirstKeyFrame => _firstKeyFrame.Task;

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

            if (!string.Equals(_assemblerCodec, codec.Name, StringComparison.OrdinalIgnoreCase))
            {
                _assembler?.Dispose();
                _assembler = RtpCodecFactory.CreateAssembler(codec.Name);
                _assemblerCodec = codec.Name;
                _clockRate = codec.ClockRate;
            }

            if (_assembler is not { } assembler)
            {
                return;
            }

            var droppedBefore = assembler.FramesDropped;
            var completed = assembler.Push(sequence, timestamp, marker, packet.Slice(payloadOffset, payloadLength));
            if (assembler.FramesDropped != droppedBefore)
            {
                FramesDropped += assembler.FramesDropped - droppedBefore;
                _requestKeyFrame?.Invoke();
            }

            if (completed == 0 && assembler.QueuedFrames == 0)
            {
                return;
            }

            while (assembler.TryReadFrame(out var frame))
            {
                Publish(frame);
            }
        }
    }

    /// <summary>Ends the track: readers finish once the buffers are drained.</summary>
    internal void End()
    {
        lock (_gate)
        {
            _frames.Writer.TryComplete();
            _packets.Writer.TryComplete();
            _assembler?.Dispose();
            _assembler = null;
        }
    }

    private void Publish(AssembledFrame frame)
    {
        var isKey = Kind == MediaStreamTrackKind.Audio || frame.IsKeyFrame;
        if ((!_sawKeyFrame && !isKey) || !frame.IsComplete)
        {
            FramesDropped++;
            _requestKeyFrame?.Invoke();
            return;
        }

        _sawKeyFrame = true;
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
