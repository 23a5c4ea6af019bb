namespace Kvs.WebRtc.InteropTests.Support;

/// <summary>
/// A browser's <c>remote-inbound-rtp</c> stats of one kind (W3C webrtc-stats): what the receiver's RTCP report blocks
/// told the browser about a stream it sends. All zero (and <see cref="Exists"/> false) before the first report block.
/// </summary>
public sealed record RemoteInboundRtpStats
{
    /// <summary>True when the browser has received a report block for a stream of this kind.</summary>
    public bool Exists { get; init; }

    /// <summary>The codec's MIME type.</summary>
    public string MimeType { get; init; } = string.Empty;

    /// <summary>The SSRC of the browser's stream.</summary>
    public long Ssrc { get; init; }

    /// <summary>Cumulative loss the receiver reported.</summary>
    public long PacketsLost { get; init; }

    /// <summary>Jitter the receiver reported, in seconds.</summary>
    public double Jitter { get; init; }

    /// <summary>The latest round-trip time in seconds (from LSR/DLSR).</summary>
    public double RoundTripTime { get; init; }

    /// <summary>Round-trip times measured.</summary>
    public long RoundTripTimeMeasurements { get; init; }
}
