namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>One configured ICE server URI with its credentials (TURN only), as in <c>RTCIceServer</c>.</summary>
/// <param name="Uri">The parsed URI.</param>
/// <param name="Username">TURN user name.</param>
/// <param name="Password">TURN password. Secret: never logged or printed.</param>
internal sealed record IceServer(IceServerUri Uri, string? Username = null, string? Password = null)
{
    /// <summary>Parses every URL of one <c>RTCIceServer</c>-style entry; invalid URLs are skipped.</summary>
    public static IEnumerable<IceServer> FromUrls(IEnumerable<string> urls, string? username = null, string? password = null)
    {
        ArgumentNullException.ThrowIfNull(urls);
        foreach (var url in urls)
        {
            if (IceServerUri.TryParse(url, out var uri))
            {
                yield return new IceServer(uri!, username, password);
            }
        }
    }

    /// <summary>Redacts the password.</summary>
    public override string ToString() => Username is null ? Uri.ToString() : $"{Uri} user={Username}";
}
