namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// Opus depacketizer (RFC 7587): each payload is one Opus packet and one frame. A payload whose TOC cannot be read
/// (empty, or code 3 without a valid frame count) is malformed.
/// </summary>
internal sealed class OpusDepacketizer : SinglePayloadFrameDepacketizer
{
    /// <inheritdoc />
    protected override bool IsWellFormed(ReadOnlySpan<byte> payload) => OpusToc.TryGetDuration(payload, out _);
}
