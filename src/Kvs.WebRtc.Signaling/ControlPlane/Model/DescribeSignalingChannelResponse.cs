namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>Output of <c>DescribeSignalingChannel</c>.</summary>
public sealed class DescribeSignalingChannelResponse
{
    /// <summary>The channel description.</summary>
    public ChannelInfo? ChannelInfo { get; init; }
}
