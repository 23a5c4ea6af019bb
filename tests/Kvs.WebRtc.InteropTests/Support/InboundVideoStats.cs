namespace Kvs.WebRtc.InteropTests.Support;

/// <summary>
/// A browser's <c>inbound-rtp</c> stats of kind video (W3C webrtc-stats, read from Chromium or Firefox), all zero (and
/// <see cref="Exists"/> false) before any such report exists.
/// </summary>
public sealed record InboundVideoStats
{
    /// <summary>True when the browser has an inbound video RTP stream.</summary>
    public bool Exists { get; init; }

    /// <summary>The codec's MIME type, e.g. <c>video/VP8</c>, <c>video/H264</c>.</summary>
    public string MimeType { get; init; } = string.Empty;

    /// <summary>The SSRC.</summary>
    public long Ssrc { get; init; }

    /// <summary>Frames decoded.</summary>
    public long FramesDecoded { get; init; }

    /// <summary>Key frames decoded.</summary>
    public long KeyFramesDecoded { get; init; }

    /// <summary>Complete frames received.</summary>
    public long FramesReceived { get; init; }

    /// <summary>Frames dropped before decoding.</summary>
    public long FramesDropped { get; init; }

    /// <summary>Width of the last decoded frame.</summary>
    public int FrameWidth { get; init; }

    /// <summary>Height of the last decoded frame.</summary>
    public int FrameHeight { get; init; }

    /// <summary>RTP packets received.</summary>
    public long PacketsReceived { get; init; }

    /// <summary>RTP packets lost (may be negative with duplicates).</summary>
    public long PacketsLost { get; init; }

    /// <summary>NACKs the browser sent.</summary>
    public long NackCount { get; init; }

    /// <summary>PLIs the browser sent.</summary>
    public long PliCount { get; init; }

    /// <summary>FIRs the browser sent.</summary>
    public long FirCount { get; init; }

    /// <summary>Video freezes.</summary>
    public long FreezeCount { get; init; }

    /// <summary>Total freeze time in seconds.</summary>
    public double TotalFreezesDuration { get; init; }

    /// <summary>Bytes of RTP payload received.</summary>
    public long BytesReceived { get; init; }
}
