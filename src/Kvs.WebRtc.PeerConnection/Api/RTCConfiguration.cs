namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// How a peer connection gathers and uses candidates (W3C <c>RTCConfiguration</c>). Bundling is always
/// <c>max-bundle</c> with <c>rtcp-mux</c>: one UDP socket per peer connection carries everything (RFC 8843, RFC 7983).
/// </summary>
/// <remarks>
/// Set the properties, then pass the object to the <see cref="RTCPeerConnection"/> constructor: it validates them (an
/// <see cref="ArgumentException"/> names the property that is out of range) and copies them, so later changes to this
/// instance do not reach a connection already created. Equality is by reference.
/// </remarks>
public sealed class RTCConfiguration
{
    /// <summary>STUN and TURN servers; empty (the default) gathers host candidates only.</summary>
    public IReadOnlyList<RTCIceServer> IceServers { get; set; } = [];

    /// <summary>Which candidates may be used; <see cref="RTCIceTransportPolicy.All"/> by default.</summary>
    public RTCIceTransportPolicy IceTransportPolicy { get; set; } = RTCIceTransportPolicy.All;

    /// <summary>
    /// Whether host candidates on loopback interfaces (127.0.0.1, ::1) are gathered. Off by default (browsers skip
    /// loopback too); turn it on for tests and for peers on the same machine.
    /// </summary>
    public bool IncludeLoopbackCandidates { get; set; }

    /// <summary>Whether IPv6 host candidates are gathered; on by default.</summary>
    public bool EnableIpv6 { get; set; } = true;

    /// <summary>
    /// The local addresses to gather host candidates on, instead of every usable interface; null (the default) uses
    /// every interface. <c>[IPAddress.Loopback]</c> keeps two peers on one machine entirely on 127.0.0.1 (tests, samples).
    /// </summary>
    public IReadOnlyList<System.Net.IPAddress>? HostAddresses { get; set; }

    /// <summary>
    /// Validates the configuration: every server has at least one URI with a known scheme, and TURN URIs come with a
    /// user name and credential. The <see cref="RTCPeerConnection"/> constructor calls it; a component that takes a
    /// configuration to use later (a session) calls it at its own door.
    /// </summary>
    /// <exception cref="ArgumentException">The configuration is not usable; the message says which server and why.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(IceServers, nameof(IceServers));
        for (var i = 0; i < IceServers.Count; i++)
        {
            var server = IceServers[i] ?? throw new ArgumentException($"IceServers[{i}] is null.", nameof(IceServers));
            if (server.Urls is null || server.Urls.Count == 0)
            {
                throw new ArgumentException($"IceServers[{i}] has no URLs.", nameof(IceServers));
            }

            foreach (var url in server.Urls)
            {
                var scheme = url is null ? string.Empty : url.Split(':', 2)[0].ToUpperInvariant();
                switch (scheme)
                {
                    case "STUN" or "STUNS":
                        break;
                    case "TURN" or "TURNS":
                        if (string.IsNullOrEmpty(server.Username) || server.Credential is null)
                        {
                            throw new ArgumentException($"IceServers[{i}] ({url}) is a TURN server without a user name and credential.", nameof(IceServers));
                        }

                        break;
                    default:
                        throw new ArgumentException($"IceServers[{i}] has URL '{url}' whose scheme is not stun, stuns, turn or turns.", nameof(IceServers));
                }
            }
        }

        if (!Enum.IsDefined(IceTransportPolicy))
        {
            throw new ArgumentException($"IceTransportPolicy {IceTransportPolicy} is not defined.", nameof(IceTransportPolicy));
        }
    }

    /// <summary>A copy taken at the door (lists copied too), so later changes to this instance do not reach the connection.</summary>
    internal RTCConfiguration Snapshot() => new()
    {
        IceServers = [.. IceServers],
        IceTransportPolicy = IceTransportPolicy,
        IncludeLoopbackCandidates = IncludeLoopbackCandidates,
        EnableIpv6 = EnableIpv6,
        HostAddresses = HostAddresses is null ? null : [.. HostAddresses],
    };
}
