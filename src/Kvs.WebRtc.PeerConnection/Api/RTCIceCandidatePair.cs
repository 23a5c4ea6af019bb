namespace Kvs.WebRtc.PeerConnection;

/// <summary>A local and a remote candidate that carry the connection's traffic (W3C <see href="https://www.w3.org/TR/webrtc/#dom-rtcicecandidatepair">RTCIceCandidatePair</see>).</summary>
public sealed class RTCIceCandidatePair
{
    internal RTCIceCandidatePair(RTCIceCandidate local, RTCIceCandidate remote)
    {
        Local = local;
        Remote = remote;
    }

    /// <summary>The local candidate (W3C <c>local</c>).</summary>
    public RTCIceCandidate Local { get; }

    /// <summary>The remote candidate (W3C <c>remote</c>).</summary>
    public RTCIceCandidate Remote { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Local.Address}:{Local.Port} {Local.Type} -> {Remote.Address}:{Remote.Port} {Remote.Type}";
}
