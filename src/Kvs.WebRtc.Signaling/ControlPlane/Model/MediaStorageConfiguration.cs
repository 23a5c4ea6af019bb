namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>A channel's media storage (WebRTC ingestion) setting (AWS shape <c>MediaStorageConfiguration</c>).</summary>
public sealed class MediaStorageConfiguration
{
    /// <summary><see cref="MediaStorageStatus.Enabled"/> or <see cref="MediaStorageStatus.Disabled"/>.</summary>
    public MediaStorageStatus? Status { get; init; }

    /// <summary>The ARN of the Kinesis video stream that receives the media; required when enabled.</summary>
    public string? StreamARN { get; init; }
}
