namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// What the VP8 (RFC 7741) and VP9 (RFC 9628) depacketizers share: strip each payload's descriptor and concatenate
/// the pieces; the frame's first payload decides whether it is a key frame.
/// </summary>
internal abstract class VpxDepacketizer : RtpDepacketizer
{
    private bool _first;
    private bool _keyFrame;

    /// <inheritdoc />
    public sealed override bool IsFrameStart(ReadOnlySpan<byte> payload) =>
        TryParseDescriptor(payload, out _, out var frameStart, out _) && frameStart;

    /// <inheritdoc />
    public sealed override int GetOutputLength(ReadOnlySpan<byte> payload) => payload.Length;

    /// <inheritdoc />
    public sealed override void BeginFrame()
    {
        _first = true;
        _keyFrame = false;
    }

    /// <inheritdoc />
    public sealed override RtpDepacketizeStatus Append(ReadOnlySpan<byte> payload, Span<byte> destination, out int written)
    {
        written = 0;
        if (!TryParseDescriptor(payload, out var descriptorLength, out _, out var keyFrameStart)
            || descriptorLength >= payload.Length)
        {
            return RtpDepacketizeStatus.Malformed;
        }

        if (_first)
        {
            _first = false;
            _keyFrame = keyFrameStart;
        }

        var data = payload[descriptorLength..];
        data.CopyTo(destination);
        written = data.Length;
        return RtpDepacketizeStatus.Ok;
    }

    /// <inheritdoc />
    public sealed override bool EndFrame(out bool isKeyFrame)
    {
        isKeyFrame = _keyFrame;
        return !_first;
    }

    /// <summary>Parses the payload descriptor.</summary>
    /// <param name="payload">The RTP payload.</param>
    /// <param name="length">The descriptor length in bytes.</param>
    /// <param name="frameStart">Whether the payload starts a frame.</param>
    /// <param name="keyFrameStart">Whether the payload starts a key frame (only read when it has data after the descriptor).</param>
    /// <returns>False when the descriptor is malformed.</returns>
    protected abstract bool TryParseDescriptor(ReadOnlySpan<byte> payload, out int length, out bool frameStart, out bool keyFrameStart);
}
