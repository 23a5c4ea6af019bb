namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// VP9 payloader, RFC 9628 non-flexible mode without layer indices: each payload starts with a 3-byte descriptor
/// (I=1 with a 15-bit picture id, P set for inter frames, B on the first payload, E on the last) then a piece of the
/// frame. Key frames (P=0) are detected from the VP9 uncompressed header (frame_type 0).
/// </summary>
internal sealed class Vp9Payloader : VpxPayloader
{
    private bool _keyFrame;

    /// <summary>Creates a VP9 payloader.</summary>
    /// <param name="initialPictureId">The first frame's picture id (taken modulo 2^15).</param>
    public Vp9Payloader(int initialPictureId = 0)
        : base(initialPictureId)
    {
    }

    /// <summary>
    /// True when a VP9 frame's uncompressed header (VP9 bitstream spec §6.2) says frame_type = KEY_FRAME:
    /// frame_marker 2, profile bits (and reserved_zero for profile 3), show_existing_frame = 0, frame_type = 0.
    /// </summary>
    public static bool IsKeyFrame(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 1 || (frame[0] >> 6) != 2)
        {
            return false;
        }

        var profile = ((frame[0] >> 5) & 1) | (((frame[0] >> 4) & 1) << 1);
        var bit = profile == 3 ? 2 : 3; // bit index (from the top, 7..0) of show_existing_frame
        var showExisting = (frame[0] >> bit) & 1;
        return showExisting == 0 && ((frame[0] >> (bit - 1)) & 1) == 0;
    }

    /// <inheritdoc />
    protected override int DescriptorLength => 3;

    /// <inheritdoc />
    protected override bool BeginNonEmptyFrame(ReadOnlySpan<byte> frame)
    {
        _keyFrame = IsKeyFrame(frame);
        return _keyFrame;
    }

    /// <inheritdoc />
    protected override void WriteDescriptor(Span<byte> destination, int pictureId, bool start, bool end)
    {
        destination[0] = (byte)(0x80 | (_keyFrame ? 0 : 0x40) | (start ? 0x08 : 0) | (end ? 0x04 : 0));
        destination[1] = (byte)(0x80 | (pictureId >> 8));
        destination[2] = (byte)pictureId;
    }
}
