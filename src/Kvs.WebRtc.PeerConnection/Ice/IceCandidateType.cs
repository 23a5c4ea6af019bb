namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>The candidate types of RFC 8445 §5.1.1 (the <c>typ</c> token of a candidate line).</summary>
internal enum IceCandidateType
{
    /// <summary><c>host</c>: an address on a local interface.</summary>
    Host,

    /// <summary><c>srflx</c>: the address a STUN server saw (server reflexive).</summary>
    ServerReflexive,

    /// <summary><c>prflx</c>: learned from a connectivity check (peer reflexive).</summary>
    PeerReflexive,

    /// <summary><c>relay</c>: an address allocated on a TURN server.</summary>
    Relay,
}
