namespace Kvs.WebRtc.PeerConnection.Rtp;

/// <summary>
/// Extends 32-bit RTP timestamps to 64 bits: each value maps to the extended timestamp closest to the newest one
/// seen, so reordering within ±2^31 ticks and wraps are handled. The first value maps to itself. A mutable struct
/// held in a field, one per stream.
/// </summary>
internal struct RtpTimestampUnwrapper
{
    private long _latest;
    private bool _started;

    /// <summary>The newest extended timestamp, or −1 before the first <see cref="Unwrap"/>.</summary>
    public readonly long Latest => _started ? _latest : -1;

    /// <summary>Extends <paramref name="timestamp"/> and remembers it if it is the newest.</summary>
    public long Unwrap(uint timestamp)
    {
        if (!_started)
        {
            _started = true;
            _latest = timestamp;
            return timestamp;
        }

        var extended = _latest + (int)(timestamp - (uint)_latest);
        if (extended > _latest)
        {
            _latest = extended;
        }

        return extended;
    }
}
