namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>One per-channel endpoint (AWS shape <c>ResourceEndpointListItem</c>).</summary>
public sealed class ResourceEndpointListItem
{
    /// <summary>The protocol the endpoint serves.</summary>
    public ChannelProtocol? Protocol { get; init; }

    /// <summary>
    /// The endpoint, e.g. <c>wss://m-b94e17e0.kinesisvideo.us-west-2.amazonaws.com</c>. Opaque: use it as given,
    /// never rebuild it.
    /// </summary>
    public string? ResourceEndpoint { get; init; }

    /// <summary>Returns <c>Protocol ResourceEndpoint</c>.</summary>
    public override string ToString() => $"{Protocol} {ResourceEndpoint}";
}
