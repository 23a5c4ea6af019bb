namespace Kvs.WebRtc.Sessions;

/// <summary>A viewer connected to a <see cref="MasterSession"/>: its data channel is open.</summary>
/// <param name="ClientId">The viewer's client id on the signaling channel.</param>
/// <param name="ConnectedAt">When its data channel opened.</param>
public sealed record KvsViewer(string ClientId, DateTimeOffset ConnectedAt)
{
    /// <summary>
    /// How long the viewer took to join: from its offer arriving to its peer connection connected (answer, ICE and DTLS
    /// included), on the channel's monotonic clock; null when not measured.
    /// </summary>
    public TimeSpan? JoinTime { get; init; }
}
