namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// Maps an RTP codec name (SDP rtpmap encoding name, case-insensitive: H264, H265, VP8, VP9, opus, PCMU, PCMA) to
/// its payloader, depacketizer, clock rate and assembler limits.
/// </summary>
internal static class RtpCodecFactory
{
    /// <summary>The video RTP clock rate (RFC 6184, 7798, 7741, 9628).</summary>
    public const int VideoClockRate = 90000;

    /// <summary>True when the codec name is one we packetize.</summary>
    public static bool IsSupported(string codecName) => TryGetClockRate(codecName, out _);

    /// <summary>True for the video codecs.</summary>
    public static bool IsVideo(string codecName) => Normalize(codecName) is "H264" or "H265" or "VP8" or "VP9";

    /// <summary>The RTP clock rate: 90000 for video, 48000 for Opus, 8000 for G.711.</summary>
    public static bool TryGetClockRate(string codecName, out int clockRate)
    {
        clockRate = Normalize(codecName) switch
        {
            "H264" or "H265" or "VP8" or "VP9" => VideoClockRate,
            "OPUS" => OpusToc.ClockRate,
            "PCMU" or "PCMA" => G711.ClockRate,
            _ => 0,
        };
        return clockRate != 0;
    }

    /// <summary>A new payloader for the codec (H.264/H.265 take Annex-B access units), or null when unknown.</summary>
    public static RtpPayloader? CreatePayloader(string codecName) => Normalize(codecName) switch
    {
        "H264" => new H264Payloader(),
        "H265" => new H265Payloader(),
        "VP8" => new Vp8Payloader(),
        "VP9" => new Vp9Payloader(),
        "OPUS" => new OpusPayloader(),
        "PCMU" or "PCMA" => new G711Payloader(),
        _ => null,
    };

    /// <summary>A new depacketizer for the codec, or null when unknown.</summary>
    public static RtpDepacketizer? CreateDepacketizer(string codecName) => Normalize(codecName) switch
    {
        "H264" => new H264Depacketizer(),
        "H265" => new H265Depacketizer(),
        "VP8" => new Vp8Depacketizer(),
        "VP9" => new Vp9Depacketizer(),
        "OPUS" => new OpusDepacketizer(),
        "PCMU" or "PCMA" => new G711Depacketizer(),
        _ => null,
    };

    /// <summary>
    /// Assembler limits for the codec: video 4 MiB frames and a 300 ms reorder delay (long enough for a NACKed packet
    /// whose first retransmission was lost too to arrive at a usual RTT; the NACK generator gives up at 500 ms); audio
    /// 64 KiB frames and a 100 ms delay at its clock rate (audio is not NACKed and never waits on video).
    /// </summary>
    public static RtpFrameAssemblerOptions CreateAssemblerOptions(string codecName)
    {
        if (!TryGetClockRate(codecName, out var clockRate))
        {
            throw new ArgumentException($"Unknown codec '{codecName}'.", nameof(codecName));
        }

        return IsVideo(codecName)
            ? new RtpFrameAssemblerOptions { MaxReorderDelay = clockRate * 3 / 10 }
            : new RtpFrameAssemblerOptions { MaxFrameSize = 64 * 1024, MaxReorderDelay = clockRate / 10, ReorderWindow = 32 };
    }

    /// <summary>A frame assembler for the codec with <see cref="CreateAssemblerOptions"/>, or null when unknown.</summary>
    public static RtpFrameAssembler? CreateAssembler(string codecName) =>
        CreateDepacketizer(codecName) is { } depacketizer
            ? new RtpFrameAssembler(depacketizer, CreateAssemblerOptions(codecName))
            : null;

    private static string Normalize(string codecName) => (codecName ?? string.Empty).ToUpperInvariant();
}
