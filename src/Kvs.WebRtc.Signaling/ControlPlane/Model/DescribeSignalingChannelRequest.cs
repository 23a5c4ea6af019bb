namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>Input of <c>DescribeSignalingChannel</c> (<c>POST /describeSignalingChannel</c>): give a name or an ARN.</summary>
public sealed class DescribeSignalingChannelRequest
{
    /// <summary>The channel name (set this or <see cref="ChannelARN"/>).</summary>
    public string? ChannelName { get; init; }

    /// <summary>The channel ARN (set this or <see cref="ChannelName"/>).</summary>
    public string? ChannelARN { get; init; }
}
