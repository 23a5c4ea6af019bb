namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>Which candidates to use (W3C <c>RTCIceTransportPolicy</c>).</summary>
internal enum IceTransportPolicy
{
    /// <summary>Host, server reflexive and relay candidates.</summary>
    All,

    /// <summary>Only relay candidates (no host sockets are opened).</summary>
    Relay,
}
