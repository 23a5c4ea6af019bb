namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// A local ICE candidate to send to the peer (W3C <see href="https://www.w3.org/TR/webrtc/#rtcpeerconnectioniceevent">RTCPeerConnectionIceEvent</see>).
/// </summary>
public sealed class RTCPeerConnectionIceEventArgs : EventArgs
{
    internal RTCPeerConnectionIceEventArgs(RTCIceCandidateInit? candidate) => Candidate = candidate;

    /// <summary>The candidate, or null when gathering is complete (end-of-candidates).</summary>
    public RTCIceCandidateInit? Candidate { get; }
}
