using System.Globalization;
using Kvs.WebRtc.PeerConnection.Media;

namespace Kvs.WebRtc.Media;

/// <summary>
/// A directory of one-frame files, the KVS C SDK sample layout (<c>h264SampleFrames/frame-0001.h264</c>,
/// <c>opusSampleFrames/sample-001.opus</c>, <c>g711SampleFrames/sample-001.alaw</c>): files of the first known
/// extension, in the order of the number in their names; one file read at a time.
/// </summary>
internal sealed class FrameDirectorySource : IMediaFrameSource
{
    private readonly string[] _files;
    private readonly MediaFileSourceOptions _options;
    private readonly AnnexBCodec? _annexB;
    private readonly AnnexBParameterSetCache? _parameterSets;
    private readonly TimeSpan _videoDuration;
    private int _next;

    public FrameDirectorySource(string directory, MediaFileSourceOptions options)
    {
        _options = options;
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"No directory {directory}.");
        }

        var candidates = Directory.GetFiles(directory).Where(f => CodecOf(f) is not null).ToList();
        if (candidates.Count == 0)
        {
            throw new MediaFormatException("No frame files (.h264, .h265, .opus, .alaw, .ulaw) in the directory.", -1, directory);
        }

        var extension = candidates.Select(Path.GetExtension).GroupBy(e => e, StringComparer.OrdinalIgnoreCase).MaxBy(g => g.Count())!.Key;
        _files = candidates.Where(f => string.Equals(Path.GetExtension(f), extension, StringComparison.OrdinalIgnoreCase))
            .OrderBy(f => NumberIn(Path.GetFileNameWithoutExtension(f)))
            .ThenBy(f => f, StringComparer.Ordinal)
            .ToArray();
        Codec = CodecOf(_files[0])!;
        _annexB = Codec == RTCRtpCodec.H264 ? AnnexBCodec.H264 : Codec == RTCRtpCodec.H265 ? AnnexBCodec.H265 : null;
        _parameterSets = _annexB is { } codec ? new AnnexBParameterSetCache(codec) : null;
        _videoDuration = TimeSpan.FromTicks((long)Math.Round(TimeSpan.TicksPerSecond / options.FramesPerSecond));
    }

    public RTCRtpCodec Codec { get; }

    public bool CanSeek => true;

    public int? Count => _files.Length;

    public async ValueTask<SourceFrame?> ReadAsync(CancellationToken cancellationToken)
    {
        if (_next >= _files.Length)
        {
            return null;
        }

        var index = _next++;
        var path = _files[index];
        var length = new FileInfo(path).Length;
        if (length > _options.MaxFrameBytes)
        {
            throw new MediaFormatException($"{length} bytes is more than the {_options.MaxFrameBytes}-byte frame limit.", -1, path);
        }

        var data = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        if (data.Length == 0)
        {
            throw new MediaFormatException("The frame file is empty.", 0, path);
        }

        if (_annexB is { } annexB)
        {
            var isKey = false;
            foreach (var nal in AnnexBReader.SplitNalUnits(data))
            {
                var type = AnnexBReader.NalType(nal.Span, annexB);
                isKey |= annexB == AnnexBCodec.H264 ? type == 5 : type is >= 16 and <= 21;
            }

            return new SourceFrame(_parameterSets!.Apply(data, isKey), _videoDuration, isKey, index);
        }

        if (Codec == RTCRtpCodec.Opus)
        {
            if (!OggOpusReader.TryGetDurationSamples(data, out var samples))
            {
                throw new MediaFormatException("Not an Opus packet: invalid TOC/frame count (RFC 6716 §3.1).", 0, path);
            }

            return new SourceFrame(data, TimeSpan.FromTicks(samples * TimeSpan.TicksPerSecond / 48_000), true, index);
        }

        // G.711: one byte per sample at 8 kHz.
        return new SourceFrame(data, TimeSpan.FromTicks(data.Length * TimeSpan.TicksPerSecond / 8000), true, index);
    }

    public void Seek(int index) => _next = Math.Clamp(index, 0, _files.Length);

    public void Dispose()
    {
    }

    private static RTCRtpCodec? CodecOf(string path) => Path.GetExtension(path).ToUpperInvariant() switch
    {
        ".H264" or ".264" => RTCRtpCodec.H264,
        ".H265" or ".265" or ".HEVC" => RTCRtpCodec.H265,
        ".OPUS" => RTCRtpCodec.Opus,
        ".ALAW" => RTCRtpCodec.Pcma,
        ".ULAW" or ".MULAW" => RTCRtpCodec.Pcmu,
        _ => null,
    };

    /// <summary>The last run of digits in a name (frame-0012 → 12), or -1.</summary>
    private static long NumberIn(string name)
    {
        var end = name.Length;
        while (end > 0 && !char.IsAsciiDigit(name[end - 1]))
        {
            end--;
        }

        var start = end;
        while (start > 0 && char.IsAsciiDigit(name[start - 1]))
        {
            start--;
        }

        return end > start && end - start <= 18 ? long.Parse(name.AsSpan(start, end - start), NumberStyles.None, CultureInfo.InvariantCulture) : -1;
    }
}
