namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>Output of <c>GetSignalingChannelEndpoint</c>: one item per requested protocol, in no particular order.</summary>
public sealed class GetSignalingChannelEndpointResponse
{
    /// <summary>The endpoints.</summary>
    public IReadOnlyList<ResourceEndpointListItem>? ResourceEndpointList { get; init; }
}
