namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// VP8 depacketizer (RFC 7741): strips the payload descriptor (any combination of the I/L/T/K extensions) and
/// concatenates the pieces. A frame starts at S=1, PID=0; it is a key frame when the P bit of the first byte of the
/// VP8 payload header (§4.3) is 0.
/// </summary>
internal sealed class Vp8Depacketizer : VpxDepacketizer
{
    /// <inheritdoc />
    protected override bool TryParseDescriptor(ReadOnlySpan<byte> payload, out int length, out bool frameStart, out bool keyFrameStart)
    {
        var parsed = Vp8PayloadDescriptor.TryParse(payload, out var descriptor);
        length = descriptor.Length;
        frameStart = parsed && descriptor.IsFrameStart;
        keyFrameStart = frameStart && length < payload.Length && (payload[length] & 0x01) == 0;
        return parsed;
    }
}
