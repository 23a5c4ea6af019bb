namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>Something the <see cref="IceAgent"/> reports; drained with <see cref="IceAgent.TryPollEvent"/>.</summary>
internal abstract record IceAgentEvent;

/// <summary>The agent's state changed.</summary>
/// <param name="State">The new state.</param>
internal sealed record IceStateChanged(IceConnectionState State) : IceAgentEvent;

/// <summary>The pair used for application data changed; null when none is usable (consent lost, closed).</summary>
/// <param name="Pair">The new selected pair.</param>
internal sealed record IceSelectedPairChanged(IceSelectedPair? Pair) : IceAgentEvent;

/// <summary>A local candidate to signal to the peer (trickle ICE, RFC 8838).</summary>
/// <param name="Candidate">The candidate.</param>
internal sealed record IceLocalCandidateGathered(IceCandidate Candidate) : IceAgentEvent;

/// <summary>Gathering finished: signal end-of-candidates (RFC 8838 §4.4).</summary>
internal sealed record IceGatheringCompleted : IceAgentEvent;
