using System.Text.Json.Serialization;

namespace Kvs.WebRtc.NetworkLab;

/// <summary>The JSON line the lab prints (camelCase).</summary>
internal sealed record LabResult
{
    [JsonPropertyName("ok")]
    public bool Ok { get; init; }

    [JsonPropertyName("error")]
    public string? Error { get; init; }

    [JsonPropertyName("count")]
    public int Count { get; init; }

    [JsonPropertyName("reverseCount")]
    public int ReverseCount { get; init; }

    [JsonPropertyName("delivered")]
    public int Delivered { get; init; }

    [JsonPropertyName("reverseDelivered")]
    public int ReverseDelivered { get; init; }

    [JsonPropertyName("received")]
    public int Received { get; init; }

    [JsonPropertyName("reverseReceived")]
    public int ReverseReceived { get; init; }

    [JsonPropertyName("duplicates")]
    public int Duplicates { get; init; }

    [JsonPropertyName("outOfOrder")]
    public int OutOfOrder { get; init; }

    [JsonPropertyName("corrupt")]
    public int Corrupt { get; init; }

    [JsonPropertyName("bytes")]
    public long Bytes { get; init; }

    [JsonPropertyName("connectMs")]
    public double ConnectMs { get; init; }

    [JsonPropertyName("elapsedMs")]
    public double ElapsedMs { get; init; }

    [JsonPropertyName("retransmissions")]
    public long Retransmissions { get; init; }

    [JsonPropertyName("packetsSent")]
    public long PacketsSent { get; init; }

    [JsonPropertyName("selectedPair")]
    public string? SelectedPair { get; init; }

    [JsonPropertyName("offererState")]
    public string? OffererState { get; init; }

    [JsonPropertyName("answererState")]
    public string? AnswererState { get; init; }

    [JsonPropertyName("media")]
    public MediaResult? Media { get; init; }
}
