namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// VP9 depacketizer (RFC 9628, flexible and non-flexible modes): strips the payload descriptor, skipping a
/// scalability structure, and concatenates the pieces of a picture (all layers of one timestamp up to the marker).
/// A frame starts at B=1; it is a key frame when its first payload has P=0 and B=1.
/// </summary>
internal sealed class Vp9Depacketizer : RtpDepacketizer
{
    private bool _first;
    private bool _keyFrame;

    /// <inheritdoc />
    public override bool IsFrameStart(ReadOnlySpan<byte> payload) =>
        Vp9PayloadDescriptor.TryParse(payload, out var descriptor) && descriptor.StartOfFrame;

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
        if (!Vp9PayloadDescriptor.TryParse(payload, out var descriptor) || descriptor.Length >= payload.Length)
        {
            return RtpDepacketizeStatus.Malformed;
        }

        if (_first)
        {
            _first = false;
            _keyFrame = descriptor.StartOfFrame && !descriptor.InterPicturePredicted;
        }

        var data = payload[descriptor.Length..];
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
