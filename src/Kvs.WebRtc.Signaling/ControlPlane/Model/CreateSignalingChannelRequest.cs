namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>Input of <c>CreateSignalingChannel</c> (<c>POST /createSignalingChannel</c>).</summary>
public sealed class CreateSignalingChannelRequest
{
    /// <summary>The channel name: 1–256 characters, <c>[a-zA-Z0-9_.-]+</c>, unique per account and region.</summary>
    public required string ChannelName { get; init; }

    /// <summary>The channel type; the service defaults to <see cref="ChannelType.SingleMaster"/> when omitted.</summary>
    public ChannelType? ChannelType { get; init; }

    /// <summary>The single-master configuration; omitted means a message TTL of 60 s.</summary>
    public SingleMasterConfiguration? SingleMasterConfiguration { get; init; }

    /// <summary>Tags to set on the new channel (0–50).</summary>
    public IReadOnlyList<Tag>? Tags { get; init; }
}
