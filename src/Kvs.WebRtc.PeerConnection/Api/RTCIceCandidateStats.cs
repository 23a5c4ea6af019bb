namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// An ICE candidate, ours (type <c>local-candidate</c>) or the peer's (type <c>remote-candidate</c>), including peer-reflexive
/// ones learned from checks (W3C <see href="https://www.w3.org/TR/webrtc-stats/#icecandidate-dict*">RTCIceCandidateStats</see>).
/// </summary>
/// <remarks>Candidate addresses are already public to the peer and the signaling channel; the report carries them as browsers do.</remarks>
public sealed class RTCIceCandidateStats : RTCStats
{
    internal RTCIceCandidateStats(bool isRemote)
    {
        IsRemote = isRemote;
    }

    /// <inheritdoc/>
    public override RTCStatsType Type => IsRemote ? RTCStatsType.RemoteCandidate : RTCStatsType.LocalCandidate;

    /// <summary>True for the peer's candidate (<c>remote-candidate</c>), false for ours (<c>local-candidate</c>).</summary>
    public bool IsRemote { get; }

    /// <summary>The <see cref="RTCTransportStats"/> of the transport (W3C <c>transportId</c>).</summary>
    public required string TransportId { get; init; }

    /// <summary>The IP address (W3C <c>address</c>).</summary>
    public required string Address { get; init; }

    /// <summary>The port (W3C <c>port</c>).</summary>
    public int Port { get; init; }

    /// <summary>UDP or TCP (W3C <c>protocol</c>).</summary>
    public RTCIceProtocol Protocol { get; init; }

    /// <summary>host, srflx, prflx or relay (W3C <c>candidateType</c>).</summary>
    public RTCIceCandidateType CandidateType { get; init; }

    /// <summary>The candidate priority (W3C <c>priority</c>).</summary>
    public long Priority { get; init; }

    /// <summary>The foundation (W3C <c>foundation</c>).</summary>
    public string? Foundation { get; init; }

    /// <summary>Local relay candidates: the transport to the TURN server, <c>udp</c>, <c>tcp</c> or <c>tls</c>; else null (W3C <c>relayProtocol</c>).</summary>
    public string? RelayProtocol { get; init; }

    /// <summary>The ICE username fragment of the candidate's side, or null (W3C <c>usernameFragment</c>).</summary>
    public string? UsernameFragment { get; init; }
}
