namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// A depacketizer for audio codecs whose every RTP payload is one whole frame (Opus, G.711): the frame is the payload,
/// always a key frame; subclasses only say which payloads are well-formed.
/// </summary>
internal abstract class SinglePayloadFrameDepacketizer : RtpDepacketizer
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
        if (!IsWellFormed(payload))
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

    /// <summary>Whether the payload is a frame this codec can carry.</summary>
    protected abstract bool IsWellFormed(ReadOnlySpan<byte> payload);
}
