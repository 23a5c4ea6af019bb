namespace Kvs.WebRtc.PeerConnection.Rtp;

/// <summary>
/// Extends 16-bit sequence numbers to 64 bits (RFC 3550 §A.1's cycle count): each value maps to the extended number
/// closest to the newest one seen so far, so reordering within ±32767 and any number of wraps are handled. The first
/// value maps to itself. A mutable struct: keep it in a field, one per stream.
/// </summary>
internal struct RtpSequenceUnwrapper
{
    private long _latest;
    private bool _started;

    /// <summary>The newest extended sequence number, or −1 before the first <see cref="Unwrap"/>.</summary>
    public readonly long Latest => _started ? _latest : -1;

    /// <summary>Extends <paramref name="sequenceNumber"/> and remembers it if it is the newest.</summary>
    public long Unwrap(ushort sequenceNumber)
    {
        if (!_started)
        {
            _started = true;
            _latest = sequenceNumber;
            return sequenceNumber;
        }

        var extended = _latest + (short)(ushort)(sequenceNumber - (ushort)_latest);
        if (extended > _latest)
        {
            _latest = extended;
        }

        return extended;
    }

    /// <summary>The extended value <see cref="Unwrap"/> would return, without remembering it.</summary>
    public readonly long Peek(ushort sequenceNumber) =>
        _started ? _latest + (short)(ushort)(sequenceNumber - (ushort)_latest) : sequenceNumber;
}
