namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>Description of a signaling channel (AWS shape <c>ChannelInfo</c>), as returned by Describe and List.</summary>
public sealed class ChannelInfo
{
    /// <summary>The channel name.</summary>
    public string? ChannelName { get; init; }

    /// <summary>The channel ARN, e.g. <c>arn:aws:kinesisvideo:us-west-2:123456789012:channel/demo/1712136149494</c>.</summary>
    public string? ChannelARN { get; init; }

    /// <summary>The channel type.</summary>
    public ChannelType? ChannelType { get; init; }

    /// <summary>The channel status; only <see cref="ChannelStatus.Active"/> channels can be connected to.</summary>
    public ChannelStatus? ChannelStatus { get; init; }

    /// <summary>When the channel was created (UTC; epoch seconds on the wire).</summary>
    public DateTimeOffset? CreationTime { get; init; }

    /// <summary>The single-master configuration (message TTL).</summary>
    public SingleMasterConfiguration? SingleMasterConfiguration { get; init; }

    /// <summary>The current version; changes on every update and is needed by Update/Delete.</summary>
    public string? Version { get; init; }

    /// <summary>Returns the name, ARN, status and version (nothing secret).</summary>
    public override string ToString() => $"{ChannelName} ({ChannelARN}) {ChannelStatus} v{Version}";
}
