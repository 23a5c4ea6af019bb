using System.Net;
using System.Net.Sockets;

namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>Candidate and pair priorities.</summary>
/// <remarks>RFC 8445 §5.1.2 (candidate priority) and §6.1.2.3 (pair priority); RFC 8421 (multihomed, IPv6 first).</remarks>
internal static class IcePriority
{
    /// <summary>The recommended type preference of RFC 8445 §5.1.2.2: host 126, prflx 110, srflx 100, relay 0.</summary>
    public static int TypePreference(IceCandidateType type) => type switch
    {
        IceCandidateType.Host => 126,
        IceCandidateType.PeerReflexive => 110,
        IceCandidateType.ServerReflexive => 100,
        _ => 0,
    };

    /// <summary>
    /// priority = 2^24 * type preference + 2^8 * local preference + (256 - component id) (RFC 8445 §5.1.2.1).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A value outside its range.</exception>
    public static uint Compute(IceCandidateType type, int localPreference, int component)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(localPreference);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(localPreference, 65535);
        ArgumentOutOfRangeException.ThrowIfLessThan(component, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(component, 256);
        return (uint)((TypePreference(type) << 24) + (localPreference << 8) + (256 - component));
    }

    /// <summary>
    /// Local preference for a candidate on <paramref name="address"/>, the <paramref name="interfaceIndex"/>-th usable
    /// interface address (0 = most preferred). IPv6 ranks above IPv4 (RFC 8421 §4: prefer IPv6, interleave families);
    /// within a family, earlier interfaces rank higher. Always in 1..65535, distinct per (family, index) up to 255 addresses.
    /// </summary>
    public static int LocalPreference(IPAddress address, int interfaceIndex)
    {
        ArgumentNullException.ThrowIfNull(address);
        var index = Math.Clamp(interfaceIndex, 0, 255);
        var familyBase = address.AddressFamily == AddressFamily.InterNetworkV6 && !address.IsIPv4MappedToIPv6 ? 65535 : 32767;
        return familyBase - (index * 64);
    }

    /// <summary>
    /// Pair priority = 2^32 * MIN(G,D) + 2 * MAX(G,D) + (G &gt; D ? 1 : 0), where G is the controlling agent's candidate
    /// priority and D the controlled agent's (RFC 8445 §6.1.2.3).
    /// </summary>
    public static ulong Pair(uint controllingPriority, uint controlledPriority)
    {
        ulong g = controllingPriority, d = controlledPriority;
        return (Math.Min(g, d) << 32) + (2 * Math.Max(g, d)) + (g > d ? 1UL : 0UL);
    }
}
