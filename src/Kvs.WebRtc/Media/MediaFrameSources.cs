using Kvs.WebRtc.PeerConnection.Media;

namespace Kvs.WebRtc.Media;

/// <summary>Opens the frame source for a file, a directory or a stream.</summary>
internal static class MediaFrameSources
{
    /// <summary>The format of a file from its extension, or null.</summary>
    public static MediaFileFormat? FormatFromExtension(string path) =>
        Path.GetExtension(path).ToUpperInvariant() switch
        {
            ".H264" or ".264" => MediaFileFormat.H264AnnexB,
            ".H265" or ".265" or ".HEVC" => MediaFileFormat.H265AnnexB,
            ".IVF" => MediaFileFormat.Ivf,
            ".OGG" or ".OPUS" or ".OGA" => MediaFileFormat.OggOpus,
            _ => null,
        };

    /// <summary>Reads a whole file (at most 64 MiB) into frames.</summary>
    public static ListFrameSource OpenFile(string path, MediaFileFormat format, MediaFileSourceOptions options)
    {
        switch (format)
        {
            case MediaFileFormat.H264AnnexB or MediaFileFormat.H265AnnexB:
                {
                    var codec = format == MediaFileFormat.H264AnnexB ? AnnexBCodec.H264 : AnnexBCodec.H265;
                    var units = AnnexBReader.ReadFile(path, codec, options.FramesPerSecond);
                    var cache = new AnnexBParameterSetCache(codec);
                    var duration = TimeSpan.FromTicks((long)Math.Round(TimeSpan.TicksPerSecond / options.FramesPerSecond));
                    var frames = units.Select(u => new SourceFrame(cache.Apply(u.AccessUnit, u.IsKeyFrame), duration, u.IsKeyFrame, u.Index)).ToList();
                    return new ListFrameSource(codec == AnnexBCodec.H264 ? RTCRtpCodec.H264 : RTCRtpCodec.H265, frames);
                }

            case MediaFileFormat.Ivf:
                {
                    var file = IvfReader.ReadFile(path);
                    var codec = IvfCodec(file.FourCc, path);
                    var fallback = TimeSpan.FromTicks((long)Math.Round(TimeSpan.TicksPerSecond / options.FramesPerSecond));
                    var frames = new List<SourceFrame>(file.Frames.Count);
                    for (var i = 0; i < file.Frames.Count; i++)
                    {
                        var duration = i + 1 < file.Frames.Count ? file.Frames[i + 1].Timestamp - file.Frames[i].Timestamp : TimeSpan.Zero;
                        if (duration <= TimeSpan.Zero || duration > TimeSpan.FromSeconds(10))
                        {
                            duration = i > 0 ? frames[i - 1].Duration : fallback;
                        }

                        frames.Add(new SourceFrame(file.Frames[i].Data, duration, file.Frames[i].IsKeyFrame, i));
                    }

                    return new ListFrameSource(codec, frames);
                }

            default:
                {
                    var file = OggOpusReader.ReadFile(path);
                    var frames = file.Packets.Select((p, i) => new SourceFrame(p.Data, p.Duration, true, i)).ToList();
                    return new ListFrameSource(RTCRtpCodec.Opus, frames);
                }
        }
    }

    /// <summary>The codec of an IVF fourcc this stack sends.</summary>
    public static RTCRtpCodec IvfCodec(string fourCc, string? source) => fourCc switch
    {
        "VP80" => RTCRtpCodec.Vp8,
        "VP90" => RTCRtpCodec.Vp9,
        _ => throw new MediaFormatException($"IVF fourcc '{fourCc}' is not VP80 or VP90.", 8, source),
    };
}
