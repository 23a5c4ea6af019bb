using Kvs.WebRtc.Signaling.ControlPlane.Model;

namespace Kvs.WebRtc.Signaling.ControlPlane;

/// <summary>
/// The result of <see cref="SignalingChannelResolver.ResolveAsync"/>: a channel's ARN and its endpoints for one role.
/// Immutable.
/// </summary>
public sealed record SignalingChannelEndpoints
{
    /// <summary>The channel ARN.</summary>
    public required string ChannelArn { get; init; }

    /// <summary>The region of the channel (from its ARN).</summary>
    public required string Region { get; init; }

    /// <summary>The role the endpoints were resolved for (master and viewer WSS hosts differ).</summary>
    public required ChannelRole Role { get; init; }

    /// <summary>The WebSocket endpoint (<c>wss://…</c>) for ConnectAsMaster / ConnectAsViewer.</summary>
    public required Uri WssEndpoint { get; init; }

    /// <summary>The HTTPS endpoint for GetIceServerConfig.</summary>
    public required Uri HttpsEndpoint { get; init; }

    /// <summary>The WEBRTC endpoint (WebRTC ingestion), or null when it was not requested.</summary>
    public Uri? WebRtcEndpoint { get; init; }

    /// <summary>When the endpoints were obtained from the control plane.</summary>
    public required DateTimeOffset ResolvedAt { get; init; }
}
