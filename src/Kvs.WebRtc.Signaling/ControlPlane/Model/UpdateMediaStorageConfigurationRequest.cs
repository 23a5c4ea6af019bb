namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>Input of <c>UpdateMediaStorageConfiguration</c> (<c>POST /updateMediaStorageConfiguration</c>).</summary>
public sealed class UpdateMediaStorageConfigurationRequest
{
    /// <summary>The channel ARN.</summary>
    public required string ChannelARN { get; init; }

    /// <summary>The new setting: a status, and the stream ARN when enabling.</summary>
    public required MediaStorageConfiguration MediaStorageConfiguration { get; init; }
}
