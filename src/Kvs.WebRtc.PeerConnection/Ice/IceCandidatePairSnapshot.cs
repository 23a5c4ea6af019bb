namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>A copy of one checklist pair's state and check counters, for statistics (W3C <c>candidate-pair</c>).</summary>
/// <param name="Local">The local candidate (host or relay: server-reflexive candidates pair through their base).</param>
/// <param name="Remote">The remote candidate.</param>
/// <param name="State">The pair's state.</param>
/// <param name="Nominated">Both sides agreed to use it.</param>
/// <param name="Selected">It carries the application data.</param>
/// <param name="Priority">The pair priority.</param>
/// <param name="RequestsSent">Checks and consent requests sent (first transmissions).</param>
/// <param name="RequestsReceived">The peer's authenticated checks answered.</param>
/// <param name="ResponsesReceived">Success responses received.</param>
/// <param name="CurrentRoundTripTime">The latest request round trip, or null.</param>
/// <param name="TotalRoundTripTime">The sum of all request round trips.</param>
/// <param name="LastResponse">When the last success response arrived (agent time).</param>
internal sealed record IceCandidatePairSnapshot(
    IceCandidate Local,
    IceCandidate Remote,
    IceCandidatePairState State,
    bool Nominated,
    bool Selected,
    ulong Priority,
    long RequestsSent,
    long RequestsReceived,
    long ResponsesReceived,
    TimeSpan? CurrentRoundTripTime,
    TimeSpan TotalRoundTripTime,
    TimeSpan LastResponse);
