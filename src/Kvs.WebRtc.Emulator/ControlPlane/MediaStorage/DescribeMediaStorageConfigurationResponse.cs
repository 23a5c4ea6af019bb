namespace Kvs.WebRtc.Emulator.ControlPlane.MediaStorage;

/// <summary>Output of <c>DescribeMediaStorageConfiguration</c>.</summary>
internal sealed class DescribeMediaStorageConfigurationResponse
{
    public MediaStorageConfiguration? MediaStorageConfiguration { get; init; }
}
