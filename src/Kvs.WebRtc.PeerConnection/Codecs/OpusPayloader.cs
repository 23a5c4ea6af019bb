namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// Opus payloader (RFC 7587 §4.2): one Opus packet is one RTP payload, never split. A packet larger than the
/// payload size is rejected (<see cref="RtpPayloaderFrameFlags.TooLarge"/>) and not sent.
/// </summary>
/// <remarks>The RTP timestamp advances by the packet's duration at 48 kHz: <see cref="OpusToc.TryGetDuration"/>.</remarks>
internal sealed class OpusPayloader : RtpPayloader
{
    private ReadOnlyMemory<byte> _frame;
    private bool _pending;

    /// <inheritdoc />
    public override void BeginFrame(ReadOnlyMemory<byte> frame)
    {
        _frame = frame;
        _pending = !frame.IsEmpty;
        SetFrameFlags(frame.IsEmpty ? RtpPayloaderFrameFlags.Empty : RtpPayloaderFrameFlags.KeyFrame);
    }

    /// <inheritdoc />
    public override bool TryWriteNext(Span<byte> destination, int maxPayloadSize, out int written, out bool isLast)
    {
        written = 0;
        isLast = false;
        if (!_pending)
        {
            return false;
        }

        _pending = false;
        if (_frame.Length > Math.Min(destination.Length, maxPayloadSize))
        {
            RejectCurrentFrame(RtpPayloaderFrameFlags.TooLarge);
            return false;
        }

        _frame.Span.CopyTo(destination);
        written = _frame.Length;
        isLast = true;
        return true;
    }
}
