namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>Input of <c>ListSignalingChannels</c> (<c>POST /listSignalingChannels</c>); every member is optional.</summary>
public sealed class ListSignalingChannelsRequest
{
    /// <summary>Page size, 1–10000 (the service default is 500).</summary>
    public int? MaxResults { get; init; }

    /// <summary>The token from the previous page (0–1024 characters, <c>[a-zA-Z0-9+/=]*</c>); omit for the first page.</summary>
    public string? NextToken { get; init; }

    /// <summary>Optional filter on channel names.</summary>
    public ChannelNameCondition? ChannelNameCondition { get; init; }
}
