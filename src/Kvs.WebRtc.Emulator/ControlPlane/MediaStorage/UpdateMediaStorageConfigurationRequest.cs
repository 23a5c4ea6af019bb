namespace Kvs.WebRtc.Emulator.ControlPlane.MediaStorage;

/// <summary>Input of <c>UpdateMediaStorageConfiguration</c>.</summary>
internal sealed class UpdateMediaStorageConfigurationRequest
{
    public string? ChannelARN { get; init; }

    public MediaStorageConfiguration? MediaStorageConfiguration { get; init; }
}
