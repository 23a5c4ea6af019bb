namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>Serial number arithmetic (RFC 1982) for 32-bit TSNs and 16-bit SSNs, as RFC 9260 §1.6 requires.</summary>
internal static class SctpSerial
{
    public static bool Lt(uint a, uint b) => (int)(a - b) < 0;

    public static bool Le(uint a, uint b) => (int)(a - b) <= 0;

    public static bool Gt(uint a, uint b) => (int)(a - b) > 0;

    public static bool Ge(uint a, uint b) => (int)(a - b) >= 0;

    public static bool Lt(ushort a, ushort b) => (short)(a - b) < 0;

    public static bool Le(ushort a, ushort b) => (short)(a - b) <= 0;
}
