namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>Output of <c>DeleteSignalingChannel</c> (empty; the deletion is asynchronous).</summary>
public sealed class DeleteSignalingChannelResponse
{
}
