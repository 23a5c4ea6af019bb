namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>Output of the storage joins: an empty body.</summary>
internal sealed class JoinStorageSessionResponse
{
}
