namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>A filter on channel names for ListSignalingChannels (AWS shape <c>ChannelNameCondition</c>).</summary>
public sealed class ChannelNameCondition
{
    /// <summary>The comparison; only <see cref="ComparisonOperator.BeginsWith"/> exists.</summary>
    public ComparisonOperator? ComparisonOperator { get; init; }

    /// <summary>The value to compare channel names with (1–256 characters, <c>[a-zA-Z0-9_.-]+</c>).</summary>
    public string? ComparisonValue { get; init; }
}
