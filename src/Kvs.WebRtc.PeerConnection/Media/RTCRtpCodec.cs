using System.Globalization;

namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>
/// A codec (W3C <see href="https://www.w3.org/TR/webrtc/#dom-rtcrtpcodec">RTCRtpCodec</see>): MIME type, RTP clock rate,
/// channels and fmtp line. The static members are the codecs this stack packetizes and depacketizes.
/// </summary>
/// <param name="MimeType"><c>video/H264</c>, <c>audio/opus</c>, ...</param>
/// <param name="ClockRate">The RTP clock rate in Hz (90,000 for video, 48,000 for Opus, 8,000 for G.711).</param>
/// <param name="Channels">Audio channels as SDP announces them (2 for Opus), else null.</param>
/// <param name="SdpFmtpLine">The fmtp parameters (without the payload type), or null.</param>
public sealed record RTCRtpCodec(string MimeType, int ClockRate, int? Channels = null, string? SdpFmtpLine = null)
{
    /// <summary>H.264 Constrained Baseline level 3.1, packetization-mode 1 (profile-level-id 42e01f): decoded by every browser.</summary>
    public static RTCRtpCodec H264 { get; } = new("video/H264", 90000, null, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");

    /// <summary>H.265 (RFC 7798).</summary>
    public static RTCRtpCodec H265 { get; } = new("video/H265", 90000);

    /// <summary>VP8 (RFC 7741).</summary>
    public static RTCRtpCodec Vp8 { get; } = new("video/VP8", 90000);

    /// <summary>VP9 (RFC 9628), profile 0.</summary>
    public static RTCRtpCodec Vp9 { get; } = new("video/VP9", 90000, null, "profile-id=0");

    /// <summary>Opus (RFC 7587), 48 kHz, announced with 2 channels.</summary>
    public static RTCRtpCodec Opus { get; } = new("audio/opus", 48000, 2, "minptime=10;useinbandfec=1");

    /// <summary>G.711 μ-law, 8 kHz (static payload type 0).</summary>
    public static RTCRtpCodec Pcmu { get; } = new("audio/PCMU", 8000);

    /// <summary>G.711 A-law, 8 kHz (static payload type 8).</summary>
    public static RTCRtpCodec Pcma { get; } = new("audio/PCMA", 8000);

    /// <summary>The kind from the MIME type's top-level type.</summary>
    public MediaStreamTrackKind Kind => MimeType.StartsWith("audio/", StringComparison.OrdinalIgnoreCase) ? MediaStreamTrackKind.Audio : MediaStreamTrackKind.Video;

    /// <summary>The encoding name (the MIME subtype), e.g. <c>H264</c>.</summary>
    public string Name => MimeType[(MimeType.IndexOf('/', StringComparison.Ordinal) + 1)..];

    /// <inheritdoc/>
    public override string ToString() =>
        SdpFmtpLine is null ? $"{MimeType}/{ClockRate.ToString(CultureInfo.InvariantCulture)}" : $"{MimeType}/{ClockRate.ToString(CultureInfo.InvariantCulture)} ({SdpFmtpLine})";
}
