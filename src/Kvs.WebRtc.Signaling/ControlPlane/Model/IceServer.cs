namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>
/// One TURN server as returned by <c>GetIceServerConfig</c> (AWS shape <c>IceServer</c>). For the form a WebRTC stack
/// consumes (with the STUN server added), use <see cref="IceServers.IceServerProvider"/>.
/// </summary>
public sealed class IceServer
{
    /// <summary>The server URIs, e.g. <c>turn:…:443?transport=udp</c>, <c>turns:…:443?transport=tcp</c>.</summary>
    public IReadOnlyList<string>? Uris { get; init; }

    /// <summary>The TURN username (time-limited).</summary>
    public string? Username { get; init; }

    /// <summary>The TURN password. A secret: never logged, never shown by <see cref="ToString"/>.</summary>
    public string? Password { get; init; }

    /// <summary>How long, in seconds, <see cref="Username"/> and <see cref="Password"/> stay valid (30–86400).</summary>
    public int? Ttl { get; init; }

    /// <summary>Returns the URIs, username and TTL; the password is redacted.</summary>
    public override string ToString() =>
        $"IceServer {{ Uris = [{string.Join(", ", Uris ?? [])}], Username = {Username}, Password = ***, Ttl = {Ttl} }}";
}
