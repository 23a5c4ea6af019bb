namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>What <see cref="RtpPayloader.BeginFrame"/> found in the last frame it was given.</summary>
/// <remarks>
/// <see cref="Empty"/>, <see cref="TooLarge"/> and <see cref="Malformed"/> reject the frame: it produces no payload.
/// The other flags are informational and the frame is still sent.
/// </remarks>
[Flags]
internal enum RtpPayloaderFrameFlags
{
    /// <summary>Nothing to report.</summary>
    None = 0,

    /// <summary>The frame had no bytes (or no NAL unit with content): nothing is sent.</summary>
    Empty = 1,

    /// <summary>The frame cannot be split and is larger than the payload size (Opus): nothing is sent.</summary>
    TooLarge = 2,

    /// <summary>The frame could not be parsed (e.g. a length prefix beyond the end): nothing is sent.</summary>
    Malformed = 4,

    /// <summary>A key frame (H.264 IDR, H.265 IRAP) without parameter sets, and none were cached: sent as is.</summary>
    MissingParameterSets = 8,

    /// <summary>Cached parameter sets were put in front of a key frame that came without them.</summary>
    ParameterSetsInserted = 16,

    /// <summary>The frame is a key frame.</summary>
    KeyFrame = 32,

    /// <summary>
    /// <see cref="RtpPayloader.TryWriteNext"/> was given a payload size too small to make progress; the rest of the
    /// frame was abandoned.
    /// </summary>
    Truncated = 64,
}
