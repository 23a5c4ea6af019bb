using System.Text.Json;
using System.Text.Json.Nodes;

namespace Kvs.WebRtc.InteropTests.Support;

/// <summary>
/// Reads one W3C RTP stats report, as the Chromium and Firefox harnesses return it in JSON, into
/// <see cref="InboundVideoStats"/>, <see cref="InboundAudioStats"/> or <see cref="OutboundRtpStats"/>.
/// </summary>
internal static class RtpStatsJson
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    /// <summary>The record with <c>Exists</c> set, or the all-zero record when there is no report (empty JSON).</summary>
    public static T Parse<T>(string? json)
        where T : new()
    {
        if (string.IsNullOrEmpty(json))
        {
            return new T();
        }

        // Every stats record has Exists: set it through the JSON so the records stay immutable.
        var node = JsonNode.Parse(json)!.AsObject();
        node["exists"] = true;
        return node.Deserialize<T>(s_json) ?? new T();
    }
}
