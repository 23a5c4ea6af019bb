namespace Kvs.WebRtc.PeerConnection.Srtp;

/// <summary>
/// The sliding replay window of RFC 3711 §3.3.2 over a packet index (48-bit SRTP index or 31-bit SRTCP index), 1,024
/// packets wide as in libwebrtc (RFC 3711 asks for at least 64): retransmissions (NACK/RTX, plain resends) arrive up
/// to several round trips late, and a 64-packet window would reject a video stream's resends as replays.
/// A mutable struct held in a field: <see cref="IsReplay"/> is checked before authentication and <see cref="Accept"/>
/// only after the packet authenticated, so forged packets cannot move the window.
/// </summary>
/// <remarks>The bitmap (128 bytes) is allocated on the first accepted packet, once per stream; nothing allocates per packet.</remarks>
internal struct SrtpReplayWindow
{
    /// <summary>How far behind the highest accepted index a packet may be and still be accepted once.</summary>
    public const int WindowSize = 1024;

    private const int WindowMask = WindowSize - 1;
    private ulong _highest;
    private ulong[]? _bits; // bit (index mod WindowSize): seen, for indices in (highest - WindowSize, highest]

    /// <summary>Highest accepted index.</summary>
    public readonly ulong Highest => _highest;

    /// <summary>True once any index was accepted.</summary>
    public readonly bool IsInitialized => _bits is not null;

    /// <summary>True when <paramref name="index"/> was seen or is too old to tell.</summary>
    public readonly bool IsReplay(ulong index)
    {
        if (_bits is not { } bits || index > _highest)
        {
            return false;
        }

        return _highest - index >= WindowSize || IsSet(bits, index);
    }

    /// <summary>Records <paramref name="index"/> as received.</summary>
    public void Accept(ulong index)
    {
        if (_bits is not { } bits)
        {
            _bits = bits = new ulong[WindowSize / 64];
            _highest = index;
            Set(bits, index);
            return;
        }

        if (index > _highest)
        {
            var shift = index - _highest;
            if (shift >= WindowSize)
            {
                Array.Clear(bits);
            }
            else
            {
                // The slots of the indices the window slides over now stand for new indices: not seen yet.
                for (var i = _highest + 1; i < index; i++)
                {
                    Clear(bits, i);
                }
            }

            _highest = index;
            Set(bits, index);
        }
        else if (_highest - index < WindowSize)
        {
            Set(bits, index);
        }
    }

    private static bool IsSet(ulong[] bits, ulong index)
    {
        var slot = (int)(index & WindowMask);
        return (bits[slot >> 6] & (1UL << (slot & 63))) != 0;
    }

    private static void Set(ulong[] bits, ulong index)
    {
        var slot = (int)(index & WindowMask);
        bits[slot >> 6] |= 1UL << (slot & 63);
    }

    private static void Clear(ulong[] bits, ulong index)
    {
        var slot = (int)(index & WindowMask);
        bits[slot >> 6] &= ~(1UL << (slot & 63));
    }
}
