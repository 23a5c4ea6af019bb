using System.Text.Json.Serialization;

namespace Kvs.WebRtc.Signaling.ControlPlane.Internal;

/// <summary>Source-generated JSON metadata of the resolver cache file.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ResolverCacheFile))]
internal sealed partial class ResolverCacheJsonContext : JsonSerializerContext
{
}
