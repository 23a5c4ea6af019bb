using Kvs.WebRtc.PeerConnection.Codecs;
using Kvs.WebRtc.PeerConnection.Jsep;
using Kvs.WebRtc.PeerConnection.Rtp;
using Kvs.WebRtc.PeerConnection.Sdp;

namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>
/// The codecs this stack offers and accepts, with the payload types and rtcp-fb it offers them with, and the rules that
/// match an application's <see cref="RTCRtpCodec"/> with an SDP or negotiated codec (RFC 6184 §8.2.2 for H.264).
/// </summary>
internal static class MediaCodecs
{
    private static readonly string[] s_videoFeedback = ["goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"];
    private static readonly string[] s_opusFeedback = ["transport-cc"];

    /// <summary>Video codecs in default preference order: H.264 CB 42e01f, H.264 baseline 42001f, VP8, VP9, H.265.</summary>
    public static IReadOnlyList<SdpCodec> Video { get; } =
    [
        new(102, "H264", 90000, null, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f", s_videoFeedback),
        new(104, "H264", 90000, null, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f", s_videoFeedback),
        new(96, "VP8", 90000, null, null, s_videoFeedback),
        new(98, "VP9", 90000, null, "profile-id=0", s_videoFeedback),
        new(49, "H265", 90000, null, null, s_videoFeedback),
    ];

    /// <summary>Audio codecs in default preference order: Opus, PCMU, PCMA.</summary>
    public static IReadOnlyList<SdpCodec> Audio { get; } =
    [
        new(111, "opus", 48000, 2, "minptime=10;useinbandfec=1", s_opusFeedback),
        new(0, "PCMU", 8000),
        new(8, "PCMA", 8000),
    ];

    /// <summary>
    /// The RTP header extensions offered (and accepted, with the offerer's ids) for both kinds: mid (RFC 9143),
    /// abs-send-time and the transport-wide sequence number (congestion control feedback). Ids 1–3 keep them in the
    /// one-byte form (RFC 8285 §4.2), and are the same in every section as BUNDLE requires.
    /// </summary>
    public static IReadOnlyList<SdpExtMap> HeaderExtensions { get; } =
    [
        new(1, RtpExtensionUri.Mid),
        new(2, RtpExtensionUri.AbsSendTime),
        new(3, RtpExtensionUri.TransportWideCc),
    ];

    /// <summary>The default codec list of a kind.</summary>
    public static IReadOnlyList<SdpCodec> For(MediaStreamTrackKind kind) => kind == MediaStreamTrackKind.Audio ? Audio : Video;

    /// <summary>The SDP kind token.</summary>
    public static string Token(MediaStreamTrackKind kind) => kind == MediaStreamTrackKind.Audio ? "audio" : "video";

    /// <summary>The codec list with the codecs matching <paramref name="first"/> moved to the front.</summary>
    public static IReadOnlyList<SdpCodec> Preferring(IReadOnlyList<SdpCodec> codecs, RTCRtpCodec first)
    {
        var preferred = codecs.Where(c => Matches(first, c.Name, c.ClockRate, c.FormatParameters)).ToList();
        return preferred.Count == 0 ? codecs : [.. preferred, .. codecs.Where(c => !preferred.Contains(c))];
    }

    /// <summary>Whether an application codec can be sent with a negotiated payload format.</summary>
    public static bool Matches(RTCRtpCodec codec, NegotiatedCodec negotiated) =>
        Matches(codec, negotiated.Name, negotiated.ClockRate, negotiated.FormatParameters);

    /// <summary>Whether an application codec matches an SDP codec: same name and clock rate; for H.264 the same profile (level may differ) and packetization mode 1.</summary>
    public static bool Matches(RTCRtpCodec codec, string name, int clockRate, string? formatParameters)
    {
        ArgumentNullException.ThrowIfNull(codec);
        if (!string.Equals(codec.Name, name, StringComparison.OrdinalIgnoreCase) || codec.ClockRate != clockRate)
        {
            return false;
        }

        if (!string.Equals(name, "H264", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var theirs = H264FormatParameters.Parse(formatParameters);
        return theirs.PacketizationMode == 1 && (codec.SdpFmtpLine is null || H264FormatParameters.IsCompatible(H264FormatParameters.Parse(codec.SdpFmtpLine), theirs));
    }

    /// <summary>Maps application codecs to SDP codecs of the default list (keeping their payload types); unknown ones are skipped.</summary>
    public static IReadOnlyList<SdpCodec> FromPreferences(MediaStreamTrackKind kind, IEnumerable<RTCRtpCodec> preferences)
    {
        var result = new List<SdpCodec>();
        foreach (var codec in preferences)
        {
            result.AddRange(For(kind).Where(c => !result.Contains(c) && Matches(codec, c.Name, c.ClockRate, c.FormatParameters)));
        }

        return result;
    }
}
