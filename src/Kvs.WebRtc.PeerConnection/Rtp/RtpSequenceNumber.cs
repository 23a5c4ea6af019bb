namespace Kvs.WebRtc.PeerConnection.Rtp;

/// <summary>
/// Wrap-aware arithmetic on 16-bit RTP sequence numbers (RFC 3550 §A.1): "newer" means ahead by less than half the
/// number space; at exactly half (32768 apart) the numerically larger one counts as newer, so the order is total.
/// </summary>
internal static class RtpSequenceNumber
{
    /// <summary>True when <paramref name="value"/> comes after <paramref name="reference"/>.</summary>
    public static bool IsNewer(ushort value, ushort reference)
    {
        var delta = (ushort)(value - reference);
        return delta == 0x8000 ? value > reference : delta is > 0 and < 0x8000;
    }

    /// <summary>Signed distance from <paramref name="from"/> to <paramref name="to"/>, in [−32768, 32767].</summary>
    public static int Distance(ushort from, ushort to) => (short)(ushort)(to - from);

    /// <summary>The newer of two sequence numbers.</summary>
    public static ushort Latest(ushort a, ushort b) => IsNewer(a, b) ? a : b;
}
