namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>Output of <c>UpdateMediaStorageConfiguration</c> (empty).</summary>
public sealed class UpdateMediaStorageConfigurationResponse
{
}
