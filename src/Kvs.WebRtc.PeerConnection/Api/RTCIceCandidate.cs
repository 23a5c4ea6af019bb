using Kvs.WebRtc.PeerConnection.Ice;

namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// A local or remote ICE candidate as the transport knows it (W3C <see href="https://www.w3.org/TR/webrtc/#rtcicecandidate-interface">RTCIceCandidate</see>):
/// the attribute text and its parsed fields. <see cref="ToInit"/> gives the signaling form (W3C <c>toJSON()</c>).
/// </summary>
public sealed class RTCIceCandidate
{
    private RTCIceCandidate(IceCandidate candidate, string? sdpMid, int? sdpMLineIndex, string? usernameFragment)
    {
        Candidate = candidate.ToString();
        SdpMid = sdpMid;
        SdpMLineIndex = sdpMLineIndex;
        UsernameFragment = usernameFragment;
        Foundation = candidate.Foundation;
        Component = candidate.Component == 2 ? RTCIceComponent.Rtcp : RTCIceComponent.Rtp;
        Priority = candidate.Priority;
        Address = candidate.Address;
        Port = candidate.Port;
        Protocol = candidate.Protocol == IceTransportProtocol.Tcp ? RTCIceProtocol.Tcp : RTCIceProtocol.Udp;
        Type = candidate.Type switch
        {
            IceCandidateType.ServerReflexive => RTCIceCandidateType.ServerReflexive,
            IceCandidateType.PeerReflexive => RTCIceCandidateType.PeerReflexive,
            IceCandidateType.Relay => RTCIceCandidateType.Relay,
            _ => RTCIceCandidateType.Host,
        };
        RelatedAddress = candidate.RelatedAddress;
        RelatedPort = candidate.RelatedPort;
    }

    /// <summary>The candidate attribute without <c>a=</c> (W3C <c>candidate</c>), e.g. <c>candidate:1 1 udp 2122260223 10.0.0.2 50000 typ host</c>.</summary>
    public string Candidate { get; }

    /// <summary>The mid of the (BUNDLE) section it belongs to (W3C <c>sdpMid</c>).</summary>
    public string? SdpMid { get; }

    /// <summary>The index of that m= section (W3C <c>sdpMLineIndex</c>).</summary>
    public int? SdpMLineIndex { get; }

    /// <summary>The ICE username fragment of its side (W3C <c>usernameFragment</c>).</summary>
    public string? UsernameFragment { get; }

    /// <summary>The foundation (W3C <c>foundation</c>).</summary>
    public string Foundation { get; }

    /// <summary>The component (W3C <c>component</c>).</summary>
    public RTCIceComponent Component { get; }

    /// <summary>The priority (W3C <c>priority</c>, RFC 8445 §5.1.2).</summary>
    public uint Priority { get; }

    /// <summary>The IP address or mDNS name (W3C <c>address</c>).</summary>
    public string Address { get; }

    /// <summary>The port (W3C <c>port</c>).</summary>
    public int Port { get; }

    /// <summary>The transport protocol (W3C <c>protocol</c>).</summary>
    public RTCIceProtocol Protocol { get; }

    /// <summary>The type (W3C <c>type</c>).</summary>
    public RTCIceCandidateType Type { get; }

    /// <summary>The base or server address of a reflexive or relay candidate (W3C <c>relatedAddress</c>).</summary>
    public string? RelatedAddress { get; }

    /// <summary>The related port (W3C <c>relatedPort</c>).</summary>
    public int? RelatedPort { get; }

    /// <summary>The form sent over signaling (W3C <c>toJSON()</c>).</summary>
    public RTCIceCandidateInit ToInit() => new(Candidate, SdpMid, SdpMLineIndex, UsernameFragment);

    /// <inheritdoc />
    public override string ToString() => Candidate;

    internal static RTCIceCandidate From(IceCandidate candidate, string? sdpMid, int? sdpMLineIndex, string? usernameFragment) =>
        new(candidate, sdpMid, sdpMLineIndex, usernameFragment);
}
