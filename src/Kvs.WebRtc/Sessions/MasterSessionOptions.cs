using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.Media;

namespace Kvs.WebRtc.Sessions;

/// <summary>Options of a <see cref="MasterSession"/>.</summary>
public sealed record MasterSessionOptions
{
    /// <summary>The signaling channel, region, credentials and endpoint overrides (see <see cref="KvsChannelOptions"/>).</summary>
    public required KvsChannelOptions Channel { get; init; }

    /// <summary>
    /// Peer-connection settings. Its <see cref="RTCConfiguration.IceServers"/> are ignored: the session uses the channel's
    /// ICE servers (KVS STUN and TURN). Default: a default <see cref="RTCConfiguration"/>.
    /// </summary>
    public RTCConfiguration? PeerConfiguration { get; init; }

    /// <summary>How many viewers may be connected at once; KVS allows 10 (the default). Further offers are refused.</summary>
    public int MaxViewers { get; init; } = 10;

    /// <summary>
    /// The audio and video tracks sent to every viewer (a camera's <see cref="EncodedFrameTrack"/>s). Each track is added to
    /// each viewer's connection before the answer, so a viewer that offers to receive that kind gets it; frames written
    /// to a track are packetized once and sent to every viewer, and a viewer that joins mid-stream starts on the next
    /// key frame (the track raises <see cref="LocalMediaTrack.KeyFrameRequested"/>). Default none (data only).
    /// </summary>
    public IReadOnlyList<LocalMediaTrack> Tracks { get; init; } = [];

    /// <summary>How long a viewer has from its offer to a connected peer connection before it is dropped; default 30 s.</summary>
    public TimeSpan ViewerConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Channel, nameof(Channel));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxViewers, 1, nameof(MaxViewers));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ViewerConnectTimeout, TimeSpan.Zero, nameof(ViewerConnectTimeout));
        PeerConfiguration?.Validate();
        ArgumentNullException.ThrowIfNull(Tracks, nameof(Tracks));
        if (Tracks.Any(t => t is null))
        {
            throw new ArgumentException("Tracks must not contain null.", nameof(Tracks));
        }
    }
}
