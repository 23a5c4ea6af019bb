using System.Security.Cryptography;
using Kvs.WebRtc.PeerConnection.Codecs;

namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>
/// A local track fed with encoded frames (H.264/H.265 access units in Annex-B or length-prefixed form, VP8/VP9 frames,
/// Opus or G.711 packets). Each frame is packetized once (RFC 6184, 7798, 7741, 9628, 7587, 3551) and sent to every
/// bound sender; a sender bound mid-stream waits for the next key frame and raises
/// <see cref="LocalMediaTrack.KeyFrameRequested"/> (the pion <c>TrackLocalStaticSample</c> idea).
/// </summary>
/// <remarks>
/// <para>RTP timestamps come from <see cref="EncodedFrame.Timestamp"/> (media time since the stream started) and the
/// codec's clock rate, from a random start: computed from the absolute time, so they never drift. The sequence
/// number starts at random and is shared by every sender of the track.</para>
/// <para>Thread-safety: writes are serialized; any thread may write. Nothing is buffered: a write sends synchronously
/// and returns, so memory stays flat whatever the number of viewers.</para>
/// </remarks>
public sealed class EncodedFrameTrack : LocalMediaTrack
{
    private readonly object _writeGate = new();
    private readonly RtpPayloader _payloader;
    private readonly RtpTimestampClock _clock;
    private byte[][] _packets = [];
    private int[] _lengths = [];
    private ushort _sequence = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue);
    private TimeSpan _nextTimestamp;
    private TimeSpan? _rateWindowStart; // media time of the frame that opened the frame-rate window
    private int _rateWindowFrames;
    private double _framesPerSecond = double.NaN;

    /// <summary>Creates a track for frames of <paramref name="codec"/> (one of the static <see cref="RTCRtpCodec"/> members).</summary>
    /// <exception cref="ArgumentException">The codec cannot be packetized by this stack.</exception>
    public EncodedFrameTrack(RTCRtpCodec codec, string? id = null)
        : base(codec, id)
    {
        _payloader = RtpCodecFactory.CreatePayloader(codec.Name)
            ?? throw new ArgumentException($"No RTP packetizer for {codec.MimeType}.", nameof(codec));
        _clock = RtpTimestampClock.CreateRandom(codec.ClockRate);
    }

    /// <summary>Frames written.</summary>
    public long FramesWritten { get; private set; }

    /// <summary>The frame rate over the last whole second of media time (from the frames' timestamps), or null before one (W3C <c>framesPerSecond</c>).</summary>
    internal double? FramesPerSecond => Volatile.Read(ref _framesPerSecond) is var fps && double.IsNaN(fps) ? null : fps;

    /// <summary>Frames the packetizer refused (empty, malformed, or an Opus frame over <see cref="LocalMediaTrack.MaxPayloadSize"/>).</summary>
    public long FramesRejected => _payloader.FramesRejected;

    /// <summary>
    /// Sends a frame to every bound sender. Key frames are also recognized from the bitstream (H.264 IDR, H.265 IRAP,
    /// VP8/VP9 key frames) when <see cref="EncodedFrame.IsKeyFrame"/> is false.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled before sending.</exception>
    public ValueTask WriteFrameAsync(EncodedFrame frame, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeGate)
        {
            WriteLocked(frame);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Sends a frame of <paramref name="duration"/> that follows the previous one (its time is the sum of the durations before it).</summary>
    public ValueTask WriteFrameAsync(ReadOnlyMemory<byte> data, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeGate)
        {
            WriteLocked(new EncodedFrame(data, _nextTimestamp, false));
            _nextTimestamp += duration;
        }

        return ValueTask.CompletedTask;
    }

    private void WriteLocked(EncodedFrame frame)
    {
        FramesWritten++;
        _nextTimestamp = frame.Timestamp;
        MeasureFrameRate(frame.Timestamp);
        var bindings = Bindings;
        _payloader.BeginFrame(frame.Data);
        if (_payloader.LastFrameRejected)
        {
            return;
        }

        var isKeyFrame = Kind == MediaStreamTrackKind.Audio || frame.IsKeyFrame || (_payloader.LastFrameFlags & RtpPayloaderFrameFlags.KeyFrame) != 0;
        var timestamp = _clock.GetTimestamp(frame.Timestamp);
        var count = 0;
        while (true)
        {
            EnsureCapacity(count + 1);
            var buffer = _packets[count];
            if (!_payloader.TryWriteNext(buffer.AsSpan(RtpFixedHeader.Length), MaxPayloadSize, out var written, out var isLast))
            {
                break;
            }

            var marker = isLast && Kind == MediaStreamTrackKind.Video;
            RtpFixedHeader.Write(buffer, marker, 0, _sequence++, unchecked(timestamp + _payloader.PayloadTimestampOffset), 0);
            _lengths[count++] = RtpFixedHeader.Length + written;
        }

        if (bindings.Length == 0 || count == 0)
        {
            return;
        }

        if (History is { } history)
        {
            var now = HistoryNow;
            for (var i = 0; i < count; i++)
            {
                history.Add(_packets[i].AsSpan(0, _lengths[i]), now, isKeyFrame);
            }
        }

        foreach (var binding in bindings)
        {
            if (!binding.SendFrame(_packets, _lengths, count, isKeyFrame, out var firstRequest))
            {
                RequestKeyFrame(bypassRateLimit: firstRequest);
            }
        }
    }

    // Frames per second of media time, over windows of at least one second (a timestamp going back restarts the window).
    private void MeasureFrameRate(TimeSpan timestamp)
    {
        if (_rateWindowStart is not { } start || timestamp < start)
        {
            _rateWindowStart = timestamp;
            _rateWindowFrames = 0;
            return;
        }

        _rateWindowFrames++;
        var elapsed = timestamp - start;
        if (elapsed >= TimeSpan.FromSeconds(1))
        {
            Volatile.Write(ref _framesPerSecond, _rateWindowFrames / elapsed.TotalSeconds);
            _rateWindowStart = timestamp;
            _rateWindowFrames = 0;
        }
    }

    private void EnsureCapacity(int count)
    {
        if (_packets.Length >= count)
        {
            return;
        }

        var size = Math.Max(count, _packets.Length * 2);
        var packets = new byte[size][];
        Array.Copy(_packets, packets, _packets.Length);
        for (var i = _packets.Length; i < size; i++)
        {
            packets[i] = new byte[RtpFixedHeader.Length + MaxPayloadSize];
        }

        _packets = packets;
        Array.Resize(ref _lengths, size);
    }
}
