namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// VP9 payloader, RFC 9628 non-flexible mode without layer indices: each payload starts with a 3-byte descriptor
/// (I=1 with a 15-bit picture id, P set for inter frames, B on the first payload, E on the last) then a piece of the
/// frame. Key frames (P=0) are detected from the VP9 uncompressed header (frame_type 0).
/// </summary>
internal sealed class Vp9Payloader : RtpPayloader
{
    private const int DescriptorLength = 3;
    private ReadOnlyMemory<byte> _frame;
    private int _offset;
    private int _pictureId;
    private bool _keyFrame;

    /// <summary>Creates a VP9 payloader.</summary>
    /// <param name="initialPictureId">The first frame's picture id (taken modulo 2^15).</param>
    public Vp9Payloader(int initialPictureId = 0) => _pictureId = (initialPictureId & 0x7FFF) - 1;

    /// <summary>The picture id of the current frame.</summary>
    public int PictureId => _pictureId & 0x7FFF;

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
    public override void BeginFrame(ReadOnlyMemory<byte> frame)
    {
        _frame = frame;
        _offset = 0;
        if (frame.IsEmpty)
        {
            SetFrameFlags(RtpPayloaderFrameFlags.Empty);
            return;
        }

        _pictureId = (_pictureId + 1) & 0x7FFF;
        _keyFrame = IsKeyFrame(frame.Span);
        SetFrameFlags(_keyFrame ? RtpPayloaderFrameFlags.KeyFrame : RtpPayloaderFrameFlags.None);
    }

    /// <inheritdoc />
    public override bool TryWriteNext(Span<byte> destination, int maxPayloadSize, out int written, out bool isLast)
    {
        written = 0;
        isLast = false;
        if (_offset >= _frame.Length)
        {
            return false;
        }

        var room = Math.Min(destination.Length, maxPayloadSize) - DescriptorLength;
        if (room < 1)
        {
            LastFrameFlags |= RtpPayloaderFrameFlags.Truncated;
            _offset = _frame.Length;
            return false;
        }

        var start = _offset == 0;
        var chunk = Math.Min(room, _frame.Length - _offset);
        var end = _offset + chunk == _frame.Length;
        destination[0] = (byte)(0x80 | (_keyFrame ? 0 : 0x40) | (start ? 0x08 : 0) | (end ? 0x04 : 0));
        destination[1] = (byte)(0x80 | (_pictureId >> 8));
        destination[2] = (byte)_pictureId;
        _frame.Span.Slice(_offset, chunk).CopyTo(destination[DescriptorLength..]);
        _offset += chunk;
        written = DescriptorLength + chunk;
        isLast = end;
        return true;
    }
}
