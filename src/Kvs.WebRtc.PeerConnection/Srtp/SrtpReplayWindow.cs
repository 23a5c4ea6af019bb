namespace Kvs.WebRtc.PeerConnection.Srtp;

/// <summary>
/// The 64-entry sliding replay window of RFC 3711 §3.3.2 over a packet index (48-bit SRTP index or 31-bit SRTCP index).
/// A mutable struct held in a field: <see cref="IsReplay"/> is checked before authentication and <see cref="Accept"/>
/// only after the packet authenticated, so forged packets cannot move the window.
/// </summary>
internal struct SrtpReplayWindow
{
    private const int WindowSize = 64;
    private ulong _highest;
    private ulong _mask;
    private bool _initialized;

    /// <summary>Highest accepted index.</summary>
    public readonly ulong Highest => _highest;

    /// <summary>True once any index was accepted.</summary>
    public readonly bool IsInitialized => _initialized;

    /// <summary>True when <paramref name="index"/> was seen or is too old to tell.</summary>
    public readonly bool IsReplay(ulong index)
    {
        if (!_initialized || index > _highest)
        {
            return false;
        }

        var delta = _highest - index;
        return delta >= WindowSize || (_mask & (1UL << (int)delta)) != 0;
    }

    /// <summary>Records <paramref name="index"/> as received.</summary>
    public void Accept(ulong index)
    {
        if (!_initialized)
        {
            _initialized = true;
            _highest = index;
            _mask = 1;
            return;
        }

        if (index > _highest)
        {
            var shift = index - _highest;
            _mask = shift >= WindowSize ? 1 : (_mask << (int)shift) | 1;
            _highest = index;
        }
        else
        {
            var delta = _highest - index;
            if (delta < WindowSize)
            {
                _mask |= 1UL << (int)delta;
            }
        }
    }
}
