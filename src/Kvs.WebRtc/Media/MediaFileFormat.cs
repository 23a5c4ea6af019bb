namespace Kvs.WebRtc.Media;

/// <summary>The container or elementary-stream formats <see cref="MediaFileSource"/> reads.</summary>
public enum MediaFileFormat
{
    /// <summary>H.264 Annex-B elementary stream (<c>.h264</c>, <c>.264</c>; ffmpeg <c>-f h264</c>).</summary>
    H264AnnexB,

    /// <summary>H.265 Annex-B elementary stream (<c>.h265</c>, <c>.hevc</c>; ffmpeg <c>-f hevc</c>).</summary>
    H265AnnexB,

    /// <summary>IVF with VP8 or VP9 (<c>.ivf</c>; ffmpeg <c>-f ivf</c>).</summary>
    Ivf,

    /// <summary>Ogg Opus (<c>.ogg</c>, <c>.opus</c>; ffmpeg <c>-f ogg</c> or <c>-f opus</c>).</summary>
    OggOpus,
}
