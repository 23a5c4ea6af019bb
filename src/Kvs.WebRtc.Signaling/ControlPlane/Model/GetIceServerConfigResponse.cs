using Kvs.WebRtc.Signaling.IceServers;

namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>Output of <c>GetIceServerConfig</c>: the channel's TURN servers (usually two).</summary>
public sealed class GetIceServerConfigResponse
{
    /// <summary>The TURN servers (on the wire <c>{"Uris","Username","Password","Ttl"}</c>; see <see cref="IceServer"/>).</summary>
    public IReadOnlyList<IceServer>? IceServerList { get; init; }
}
