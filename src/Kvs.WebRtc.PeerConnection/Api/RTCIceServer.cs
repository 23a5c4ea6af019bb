namespace Kvs.WebRtc.PeerConnection;

/// <summary>A STUN or TURN server the ICE agent uses (W3C <c>RTCIceServer</c>; URIs per RFC 7064 and RFC 7065).</summary>
/// <remarks>
/// Examples: <c>stun:stun.example.com:3478</c>, <c>turn:turn.example.com:3478?transport=udp</c>,
/// <c>turns:turn.example.com:443?transport=tcp</c>. TURN servers need <see cref="Username"/> and <see cref="Credential"/>.
/// </remarks>
public sealed class RTCIceServer
{
    /// <summary>The server's URIs (at least one).</summary>
    public required IReadOnlyList<string> Urls { get; init; }

    /// <summary>The TURN user name, or null for STUN.</summary>
    public string? Username { get; init; }

    /// <summary>The TURN password, or null for STUN. A secret: never logged, never printed by <see cref="ToString"/>.</summary>
    public string? Credential { get; init; }

    /// <summary>Returns the URIs and user name; the credential is redacted.</summary>
    public override string ToString() =>
        $"RTCIceServer {{ Urls = [{string.Join(", ", Urls ?? [])}], Username = {Username ?? "(none)"}, Credential = {(Credential is null ? "(none)" : "***")} }}";
}
