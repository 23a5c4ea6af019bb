using System.Text.Json.Serialization;
using Kvs.WebRtc.Signaling.ControlPlane.Internal;
using Kvs.WebRtc.Signaling.ControlPlane.Model;

namespace Kvs.WebRtc.Signaling.ControlPlane;

/// <summary>
/// Source-generated (AOT-safe) JSON metadata for every control-plane and signaling-HTTPS shape. Member names are the
/// C# property names, which are the AWS wire names (PascalCase); absent (<see langword="null"/>) members are omitted
/// on write; unknown members are ignored on read; timestamps are epoch-seconds numbers. Shared with the emulator.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(EpochSecondsJsonConverter)])]
[JsonSerializable(typeof(CreateSignalingChannelRequest))]
[JsonSerializable(typeof(CreateSignalingChannelResponse))]
[JsonSerializable(typeof(DescribeSignalingChannelRequest))]
[JsonSerializable(typeof(DescribeSignalingChannelResponse))]
[JsonSerializable(typeof(GetSignalingChannelEndpointRequest))]
[JsonSerializable(typeof(GetSignalingChannelEndpointResponse))]
[JsonSerializable(typeof(ListSignalingChannelsRequest))]
[JsonSerializable(typeof(ListSignalingChannelsResponse))]
[JsonSerializable(typeof(UpdateSignalingChannelRequest))]
[JsonSerializable(typeof(UpdateSignalingChannelResponse))]
[JsonSerializable(typeof(DeleteSignalingChannelRequest))]
[JsonSerializable(typeof(DeleteSignalingChannelResponse))]
[JsonSerializable(typeof(TagResourceRequest))]
[JsonSerializable(typeof(TagResourceResponse))]
[JsonSerializable(typeof(UntagResourceRequest))]
[JsonSerializable(typeof(UntagResourceResponse))]
[JsonSerializable(typeof(ListTagsForResourceRequest))]
[JsonSerializable(typeof(ListTagsForResourceResponse))]
[JsonSerializable(typeof(GetIceServerConfigRequest))]
[JsonSerializable(typeof(GetIceServerConfigResponse))]
[JsonSerializable(typeof(DescribeMediaStorageConfigurationRequest))]
[JsonSerializable(typeof(DescribeMediaStorageConfigurationResponse))]
[JsonSerializable(typeof(UpdateMediaStorageConfigurationRequest))]
[JsonSerializable(typeof(UpdateMediaStorageConfigurationResponse))]
[JsonSerializable(typeof(JoinStorageSessionRequest))]
[JsonSerializable(typeof(JoinStorageSessionAsViewerRequest))]
[JsonSerializable(typeof(JoinStorageSessionResponse))]
[JsonSerializable(typeof(ServiceErrorBody))]
internal sealed partial class KinesisVideoJsonContext : JsonSerializerContext
{
}
