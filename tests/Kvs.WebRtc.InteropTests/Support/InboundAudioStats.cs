namespace Kvs.WebRtc.InteropTests.Support;

/// <summary>
/// A browser's <c>inbound-rtp</c> stats of kind audio (W3C webrtc-stats, read from Chromium or Firefox); all zero (and
/// <see cref="Exists"/> false) before any exist.
/// </summary>
public sealed record InboundAudioStats
{
    /// <summary>True when the browser has an inbound audio RTP stream.</summary>
    public bool Exists { get; init; }

    /// <summary>The codec's MIME type, e.g. <c>audio/opus</c>, <c>audio/PCMU</c>.</summary>
    public string MimeType { get; init; } = string.Empty;

    /// <summary>RTP packets received.</summary>
    public long PacketsReceived { get; init; }

    /// <summary>RTP packets lost.</summary>
    public long PacketsLost { get; init; }

    /// <summary>Samples received (decoded plus concealed).</summary>
    public long TotalSamplesReceived { get; init; }

    /// <summary>Samples concealed (made up for missing or late packets).</summary>
    public long ConcealedSamples { get; init; }

    /// <summary>Current audio level, 0..1.</summary>
    public double AudioLevel { get; init; }

    /// <summary>Total audio energy (W3C definition), grows with sound.</summary>
    public double TotalAudioEnergy { get; init; }
}
