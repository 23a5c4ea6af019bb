using System.Text.Json.Serialization;

namespace Kvs.WebRtc.Emulator.Storage;

/// <summary>Input of <c>JoinStorageSession</c> and <c>JoinStorageSessionAsViewer</c> (camelCase on the wire).</summary>
internal sealed class JoinStorageSessionBody
{
    [JsonPropertyName("channelArn")]
    public string? ChannelArn { get; init; }

    [JsonPropertyName("clientId")]
    public string? ClientId { get; init; }
}
