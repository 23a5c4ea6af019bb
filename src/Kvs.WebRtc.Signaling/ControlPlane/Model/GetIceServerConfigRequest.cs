namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>
/// Input of the signaling-service operation <c>GetIceServerConfig</c> (<c>POST /v1/get-ice-server-config</c> on the
/// channel's <see cref="ChannelProtocol.Https"/> endpoint).
/// </summary>
public sealed class GetIceServerConfigRequest
{
    /// <summary>The only defined value of <see cref="Service"/>.</summary>
    public const string TurnService = "TURN";

    /// <summary>The channel ARN.</summary>
    public required string ChannelARN { get; init; }

    /// <summary>The caller's client id (1–256 characters, <c>[a-zA-Z0-9_.-]+</c>); optional.</summary>
    public string? ClientId { get; init; }

    /// <summary>The service wanted: <see cref="TurnService"/> or omitted.</summary>
    public string? Service { get; init; }

    /// <summary>An optional user id to bind the TURN credentials to (1–256 characters, <c>[a-zA-Z0-9_.-]+</c>).</summary>
    public string? Username { get; init; }
}
