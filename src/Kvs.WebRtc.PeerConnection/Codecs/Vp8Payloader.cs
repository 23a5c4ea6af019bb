namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// VP8 payloader (RFC 7741): each payload is a payload descriptor (§4.2) and a piece of the frame. The first
/// payload has S=1; PID is always 0 (the frame is not split along partitions); with picture ids enabled the
/// descriptor carries X=1, I=1 and a 15-bit picture id (M=1) that increases per frame.
/// </summary>
internal sealed class Vp8Payloader : VpxPayloader
{
    private readonly bool _pictureIdEnabled;

    /// <summary>Creates a VP8 payloader.</summary>
    /// <param name="pictureIdEnabled">Whether descriptors carry a 15-bit picture id (default true, as browsers send).</param>
    /// <param name="initialPictureId">The first frame's picture id (taken modulo 2^15).</param>
    public Vp8Payloader(bool pictureIdEnabled = true, int initialPictureId = 0)
        : base(initialPictureId) => _pictureIdEnabled = pictureIdEnabled;

    /// <inheritdoc />
    protected override int DescriptorLength => _pictureIdEnabled ? 4 : 1;

    /// <inheritdoc />
    protected override bool BeginNonEmptyFrame(ReadOnlySpan<byte> frame) => (frame[0] & 0x01) == 0; // P bit, §4.3

    /// <inheritdoc />
    protected override void WriteDescriptor(Span<byte> destination, int pictureId, bool start, bool end)
    {
        if (_pictureIdEnabled)
        {
            destination[0] = (byte)(0x80 | (start ? 0x10 : 0));
            destination[1] = 0x80;
            destination[2] = (byte)(0x80 | (pictureId >> 8));
            destination[3] = (byte)pictureId;
        }
        else
        {
            destination[0] = (byte)(start ? 0x10 : 0);
        }
    }
}
