namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// Opus depacketizer (RFC 7587): each payload is one Opus packet and one frame. A payload whose TOC cannot be read
/// (empty, or code 3 without a valid frame count) is malformed.
/// </summary>
internal sealed class OpusDepacketizer : RtpDepacketizer
{
    private bool _appended;

    /// <inheritdoc />
    public override bool IsFrameEnd(ReadOnlySpan<byte> payload, bool marker) => true;

    /// <inheritdoc />
    public override int GetOutputLength(ReadOnlySpan<byte> payload) => payload.Length;

    /// <inheritdoc />
    public override void BeginFrame() => _appended = false;

    /// <inheritdoc />
    public override RtpDepacketizeStatus Append(ReadOnlySpan<byte> payload, Span<byte> destination, out int written)
    {
        written = 0;
        if (!OpusToc.TryGetDuration(payload, out _))
        {
            return RtpDepacketizeStatus.Malformed;
        }

        payload.CopyTo(destination);
        written = payload.Length;
        _appended = true;
        return RtpDepacketizeStatus.Ok;
    }

    /// <inheritdoc />
    public override bool EndFrame(out bool isKeyFrame)
    {
        isKeyFrame = true;
        return _appended;
    }
}
