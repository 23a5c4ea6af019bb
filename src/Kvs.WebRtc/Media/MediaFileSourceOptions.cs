namespace Kvs.WebRtc.Media;

/// <summary>Options of a <see cref="MediaFileSource"/>.</summary>
public sealed class MediaFileSourceOptions
{
    /// <summary>
    /// Frame rate of video without timestamps (Annex-B streams, frame directories); also the fallback duration of an
    /// IVF frame whose timestamps do not advance. Default 30; must be in (0, 10000).
    /// </summary>
    public double FramesPerSecond { get; init; } = 30;

    /// <summary>Start again from the first frame at the end of a file or directory (not possible for a stream). Default true.</summary>
    public bool Loop { get; init; } = true;

    /// <summary>
    /// Answer <see cref="PeerConnection.Media.LocalMediaTrack.KeyFrameRequested"/> of video from a file or directory by
    /// playing on from the last key frame (with its parameter sets), so a viewer that joins mid-stream starts at once.
    /// Default true.
    /// </summary>
    public bool ReplayKeyFrameOnRequest { get; init; } = true;

    /// <summary>Largest frame accepted from a stream or one file of a frame directory, in bytes. Default 8 MiB.</summary>
    public int MaxFrameBytes { get; init; } = 8 << 20;

    /// <summary>Clock that paces the frames; default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal MediaFileSourceOptions Validate()
    {
        AnnexBReader.ValidateFrameRate(FramesPerSecond);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFrameBytes, 1024, nameof(MaxFrameBytes));
        ArgumentNullException.ThrowIfNull(TimeProvider);
        return this;
    }
}
