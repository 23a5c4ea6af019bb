using System.Net;

namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>A checklist entry (RFC 8445 §6.1.2).</summary>
internal sealed class IceCandidatePair(IceLocalCandidate local, IceCandidate remote, IPEndPoint remoteEndPoint)
{
    /// <summary>The local side (host or relay; server reflexive candidates are replaced by their base, §6.1.2.4).</summary>
    public IceLocalCandidate Local { get; } = local;

    /// <summary>The remote candidate (may be upgraded from prflx when the peer signals it).</summary>
    public IceCandidate Remote { get; set; } = remote;

    /// <summary>The remote transport address.</summary>
    public IPEndPoint RemoteEndPoint { get; } = remoteEndPoint;

    /// <summary>The pair foundation: local and remote foundations joined.</summary>
    public string Foundation => Local.Candidate.Foundation + ":" + Remote.Foundation;

    /// <summary>The pair priority for the current role.</summary>
    public ulong Priority { get; set; }

    /// <summary>The state.</summary>
    public IceCandidatePairState State { get; set; } = IceCandidatePairState.Frozen;

    /// <summary>Nominated (RFC 8445 §8.1): both sides agree to use it.</summary>
    public bool Nominated { get; set; }

    /// <summary>Controlled side: the peer sent USE-CANDIDATE before this pair became valid (§7.3.1.5).</summary>
    public bool NominateOnSuccess { get; set; }

    /// <summary>Controlling side: a check with USE-CANDIDATE is outstanding on this pair.</summary>
    public bool Nominating { get; set; }

    /// <summary>When a check or consent request on this pair last got an authenticated success response.</summary>
    public TimeSpan LastResponse { get; set; }

    /// <summary>
    /// The peer sent an authenticated check on this 5-tuple and we answered it: the peer proved it knows our password, so
    /// its data on this path is accepted even before our own check succeeds (RFC 8445 §11 lets data flow on any pair the
    /// peer validated).
    /// </summary>
    public bool CheckAnswered { get; set; }

    /// <summary>A triggered check is queued.</summary>
    public bool Triggered { get; set; }

    /// <summary>Connectivity checks and consent requests sent on this pair (first transmissions only).</summary>
    public long RequestsSent { get; set; }

    /// <summary>Authenticated checks from the peer answered on this pair.</summary>
    public long RequestsReceived { get; set; }

    /// <summary>Authenticated success responses received on this pair (checks and consent).</summary>
    public long ResponsesReceived { get; set; }

    /// <summary>The round-trip time of the latest answered request (from its last transmission), or null before one.</summary>
    public TimeSpan? CurrentRoundTripTime { get; set; }

    /// <summary>The sum of the round-trip times of all answered requests.</summary>
    public TimeSpan TotalRoundTripTime { get; set; }

    /// <summary>Same 5-tuple.</summary>
    public bool Matches(IPEndPoint localBase, IPEndPoint remote) => Local.Base.Equals(localBase) && RemoteEndPoint.Equals(remote);

    /// <inheritdoc />
    public override string ToString() => $"{Local.Base} -> {RemoteEndPoint} ({State}{(Nominated ? ", nominated" : string.Empty)})";
}
