namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// VP8 payloader (RFC 7741): each payload is a payload descriptor (§4.2) and a piece of the frame. The first
/// payload has S=1; PID is always 0 (the frame is not split along partitions); with picture ids enabled the
/// descriptor carries X=1, I=1 and a 15-bit picture id (M=1) that increases per frame.
/// </summary>
internal sealed class Vp8Payloader : RtpPayloader
{
    private readonly bool _pictureIdEnabled;
    private ReadOnlyMemory<byte> _frame;
    private int _offset;
    private int _pictureId;
    private bool _started;

    /// <summary>Creates a VP8 payloader.</summary>
    /// <param name="pictureIdEnabled">Whether descriptors carry a 15-bit picture id (default true, as browsers send).</param>
    /// <param name="initialPictureId">The first frame's picture id (taken modulo 2^15).</param>
    public Vp8Payloader(bool pictureIdEnabled = true, int initialPictureId = 0)
    {
        _pictureIdEnabled = pictureIdEnabled;
        _pictureId = (initialPictureId & 0x7FFF) - 1;
    }

    /// <summary>The picture id of the current frame (valid with picture ids enabled).</summary>
    public int PictureId => _pictureId & 0x7FFF;

    private int DescriptorLength => _pictureIdEnabled ? 4 : 1;

    /// <inheritdoc />
    public override void BeginFrame(ReadOnlyMemory<byte> frame)
    {
        _frame = frame;
        _offset = 0;
        _started = false;
        if (frame.IsEmpty)
        {
            _offset = frame.Length;
            SetFrameFlags(RtpPayloaderFrameFlags.Empty);
            _frame = default;
            return;
        }

        _pictureId = (_pictureId + 1) & 0x7FFF;
        SetFrameFlags((frame.Span[0] & 0x01) == 0 ? RtpPayloaderFrameFlags.KeyFrame : RtpPayloaderFrameFlags.None);
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

        var start = !_started;
        _started = true;
        if (_pictureIdEnabled)
        {
            destination[0] = (byte)(0x80 | (start ? 0x10 : 0));
            destination[1] = 0x80;
            destination[2] = (byte)(0x80 | (_pictureId >> 8));
            destination[3] = (byte)_pictureId;
        }
        else
        {
            destination[0] = (byte)(start ? 0x10 : 0);
        }

        var chunk = Math.Min(room, _frame.Length - _offset);
        _frame.Span.Slice(_offset, chunk).CopyTo(destination[DescriptorLength..]);
        _offset += chunk;
        written = DescriptorLength + chunk;
        isLast = _offset >= _frame.Length;
        return true;
    }
}
