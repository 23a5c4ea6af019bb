namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>Input of <c>DescribeMediaStorageConfiguration</c> (<c>POST /describeMediaStorageConfiguration</c>): a channel name or ARN.</summary>
public sealed class DescribeMediaStorageConfigurationRequest
{
    /// <summary>The channel name (set this or <see cref="ChannelARN"/>).</summary>
    public string? ChannelName { get; init; }

    /// <summary>The channel ARN (set this or <see cref="ChannelName"/>).</summary>
    public string? ChannelARN { get; init; }
}
