namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>
/// Which endpoints GetSignalingChannelEndpoint returns (AWS shape <c>SingleMasterChannelEndpointConfiguration</c>).
/// </summary>
public sealed class SingleMasterChannelEndpointConfiguration
{
    /// <summary>The protocols wanted (1–5 items), e.g. <see cref="ChannelProtocol.Wss"/> and <see cref="ChannelProtocol.Https"/>.</summary>
    public IReadOnlyList<ChannelProtocol>? Protocols { get; init; }

    /// <summary>The caller's role; master and viewer WSS endpoints differ.</summary>
    public ChannelRole? Role { get; init; }
}
