using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>Log messages of the media layer (event ids 58xx).</summary>
internal static partial class MediaLog
{
    [LoggerMessage(5801, LogLevel.Error, "A {Event} handler of a local track threw")]
    public static partial void TrackHandlerFailed(ILogger logger, string @event, Exception exception);

    [LoggerMessage(5802, LogLevel.Warning, "Rejected the offered {Media} section (mid {Mid}, m-line {Index}): {Reason}")]
    public static partial void SectionRejected(ILogger logger, string media, string? mid, int index, string reason);

    [LoggerMessage(5803, LogLevel.Warning, "The {Kind} track's codec {Codec} is not among the codecs negotiated for mid {Mid} ({Negotiated}); nothing is sent on it")]
    public static partial void TrackCodecNotNegotiated(ILogger logger, string kind, string codec, string mid, string negotiated);

    [LoggerMessage(5804, LogLevel.Debug, "RTP packet dropped: {Reason} (ssrc {Ssrc}, payload type {PayloadType})")]
    public static partial void RtpDropped(ILogger logger, string reason, uint ssrc, int payloadType);

    [LoggerMessage(5805, LogLevel.Debug, "Sending mid {Mid} with payload type {PayloadType} ({Codec}), ssrc {Ssrc}")]
    public static partial void SenderBound(ILogger logger, string mid, int payloadType, string codec, uint ssrc);

    [LoggerMessage(5820, LogLevel.Warning, "Dropped {Count} malformed RTCP datagram(s) (bogus lengths or version) since the last such message, {Total} in all")]
    public static partial void RtcpMalformed(ILogger logger, long count, long total);
}
