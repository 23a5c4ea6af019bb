namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// What the VP8 (RFC 7741) and VP9 (RFC 9628) payloaders share: each payload is a fixed-length payload descriptor
/// then the next piece of the frame, with a 15-bit picture id that increases per frame.
/// </summary>
internal abstract class VpxPayloader : RtpPayloader
{
    private ReadOnlyMemory<byte> _frame;
    private int _offset;
    private int _pictureId;

    /// <summary>Creates the payloader.</summary>
    /// <param name="initialPictureId">The first frame's picture id (taken modulo 2^15).</param>
    protected VpxPayloader(int initialPictureId) => _pictureId = (initialPictureId & 0x7FFF) - 1;

    /// <summary>The picture id of the current frame.</summary>
    public int PictureId => _pictureId & 0x7FFF;

    /// <summary>The payload descriptor length in bytes.</summary>
    protected abstract int DescriptorLength { get; }

    /// <inheritdoc />
    public sealed override void BeginFrame(ReadOnlyMemory<byte> frame)
    {
        _frame = frame;
        _offset = 0;
        if (frame.IsEmpty)
        {
            SetFrameFlags(RtpPayloaderFrameFlags.Empty);
            return;
        }

        _pictureId = (_pictureId + 1) & 0x7FFF;
        SetFrameFlags(BeginNonEmptyFrame(frame.Span) ? RtpPayloaderFrameFlags.KeyFrame : RtpPayloaderFrameFlags.None);
    }

    /// <inheritdoc />
    public sealed override bool TryWriteNext(Span<byte> destination, int maxPayloadSize, out int written, out bool isLast)
    {
        written = 0;
        isLast = false;
        if (_offset >= _frame.Length)
        {
            return false;
        }

        var descriptorLength = DescriptorLength;
        var room = Math.Min(destination.Length, maxPayloadSize) - descriptorLength;
        if (room < 1)
        {
            LastFrameFlags |= RtpPayloaderFrameFlags.Truncated;
            _offset = _frame.Length;
            return false;
        }

        var start = _offset == 0;
        var chunk = Math.Min(room, _frame.Length - _offset);
        var end = _offset + chunk == _frame.Length;
        WriteDescriptor(destination[..descriptorLength], PictureId, start, end);
        _frame.Span.Slice(_offset, chunk).CopyTo(destination[descriptorLength..]);
        _offset += chunk;
        written = descriptorLength + chunk;
        isLast = end;
        return true;
    }

    /// <summary>Called for each non-empty frame after the picture id advanced.</summary>
    /// <returns>True when the frame is a key frame.</returns>
    protected abstract bool BeginNonEmptyFrame(ReadOnlySpan<byte> frame);

    /// <summary>Writes the <see cref="DescriptorLength"/>-byte payload descriptor of the next payload.</summary>
    protected abstract void WriteDescriptor(Span<byte> destination, int pictureId, bool start, bool end);
}
