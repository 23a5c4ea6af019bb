namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>Input of <c>UpdateSignalingChannel</c> (<c>POST /updateSignalingChannel</c>).</summary>
public sealed class UpdateSignalingChannelRequest
{
    /// <summary>The channel ARN.</summary>
    public required string ChannelARN { get; init; }

    /// <summary>The channel's current <see cref="ChannelInfo.Version"/>; a stale value fails with <see cref="SignalingError.VersionMismatch"/>.</summary>
    public required string CurrentVersion { get; init; }

    /// <summary>The new configuration; the TTL applies to messages sent after the update.</summary>
    public SingleMasterConfiguration? SingleMasterConfiguration { get; init; }
}
