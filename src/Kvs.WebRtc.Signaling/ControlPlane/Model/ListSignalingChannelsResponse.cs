namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>Output of <c>ListSignalingChannels</c>: one page.</summary>
public sealed class ListSignalingChannelsResponse
{
    /// <summary>The channels on this page.</summary>
    public IReadOnlyList<ChannelInfo>? ChannelInfoList { get; init; }

    /// <summary>The token for the next page; absent or empty on the last page.</summary>
    public string? NextToken { get; init; }
}
