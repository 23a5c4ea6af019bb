namespace Kvs.WebRtc.InteropTests.Support;

/// <summary>
/// A browser's <c>outbound-rtp</c> stats of one kind (W3C webrtc-stats, read from Chromium or Firefox); all zero (and
/// <see cref="Exists"/> false) before any exist.
/// </summary>
public sealed record OutboundRtpStats
{
    /// <summary>True when the browser has an outbound RTP stream of this kind.</summary>
    public bool Exists { get; init; }

    /// <summary>The codec's MIME type.</summary>
    public string MimeType { get; init; } = string.Empty;

    /// <summary>The SSRC.</summary>
    public long Ssrc { get; init; }

    /// <summary>RTP payload bytes sent.</summary>
    public long BytesSent { get; init; }

    /// <summary>RTP packets sent.</summary>
    public long PacketsSent { get; init; }

    /// <summary>Frames encoded (video).</summary>
    public long FramesEncoded { get; init; }

    /// <summary>Key frames encoded (video).</summary>
    public long KeyFramesEncoded { get; init; }

    /// <summary>The encoder's target bitrate in bit/s.</summary>
    public double TargetBitrate { get; init; }

    /// <summary>NACKs received from the remote peer.</summary>
    public long NackCount { get; init; }

    /// <summary>PLIs received from the remote peer.</summary>
    public long PliCount { get; init; }
}
