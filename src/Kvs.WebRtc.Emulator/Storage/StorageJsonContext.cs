using System.Text.Json.Serialization;

namespace Kvs.WebRtc.Emulator.Storage;

/// <summary>Source-generated JSON metadata for the WebRTC storage shapes (member names matched case-insensitively).</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(JoinStorageSessionBody))]
internal sealed partial class StorageJsonContext : JsonSerializerContext
{
}
