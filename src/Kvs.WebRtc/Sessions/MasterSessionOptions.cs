using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.Media;

namespace Kvs.WebRtc.Sessions;

/// <summary>Options of a <see cref="MasterSession"/>.</summary>
/// <remarks>
/// Set the properties, then pass the options to <see cref="MasterSession.StartAsync"/>: it validates them before it
/// connects (an <see cref="ArgumentException"/> names the property that is wrong) and copies them, so later changes to
/// this instance do not reach a running session. Equality is by reference.
/// </remarks>
public sealed class MasterSessionOptions
{
    /// <summary>The signaling channel, region, credentials and endpoint overrides (see <see cref="KvsChannelOptions"/>).</summary>
    public required KvsChannelOptions Channel { get; set; }

    /// <summary>
    /// Peer-connection settings. Its <see cref="RTCConfiguration.IceServers"/> are ignored: the session uses the channel's
    /// ICE servers (KVS STUN and TURN). Default: a default <see cref="RTCConfiguration"/>.
    /// </summary>
    public RTCConfiguration? PeerConfiguration { get; set; }

    /// <summary>
    /// How many viewers may be connected at once; KVS allows 10 (the default). Further offers are refused at once with an
    /// answer the viewer understands (a <see cref="ViewerSession"/> throws <see cref="KvsSessionException"/> (<see cref="KvsSessionError.ViewerRefused"/>) with
    /// <see cref="KvsSessionException.ViewerLimitReached"/>). Viewers that offered but are not connected yet do not
    /// count here (see <see cref="MaxPendingViewers"/>).
    /// </summary>
    public int MaxViewers { get; set; } = 10;

    /// <summary>
    /// How many viewers may be between their offer and a connected peer connection at once; default 10. A new offer
    /// beyond it evicts the oldest pending viewer (logged), so offers from clients that never connect cannot lock real
    /// viewers out.
    /// </summary>
    public int MaxPendingViewers { get; set; } = 10;

    /// <summary>
    /// The audio and video tracks sent to every viewer (a camera's <see cref="EncodedFrameTrack"/>s). Each track is added to
    /// each viewer's connection before the answer, so a viewer that offers to receive that kind gets it; frames written
    /// to a track are packetized once and sent to every viewer, and a viewer that joins mid-stream starts on the next
    /// key frame (the track raises <see cref="LocalMediaTrack.KeyFrameRequested"/>). Default none (data only).
    /// </summary>
    public IReadOnlyList<LocalMediaTrack> Tracks { get; set; } = [];

    /// <summary>
    /// How long a viewer has from its offer to a connected peer connection before it is dropped (its memory is released
    /// at once); default 15 s.
    /// </summary>
    public TimeSpan ViewerConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Called for each viewer's offer before it is answered, to add tracks or data channels for that viewer only, or to
    /// refuse it (<see cref="ViewerOffer.Refuse"/>); default none. Offers are handled one at a time, so keep it short: it
    /// is cancelled after <see cref="ViewerConnectTimeout"/> and when the session stops. An exception it throws refuses that
    /// viewer (logged at Warning); other viewers are not affected.
    /// </summary>
    public Func<ViewerOffer, CancellationToken, ValueTask>? ConfigureViewer { get; set; }

    /// <summary>
    /// WebRTC ingestion: record this master's media into the Kinesis video stream linked to the channel. The session
    /// checks the channel's media storage configuration (failing with <see cref="KvsSessionException"/> (<see cref="KvsSessionError.MediaStorageNotEnabled"/>) when
    /// none is ENABLED), joins the storage session on start and again after every signaling reconnect (retrying with
    /// back-off), and answers the storage session's offer (the one without a sender client id) with
    /// <see cref="Tracks"/>. The storage peer does not count against <see cref="MaxViewers"/> and is not reported in
    /// <see cref="MasterSession.ViewerJoined"/>/<see cref="MasterSession.ViewerLeft"/>. Default false.
    /// </summary>
    public bool JoinStorageSession { get; set; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Channel, nameof(Channel));
        Channel.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxViewers, 1, nameof(MaxViewers));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingViewers, 1, nameof(MaxPendingViewers));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ViewerConnectTimeout, TimeSpan.Zero, nameof(ViewerConnectTimeout));
        PeerConfiguration?.Validate();
        ArgumentNullException.ThrowIfNull(Tracks, nameof(Tracks));
        if (Tracks.Any(t => t is null))
        {
            throw new ArgumentException("Tracks must not contain null.", nameof(Tracks));
        }
    }

    /// <summary>A copy taken at the door (nested options and the track list copied too), so later changes to this instance do not reach the session.</summary>
    internal MasterSessionOptions Snapshot() => new()
    {
        Channel = Channel.Snapshot(),
        PeerConfiguration = PeerConfiguration is null ? null : PeerLink.CopyConfiguration(PeerConfiguration),
        MaxViewers = MaxViewers,
        MaxPendingViewers = MaxPendingViewers,
        Tracks = [.. Tracks],
        ViewerConnectTimeout = ViewerConnectTimeout,
        ConfigureViewer = ConfigureViewer,
        JoinStorageSession = JoinStorageSession,
    };
}
