namespace Kvs.WebRtc.Emulator.ControlPlane.MediaStorage;

/// <summary>Input of <c>DescribeMediaStorageConfiguration</c>: a channel name or ARN.</summary>
internal sealed class DescribeMediaStorageConfigurationRequest
{
    public string? ChannelName { get; init; }

    public string? ChannelARN { get; init; }
}
