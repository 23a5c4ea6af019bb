namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>Input of <c>GetSignalingChannelEndpoint</c> (<c>POST /getSignalingChannelEndpoint</c>).</summary>
public sealed class GetSignalingChannelEndpointRequest
{
    /// <summary>The channel ARN.</summary>
    public required string ChannelARN { get; init; }

    /// <summary>The protocols and role wanted; the service returns every protocol when omitted.</summary>
    public SingleMasterChannelEndpointConfiguration? SingleMasterChannelEndpointConfiguration { get; init; }
}
