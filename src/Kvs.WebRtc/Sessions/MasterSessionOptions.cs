using Kvs.WebRtc.PeerConnection;

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

    /// <summary>How long a viewer has from its offer to an open data channel before it is dropped; default 30 s.</summary>
    public TimeSpan ViewerConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Channel, nameof(Channel));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxViewers, 1, nameof(MaxViewers));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ViewerConnectTimeout, TimeSpan.Zero, nameof(ViewerConnectTimeout));
        PeerConfiguration?.Validate();
    }
}
