namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// A remote or local ICE candidate as it travels over signaling (W3C <c>RTCIceCandidateInit</c>; KVS sends it as
/// <c>{"candidate":"candidate:...","sdpMid":"0","sdpMLineIndex":0}</c>).
/// </summary>
/// <param name="Candidate">
/// The candidate attribute, with or without the <c>a=</c> prefix (for example
/// <c>candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host</c>). An empty string signals end-of-candidates.
/// </param>
/// <param name="SdpMid">The media stream identification (<c>a=mid</c>) the candidate belongs to, or null.</param>
/// <param name="SdpMLineIndex">The zero-based index of the m= section the candidate belongs to, or null.</param>
/// <param name="UsernameFragment">The ICE ufrag it belongs to (tells candidates of an ICE restart apart), or null.</param>
public sealed record RTCIceCandidateInit(string Candidate, string? SdpMid = null, int? SdpMLineIndex = null, string? UsernameFragment = null)
{
    /// <summary>True when this marks the end of candidates (an empty <see cref="Candidate"/>).</summary>
    public bool IsEndOfCandidates => string.IsNullOrWhiteSpace(Candidate);
}
