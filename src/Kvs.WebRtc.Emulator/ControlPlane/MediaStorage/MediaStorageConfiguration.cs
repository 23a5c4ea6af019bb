namespace Kvs.WebRtc.Emulator.ControlPlane.MediaStorage;

/// <summary>AWS shape <c>MediaStorageConfiguration</c>: whether WebRTC ingestion is on, and into which stream.</summary>
internal sealed class MediaStorageConfiguration
{
    /// <summary><c>ENABLED</c> or <c>DISABLED</c>.</summary>
    public string? Status { get; init; }

    /// <summary>The Kinesis video stream ARN that receives the media.</summary>
    public string? StreamARN { get; init; }
}
