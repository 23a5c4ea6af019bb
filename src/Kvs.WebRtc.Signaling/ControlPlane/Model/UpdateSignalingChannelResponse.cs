namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>Output of <c>UpdateSignalingChannel</c> (empty; the update is asynchronous).</summary>
public sealed class UpdateSignalingChannelResponse
{
}
