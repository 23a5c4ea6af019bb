namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>
/// The 64-entry anti-replay window of RFC 6347 §4.1.2.6 over 48-bit record sequence numbers of one epoch.
/// Checked before decryption and updated only after the record authenticated.
/// </summary>
internal struct DtlsReplayWindow
{
    private const int Size = 64;
    private ulong _highest;
    private ulong _mask;
    private bool _any;

    /// <summary>True when <paramref name="sequence"/> was already received or is left of the window.</summary>
    public readonly bool IsReplay(ulong sequence)
    {
        if (!_any || sequence > _highest)
        {
            return false;
        }

        var delta = _highest - sequence;
        return delta >= Size || (_mask & (1UL << (int)delta)) != 0;
    }

    /// <summary>Marks <paramref name="sequence"/> as received.</summary>
    public void Accept(ulong sequence)
    {
        if (!_any)
        {
            _any = true;
            _highest = sequence;
            _mask = 1;
        }
        else if (sequence > _highest)
        {
            var shift = sequence - _highest;
            _mask = shift >= Size ? 1 : (_mask << (int)shift) | 1;
            _highest = sequence;
        }
        else if (_highest - sequence < Size)
        {
            _mask |= 1UL << (int)(_highest - sequence);
        }
    }
}
