using System.Text.Json.Serialization;

namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>Input of <c>JoinStorageSession</c> (<c>POST /joinStorageSession</c>, camelCase members on the wire).</summary>
internal sealed class JoinStorageSessionRequest
{
    [JsonPropertyName("channelArn")]
    public required string ChannelArn { get; init; }
}
