namespace Kvs.WebRtc.Sessions;

/// <summary>A viewer connected to a <see cref="MasterSession"/>: its data channel is open.</summary>
/// <param name="ClientId">The viewer's client id on the signaling channel.</param>
/// <param name="ConnectedAt">When its data channel opened.</param>
public sealed record KvsViewer(string ClientId, DateTimeOffset ConnectedAt);
