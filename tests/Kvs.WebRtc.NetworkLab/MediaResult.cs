using System.Text.Json.Serialization;

namespace Kvs.WebRtc.NetworkLab;

/// <summary>What the media run measured (camelCase JSON inside the lab result).</summary>
internal sealed record MediaResult
{
    [JsonPropertyName("framesSent")]
    public int FramesSent { get; init; }

    [JsonPropertyName("framesIntact")]
    public int FramesIntact { get; init; }

    [JsonPropertyName("framesCorrupt")]
    public int FramesCorrupt { get; init; }

    [JsonPropertyName("corruptFrames")]
    public IReadOnlyList<string> CorruptFrames { get; init; } = [];

    [JsonPropertyName("framesDuplicated")]
    public int FramesDuplicated { get; init; }

    [JsonPropertyName("framesDroppedByReceiver")]
    public long FramesDroppedByReceiver { get; init; }

    [JsonPropertyName("keyFramesSent")]
    public int KeyFramesSent { get; init; }

    [JsonPropertyName("keyFrameRequests")]
    public long KeyFrameRequests { get; init; }

    [JsonPropertyName("maxGapMs")]
    public double MaxGapMs { get; init; }

    [JsonPropertyName("nacksReceived")]
    public long NacksReceived { get; init; }

    [JsonPropertyName("retransmittedPackets")]
    public long RetransmittedPackets { get; init; }

    [JsonPropertyName("packetsSent")]
    public long PacketsSent { get; init; }
}
