namespace Kvs.WebRtc.Emulator.ControlPlane.MediaStorage;

/// <summary>An empty output shape (<c>{}</c>).</summary>
internal sealed class EmptyResponse
{
    public static EmptyResponse Instance { get; } = new();
}
