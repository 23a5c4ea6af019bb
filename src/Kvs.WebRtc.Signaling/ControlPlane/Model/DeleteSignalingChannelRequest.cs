namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>Input of <c>DeleteSignalingChannel</c> (<c>POST /deleteSignalingChannel</c>).</summary>
public sealed class DeleteSignalingChannelRequest
{
    /// <summary>The channel ARN.</summary>
    public required string ChannelARN { get; init; }

    /// <summary>The version to delete; omitted means the latest version.</summary>
    public string? CurrentVersion { get; init; }
}
