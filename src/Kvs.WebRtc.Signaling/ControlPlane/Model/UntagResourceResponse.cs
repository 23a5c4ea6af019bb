namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>Output of <c>UntagResource</c> (empty).</summary>
public sealed class UntagResourceResponse
{
}
