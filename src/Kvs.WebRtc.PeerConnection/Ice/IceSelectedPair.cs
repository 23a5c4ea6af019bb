using System.Net;

namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>The candidate pair carrying application data.</summary>
/// <param name="Local">The local candidate.</param>
/// <param name="LocalBase">Its base: the socket address (or relayed address) to send from.</param>
/// <param name="Remote">The remote candidate.</param>
/// <param name="RemoteEndPoint">Where to send.</param>
internal sealed record IceSelectedPair(IceCandidate Local, IPEndPoint LocalBase, IceCandidate Remote, IPEndPoint RemoteEndPoint)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{IceCandidate.TypeToken(Local.Type)} {LocalBase} -> {IceCandidate.TypeToken(Remote.Type)} {RemoteEndPoint}";
}
