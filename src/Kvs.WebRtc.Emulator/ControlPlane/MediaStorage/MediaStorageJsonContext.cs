using System.Text.Json.Serialization;

namespace Kvs.WebRtc.Emulator.ControlPlane.MediaStorage;

/// <summary>Source-generated JSON metadata for the media-storage shapes the shared model does not define.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DescribeMediaStorageConfigurationRequest))]
[JsonSerializable(typeof(DescribeMediaStorageConfigurationResponse))]
[JsonSerializable(typeof(UpdateMediaStorageConfigurationRequest))]
[JsonSerializable(typeof(EmptyResponse))]
internal sealed partial class MediaStorageJsonContext : JsonSerializerContext
{
}
