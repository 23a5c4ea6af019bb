namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>Output of <c>TagResource</c> (empty).</summary>
public sealed class TagResourceResponse
{
}
