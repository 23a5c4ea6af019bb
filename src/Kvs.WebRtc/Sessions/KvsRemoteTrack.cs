using Kvs.WebRtc.PeerConnection.Media;

namespace Kvs.WebRtc.Sessions;

/// <summary>A track a peer sends to this session (a viewer's talkback audio or camera on a master).</summary>
/// <param name="ClientId">The sender's client id.</param>
/// <param name="Track">The track: read it with <see cref="RemoteMediaTrack.ReadFramesAsync"/>.</param>
public sealed record KvsRemoteTrack(string ClientId, RemoteMediaTrack Track);
