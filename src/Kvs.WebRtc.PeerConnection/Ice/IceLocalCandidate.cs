using System.Net;

namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>A local candidate with its base (what a socket or relay allocation is bound to).</summary>
internal sealed class IceLocalCandidate(IceCandidate candidate, IPEndPoint baseEndPoint)
{
    /// <summary>The candidate as signalled (re-tagged with the new ufrag after an ICE restart).</summary>
    public IceCandidate Candidate { get; set; } = candidate;

    /// <summary>The base (RFC 8445 §5.1.1.1): the host address itself, or the relayed address.</summary>
    public IPEndPoint Base { get; } = baseEndPoint;

    /// <summary>The local preference encoded in its priority.</summary>
    public int LocalPreference => (int)((Candidate.Priority >> 8) & 0xFFFF);
}
