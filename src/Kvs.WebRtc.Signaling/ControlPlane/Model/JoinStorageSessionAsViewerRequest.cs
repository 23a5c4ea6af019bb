using System.Text.Json.Serialization;

namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>Input of <c>JoinStorageSessionAsViewer</c> (<c>POST /joinStorageSessionAsViewer</c>, camelCase members on the wire).</summary>
internal sealed class JoinStorageSessionAsViewerRequest
{
    [JsonPropertyName("channelArn")]
    public required string ChannelArn { get; init; }

    [JsonPropertyName("clientId")]
    public required string ClientId { get; init; }
}
