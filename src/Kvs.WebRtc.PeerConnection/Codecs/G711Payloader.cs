namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// G.711 payloader (PCMU/PCMA, RFC 3551 §4.5.14): the payload is the samples, one byte each. A frame longer than
/// the payload size is split into chunks sent as separate packets; each chunk's RTP timestamp is the frame's plus
/// <see cref="PayloadTimestampOffset"/> (samples before it) and it lasts <see cref="SamplesInPayload"/> samples.
/// </summary>
internal sealed class G711Payloader : RtpPayloader
{
    private ReadOnlyMemory<byte> _frame;
    private int _offset;
    private int _lastOffset;
    private int _lastLength;

    /// <inheritdoc />
    public override uint PayloadTimestampOffset => (uint)_lastOffset;

    /// <summary>Samples in the payload written by the last successful <see cref="TryWriteNext"/>.</summary>
    public int SamplesInPayload => _lastLength;

    /// <inheritdoc />
    public override void BeginFrame(ReadOnlyMemory<byte> frame)
    {
        _frame = frame;
        _offset = 0;
        _lastOffset = 0;
        _lastLength = 0;
        SetFrameFlags(frame.IsEmpty ? RtpPayloaderFrameFlags.Empty : RtpPayloaderFrameFlags.KeyFrame);
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

        var room = Math.Min(destination.Length, maxPayloadSize);
        if (room < 1)
        {
            LastFrameFlags |= RtpPayloaderFrameFlags.Truncated;
            _offset = _frame.Length;
            return false;
        }

        var chunk = Math.Min(room, _frame.Length - _offset);
        _frame.Span.Slice(_offset, chunk).CopyTo(destination);
        _lastOffset = _offset;
        _lastLength = chunk;
        _offset += chunk;
        written = chunk;
        isLast = _offset >= _frame.Length;
        return true;
    }
}
