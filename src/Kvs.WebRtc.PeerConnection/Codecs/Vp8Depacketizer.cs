namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// VP8 depacketizer (RFC 7741): strips the payload descriptor (any combination of the I/L/T/K extensions) and
/// concatenates the pieces. A frame starts at S=1, PID=0; it is a key frame when the P bit of the first byte of the
/// VP8 payload header (§4.3) is 0.
/// </summary>
internal sealed class Vp8Depacketizer : RtpDepacketizer
{
    private bool _first;
    private bool _keyFrame;

    /// <inheritdoc />
    public override bool IsFrameStart(ReadOnlySpan<byte> payload) =>
        Vp8PayloadDescriptor.TryParse(payload, out var descriptor) && descriptor.IsFrameStart;

    /// <inheritdoc />
    public override int GetOutputLength(ReadOnlySpan<byte> payload) => payload.Length;

    /// <inheritdoc />
    public override void BeginFrame()
    {
        _first = true;
        _keyFrame = false;
    }

    /// <inheritdoc />
    public override RtpDepacketizeStatus Append(ReadOnlySpan<byte> payload, Span<byte> destination, out int written)
    {
        written = 0;
        if (!Vp8PayloadDescriptor.TryParse(payload, out var descriptor) || descriptor.Length >= payload.Length)
        {
            return RtpDepacketizeStatus.Malformed;
        }

        var data = payload[descriptor.Length..];
        if (_first)
        {
            _first = false;
            _keyFrame = descriptor.IsFrameStart && (data[0] & 0x01) == 0;
        }

        data.CopyTo(destination);
        written = data.Length;
        return RtpDepacketizeStatus.Ok;
    }

    /// <inheritdoc />
    public override bool EndFrame(out bool isKeyFrame)
    {
        isKeyFrame = _keyFrame;
        return !_first;
    }
}
