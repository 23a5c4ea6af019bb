namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>Output of <c>DescribeMediaStorageConfiguration</c>.</summary>
public sealed class DescribeMediaStorageConfigurationResponse
{
    /// <summary>The channel's media storage setting.</summary>
    public MediaStorageConfiguration? MediaStorageConfiguration { get; init; }
}
