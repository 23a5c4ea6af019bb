using System.Globalization;
using System.Net;

namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>Computes candidate foundations.</summary>
/// <remarks>
/// RFC 8445 §5.1.1.3: two candidates share a foundation exactly when they have the same type, base IP address,
/// STUN/TURN server IP address and transport. We hash those four into a decimal string (FNV-1a, 32 bit): stable across
/// runs, made of ice-chars, at most 10 characters.
/// </remarks>
internal static class IceFoundation
{
    /// <summary>The foundation for a local candidate.</summary>
    public static string Compute(IceCandidateType type, IPAddress baseAddress, IPAddress? server, IceTransportProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        var hash = 2166136261u;
        hash = Mix(hash, (byte)type);
        hash = Mix(hash, (byte)protocol);
        Span<byte> bytes = stackalloc byte[16];
        if (baseAddress.TryWriteBytes(bytes, out var written))
        {
            foreach (var b in bytes[..written])
            {
                hash = Mix(hash, b);
            }
        }

        hash = Mix(hash, 0xFF);
        if (server is not null && server.TryWriteBytes(bytes, out written))
        {
            foreach (var b in bytes[..written])
            {
                hash = Mix(hash, b);
            }
        }

        return hash.ToString(CultureInfo.InvariantCulture);
    }

    private static uint Mix(uint hash, byte value) => (hash ^ value) * 16777619u;
}
