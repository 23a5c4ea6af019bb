namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// VP9 depacketizer (RFC 9628, flexible and non-flexible modes): strips the payload descriptor, skipping a
/// scalability structure, and concatenates the pieces of a picture (all layers of one timestamp up to the marker).
/// A frame starts at B=1; it is a key frame when its first payload has P=0 and B=1.
/// </summary>
internal sealed class Vp9Depacketizer : VpxDepacketizer
{
    /// <inheritdoc />
    protected override bool TryParseDescriptor(ReadOnlySpan<byte> payload, out int length, out bool frameStart, out bool keyFrameStart)
    {
        var parsed = Vp9PayloadDescriptor.TryParse(payload, out var descriptor);
        length = descriptor.Length;
        frameStart = parsed && descriptor.StartOfFrame;
        keyFrameStart = frameStart && !descriptor.InterPicturePredicted;
        return parsed;
    }
}
