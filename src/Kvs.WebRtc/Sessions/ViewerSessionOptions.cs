using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.Media;

namespace Kvs.WebRtc.Sessions;

/// <summary>Options of a <see cref="ViewerSession"/>.</summary>
/// <remarks>
/// Set the properties, then pass the options to <see cref="ViewerSession.ConnectAsync"/>: it validates them before it
/// connects (an <see cref="ArgumentException"/> names the property that is wrong) and copies them, so later changes to
/// this instance do not reach a running session. Equality is by reference.
/// </remarks>
public sealed class ViewerSessionOptions
{
    /// <summary>The signaling channel, region, credentials and endpoint overrides (see <see cref="KvsChannelOptions"/>).</summary>
    public required KvsChannelOptions Channel { get; set; }

    /// <summary>This viewer's unique id on the channel: 1-256 of <c>[a-zA-Z0-9_.-]</c>.</summary>
    public required string ClientId { get; set; }

    /// <summary>
    /// Peer-connection settings. Its <see cref="RTCConfiguration.IceServers"/> are ignored: the session uses the channel's
    /// ICE servers (KVS STUN and TURN). Default: a default <see cref="RTCConfiguration"/>.
    /// </summary>
    public RTCConfiguration? PeerConfiguration { get; set; }

    /// <summary>The label of the data channel the viewer opens; default <c>kvsDataChannel</c> (as the KVS samples name it).</summary>
    public string DataChannelLabel { get; set; } = "kvsDataChannel";

    /// <summary>Whether to receive the master's video; default true.</summary>
    public bool ReceiveVideo { get; set; } = true;

    /// <summary>Whether to receive the master's audio; default true.</summary>
    public bool ReceiveAudio { get; set; } = true;

    /// <summary>Whether to open a data channel (<see cref="DataChannelLabel"/>) to the master; default true.</summary>
    public bool OpenDataChannel { get; set; } = true;

    /// <summary>Tracks this viewer sends to the master (two-way audio talkback, a viewer's camera); default none.</summary>
    public IReadOnlyList<LocalMediaTrack> Tracks { get; set; } = [];

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
    public bool JoinStorageSession { get; set; }

    /// <summary>How long <see cref="ViewerSession.ConnectAsync"/> waits for the answer, a connected peer connection and an open data channel; default 30 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Channel, nameof(Channel));
        Channel.Validate();
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

    /// <summary>A copy taken at the door (nested options and the track list copied too), so later changes to this instance do not reach the session.</summary>
    internal ViewerSessionOptions Snapshot() => new()
    {
        Channel = Channel.Snapshot(),
        ClientId = ClientId,
        PeerConfiguration = PeerConfiguration is null ? null : PeerLink.CopyConfiguration(PeerConfiguration),
        DataChannelLabel = DataChannelLabel,
        ReceiveVideo = ReceiveVideo,
        ReceiveAudio = ReceiveAudio,
        OpenDataChannel = OpenDataChannel,
        Tracks = [.. Tracks],
        JoinStorageSession = JoinStorageSession,
        ConnectTimeout = ConnectTimeout,
    };
}
