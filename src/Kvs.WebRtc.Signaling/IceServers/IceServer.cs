using System.Text.Json.Serialization;
using Kvs.WebRtc.Signaling.ControlPlane.Internal;

namespace Kvs.WebRtc.Signaling.IceServers;

/// <summary>
/// One ICE server as a WebRTC stack consumes it (the shape of <c>RTCIceServer</c>): the KVS STUN server, or a TURN
/// server with its time-limited credentials. Immutable and thread-safe.
/// </summary>
[JsonConverter(typeof(IceServerJsonConverter))]
public sealed class IceServer
{
    /// <summary>Creates an ICE server.</summary>
    /// <param name="urls">The URLs (at least one), e.g. <c>stun:…:443</c> or <c>turns:…:443?transport=tcp</c>.</param>
    /// <param name="username">The TURN username, or null for STUN.</param>
    /// <param name="credential">The TURN password, or null for STUN. A secret: never shown by <see cref="ToString"/>.</param>
    /// <param name="ttl">How long the credentials stay valid from when they were fetched, or null when they do not expire.</param>
    /// <exception cref="ArgumentException"><paramref name="urls"/> is empty or holds an empty URL.</exception>
    public IceServer(IReadOnlyList<string> urls, string? username = null, string? credential = null, TimeSpan? ttl = null)
    {
        ArgumentNullException.ThrowIfNull(urls);
        if (urls.Count == 0 || urls.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("At least one non-empty URL is required.", nameof(urls));
        }

        Urls = [.. urls];
        Username = username;
        Credential = credential;
        Ttl = ttl;
    }

    /// <summary>The URLs of the server.</summary>
    public IReadOnlyList<string> Urls { get; }

    /// <summary>The TURN username, or null for STUN.</summary>
    public string? Username { get; }

    /// <summary>The TURN password, or null for STUN. A secret: never logged, never shown by <see cref="ToString"/>.</summary>
    public string? Credential { get; }

    /// <summary>How long the credentials stay valid from when they were fetched, or null when they do not expire (STUN).</summary>
    public TimeSpan? Ttl { get; }

    /// <summary>Returns the URLs and username; the credential is redacted.</summary>
    public override string ToString() =>
        $"IceServer {{ Urls = [{string.Join(", ", Urls)}], Username = {Username ?? "(none)"}, Credential = {(Credential is null ? "(none)" : "***")}, Ttl = {Ttl?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"} }}";
}
