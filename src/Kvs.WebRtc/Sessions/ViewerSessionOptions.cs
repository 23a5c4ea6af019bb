using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.Media;

namespace Kvs.WebRtc.Sessions;

/// <summary>Options of a <see cref="ViewerSession"/>.</summary>
public sealed record ViewerSessionOptions
{
    /// <summary>The signaling channel, region, credentials and endpoint overrides (see <see cref="KvsChannelOptions"/>).</summary>
    public required KvsChannelOptions Channel { get; init; }

    /// <summary>This viewer's unique id on the channel: 1-256 of <c>[a-zA-Z0-9_.-]</c>.</summary>
    public required string ClientId { get; init; }

    /// <summary>
    /// Peer-connection settings. Its <see cref="RTCConfiguration.IceServers"/> are ignored: the session uses the channel's
    /// ICE servers (KVS STUN and TURN). Default: a default <see cref="RTCConfiguration"/>.
    /// </summary>
    public RTCConfiguration? PeerConfiguration { get; init; }

    /// <summary>The label of the data channel the viewer opens; default <c>kvsDataChannel</c> (as the KVS samples name it).</summary>
    public string DataChannelLabel { get; init; } = "kvsDataChannel";

    /// <summary>Whether to receive the master's video; default true.</summary>
    public bool ReceiveVideo { get; init; } = true;

    /// <summary>Whether to receive the master's audio; default true.</summary>
    public bool ReceiveAudio { get; init; } = true;

    /// <summary>Whether to open a data channel (<see cref="DataChannelLabel"/>) to the master; default true.</summary>
    public bool OpenDataChannel { get; init; } = true;

    /// <summary>Tracks this viewer sends to the master (two-way audio talkback, a viewer's camera); default none.</summary>
    public IReadOnlyList<LocalMediaTrack> Tracks { get; init; } = [];

    /// <summary>
    /// Join the channel's storage session (WebRTC ingestion) as this viewer instead of connecting to the master: after
    /// its signaling connection is up the viewer calls <c>JoinStorageSessionAsViewer</c>, and the storage session (the
    /// KVS media server, which receives the master's media) sends the viewer its SDP offer; the viewer answers. Requires
    /// <see cref="KvsChannelOptions.UseMediaStorage"/>. The join is repeated until the offer arrives (the service answers
    /// the call at once and offers later); <see cref="ConnectTimeout"/> bounds it all. The session's offer decides what
    /// flows: the master's video and audio to the viewer, and the viewer's audio track in <see cref="Tracks"/>, if any,
    /// back; <see cref="ReceiveVideo"/>, <see cref="ReceiveAudio"/> and <see cref="OpenDataChannel"/> do not apply
    /// (a storage session has no data channel). Default false.
    /// </summary>
    public bool JoinStorageSession { get; init; }

    /// <summary>How long <see cref="ViewerSession.ConnectAsync"/> waits for the answer, a connected peer connection and an open data channel; default 30 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Channel, nameof(Channel));
        ArgumentException.ThrowIfNullOrEmpty(ClientId, nameof(ClientId));
        ArgumentException.ThrowIfNullOrEmpty(DataChannelLabel, nameof(DataChannelLabel));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero, nameof(ConnectTimeout));
        PeerConfiguration?.Validate();
        ArgumentNullException.ThrowIfNull(Tracks, nameof(Tracks));
        if (JoinStorageSession && !Channel.UseMediaStorage)
        {
            throw new ArgumentException(
                "JoinStorageSession needs the channel's WEBRTC endpoint: set Channel.UseMediaStorage to true.", nameof(JoinStorageSession));
        }

        if (!JoinStorageSession && !ReceiveVideo && !ReceiveAudio && !OpenDataChannel && Tracks.Count == 0)
        {
            throw new ArgumentException("The viewer must receive video or audio, open a data channel, or send a track.", nameof(OpenDataChannel));
        }
    }
}
