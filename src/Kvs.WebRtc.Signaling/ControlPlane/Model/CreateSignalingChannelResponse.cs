namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>Output of <c>CreateSignalingChannel</c>.</summary>
public sealed class CreateSignalingChannelResponse
{
    /// <summary>The ARN of the new channel (which starts in <see cref="ChannelStatus.Creating"/>).</summary>
    public string? ChannelARN { get; init; }
}
