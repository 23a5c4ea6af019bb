namespace Kvs.WebRtc.PeerConnection.Jsep;

/// <summary>
/// A payload format both sides agreed on for one m= section: payload type (the offerer's number), codec name, clock
/// rate, channels, fmtp and the rtcp-fb both listed, and the RTX payload type that repairs it, if any (RFC 4588).
/// </summary>
internal sealed record NegotiatedCodec(int PayloadType, string Name, int ClockRate, int? Channels, string? FormatParameters,
    IReadOnlyList<string> Feedback, int? RtxPayloadType)
{
    /// <summary>True when the peer asked for this rtcp-fb value (e.g. <c>nack pli</c>).</summary>
    public bool HasFeedback(string value) => Feedback.Contains(value, StringComparer.OrdinalIgnoreCase);

    /// <summary>The MIME type, <c>video/H264</c> style.</summary>
    public string MimeType(string kind) => $"{kind}/{Name}";
}
