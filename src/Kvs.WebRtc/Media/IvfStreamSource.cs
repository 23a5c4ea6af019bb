using System.Buffers.Binary;
using System.Text;
using Kvs.WebRtc.PeerConnection.Media;

namespace Kvs.WebRtc.Media;

/// <summary>
/// Frames read incrementally from an IVF stream (ffmpeg <c>-f ivf -</c>): two alternating frame buffers, one frame of
/// look-ahead for its duration (the next frame's pts minus its own).
/// </summary>
internal sealed class IvfStreamSource : IMediaFrameSource
{
    private readonly Stream _stream;
    private readonly MediaFileSourceOptions _options;
    private readonly string? _name;
    private readonly byte[] _header = new byte[32];
    private byte[] _current = [];
    private byte[] _next = [];
    private int _nextLength;
    private long _nextPts;
    private bool _hasNext;
    private bool _started;
    private long _offset;
    private int _index;
    private uint _numerator;
    private uint _denominator;
    private RTCRtpCodec? _codec;
    private TimeSpan _lastDuration;

    public IvfStreamSource(Stream stream, MediaFileSourceOptions options, string? name)
    {
        _stream = stream;
        _options = options;
        _name = name;
        _lastDuration = TimeSpan.FromTicks((long)Math.Round(TimeSpan.TicksPerSecond / options.FramesPerSecond));
    }

    public RTCRtpCodec Codec => _codec ?? throw new InvalidOperationException("The IVF header was not read yet.");

    public int? Count => null;

    public bool CanSeek => false;

    /// <summary>Reads the 32-byte file header (the codec is known after it).</summary>
    public async ValueTask ReadHeaderAsync(CancellationToken cancellationToken)
    {
        if (await ReadFullyAsync(_header, cancellationToken).ConfigureAwait(false) < 32 || !_header.AsSpan(0, 4).SequenceEqual("DKIF"u8))
        {
            throw new MediaFormatException("Not an IVF stream: it does not begin with a 32-byte 'DKIF' header.", 0, _name);
        }

        var headerSize = BinaryPrimitives.ReadUInt16LittleEndian(_header.AsSpan(6));
        if (headerSize is < 32 or > 1024)
        {
            throw new MediaFormatException($"IVF header size {headerSize} is outside 32..1024.", 6, _name);
        }

        _denominator = BinaryPrimitives.ReadUInt32LittleEndian(_header.AsSpan(16));
        _numerator = BinaryPrimitives.ReadUInt32LittleEndian(_header.AsSpan(20));
        if (_denominator == 0 || _numerator == 0)
        {
            throw new MediaFormatException($"IVF timebase {_numerator}/{_denominator} is invalid.", 16, _name);
        }

        _codec = MediaFrameSources.IvfCodec(Encoding.ASCII.GetString(_header, 8, 4), _name);
        var skip = new byte[headerSize - 32];
        if (await ReadFullyAsync(skip, cancellationToken).ConfigureAwait(false) < skip.Length)
        {
            throw new MediaFormatException("The IVF stream ends inside its header.", _offset, _name);
        }
    }

    public async ValueTask<SourceFrame?> ReadAsync(CancellationToken cancellationToken)
    {
        if (!_started)
        {
            _started = true;
            _hasNext = await ReadFrameAsync(cancellationToken).ConfigureAwait(false);
        }

        if (!_hasNext)
        {
            return null;
        }

        (_current, _next) = (_next, _current);
        var length = _nextLength;
        var pts = _nextPts;
        _hasNext = await ReadFrameAsync(cancellationToken).ConfigureAwait(false);
        if (_hasNext)
        {
            var duration = TimeSpan.FromTicks((long)Math.Round((double)(_nextPts - pts) * _numerator / _denominator * TimeSpan.TicksPerSecond));
            if (duration > TimeSpan.Zero && duration <= TimeSpan.FromSeconds(10))
            {
                _lastDuration = duration;
            }
        }

        var data = _current.AsMemory(0, length);
        return new SourceFrame(data, _lastDuration, IvfReader.IsKeyFrame(_codec == RTCRtpCodec.Vp9 ? "VP90" : "VP80", data.Span), _index++);
    }

    public void Seek(int index) => throw new NotSupportedException("A stream cannot seek.");

    public void Dispose() => _stream.Dispose();

    /// <summary>Reads the next frame into <see cref="_next"/>; false at a clean end.</summary>
    private async ValueTask<bool> ReadFrameAsync(CancellationToken cancellationToken)
    {
        var frameOffset = _offset;
        var header = _header.AsMemory(0, 12);
        var got = await ReadFullyAsync(header, cancellationToken).ConfigureAwait(false);
        if (got == 0)
        {
            return false;
        }

        if (got < 12)
        {
            throw new MediaFormatException($"IVF frame {_index}: truncated frame header.", frameOffset, _name);
        }

        var size = BinaryPrimitives.ReadUInt32LittleEndian(header.Span);
        if (size > (uint)_options.MaxFrameBytes)
        {
            throw new MediaFormatException($"IVF frame {_index}: size {size} is over the {_options.MaxFrameBytes}-byte limit.", frameOffset, _name);
        }

        _nextPts = BinaryPrimitives.ReadInt64LittleEndian(header.Span[4..]);
        if (_next.Length < size)
        {
            _next = new byte[Math.Max((int)size, _next.Length * 2)];
        }

        if (await ReadFullyAsync(_next.AsMemory(0, (int)size), cancellationToken).ConfigureAwait(false) < size)
        {
            throw new MediaFormatException($"IVF frame {_index}: size {size} runs past the end.", frameOffset, _name);
        }

        _nextLength = (int)size;
        return true;
    }

    private async ValueTask<int> ReadFullyAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        var read = await _stream.ReadAtLeastAsync(destination, destination.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        _offset += read;
        return read;
    }
}
