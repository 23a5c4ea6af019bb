namespace Kvs.WebRtc.InteropTests.Support;

/// <summary>
/// A browser's <c>remote-outbound-rtp</c> stats of one kind (W3C webrtc-stats): what the sender's RTCP sender reports
/// told the browser. All zero (and <see cref="Exists"/> false) before the first SR.
/// </summary>
public sealed record RemoteOutboundRtpStats
{
    /// <summary>True when the browser has received a sender report for a stream of this kind.</summary>
    public bool Exists { get; init; }

    /// <summary>The codec's MIME type.</summary>
    public string MimeType { get; init; } = string.Empty;

    /// <summary>The SSRC of the sender.</summary>
    public long Ssrc { get; init; }

    /// <summary>The sender's packet count from its last SR.</summary>
    public long PacketsSent { get; init; }

    /// <summary>The sender's octet count from its last SR.</summary>
    public long BytesSent { get; init; }

    /// <summary>Sender reports received.</summary>
    public long ReportsSent { get; init; }

    /// <summary>The sender's NTP time in its last SR, in milliseconds since the Unix epoch.</summary>
    public double RemoteTimestamp { get; init; }
}
