using System.Buffers;
using Kvs.WebRtc.PeerConnection.Media;

namespace Kvs.WebRtc.Media;

/// <summary>
/// Access units read incrementally from an Annex-B stream (a pipe from ffmpeg <c>-f h264 -</c> or GStreamer
/// <c>fdsink</c>), one buffer that holds at most two access units' worth of bytes (bounded by the largest frame).
/// </summary>
internal sealed class AnnexBStreamSource : IMediaFrameSource
{
    private const int ReadSize = 64 << 10;
    private readonly Stream _stream;
    private readonly AnnexBCodec _codec;
    private readonly TimeSpan _duration;
    private readonly int _maxFrameBytes;
    private readonly string? _name;
    private readonly AnnexBParameterSetCache _parameterSets;
    private byte[] _buffer = new byte[4 * ReadSize];
    private int _start;
    private int _end;
    private bool _eof;
    private long _consumed;
    private int _index;

    public AnnexBStreamSource(Stream stream, AnnexBCodec codec, MediaFileSourceOptions options, string? name)
    {
        _stream = stream;
        _codec = codec;
        _duration = TimeSpan.FromTicks((long)Math.Round(TimeSpan.TicksPerSecond / options.FramesPerSecond));
        _maxFrameBytes = options.MaxFrameBytes;
        _name = name;
        _parameterSets = new AnnexBParameterSetCache(codec);
        Codec = codec == AnnexBCodec.H264 ? RTCRtpCodec.H264 : RTCRtpCodec.H265;
    }

    public RTCRtpCodec Codec { get; }

    public int? Count => null;

    public bool CanSeek => false;

    public async ValueTask<SourceFrame?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var pending = _buffer.AsSpan(_start, _end - _start);
            if (_eof && !pending.ContainsAnyExcept((byte)0))
            {
                return null;
            }

            var status = AnnexBReader.SplitNext(pending, _codec, _eof, out var length, out var isKey, out _, out var error);
            if (status == OperationStatus.Done)
            {
                var frame = _buffer.AsMemory(_start, length);
                _start += length;
                _consumed += length;
                return new SourceFrame(_parameterSets.Apply(frame, isKey), _duration, isKey, _index++);
            }

            if (status == OperationStatus.InvalidData)
            {
                throw new MediaFormatException(error.Reason, _consumed + error.Offset, _name);
            }

            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Seek(int index) => throw new NotSupportedException("A stream cannot seek.");

    public void Dispose() => _stream.Dispose();

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= _maxFrameBytes)
            {
                throw new MediaFormatException($"An access unit is larger than the {_maxFrameBytes}-byte limit (or the data is not Annex-B).", _consumed, _name);
            }

            Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, _maxFrameBytes));
        }

        var read = await _stream.ReadAsync(_buffer.AsMemory(_end, Math.Min(ReadSize, _buffer.Length - _end)), cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            _eof = true;
        }

        _end += read;
    }
}
