namespace Kvs.WebRtc.Emulator;

/// <summary>
/// A fixed ICE server that <c>GetIceServerConfig</c> returns as configured (for example a local coturn started with
/// <c>--lt-cred-mech --user=name:password</c>). For time-limited REST-style TURN credentials use
/// <see cref="KvsEmulatorOptions.TurnSharedSecret"/> and <see cref="KvsEmulatorOptions.TurnUris"/> instead.
/// </summary>
/// <remarks>Immutable; <see cref="ToString"/> never shows <see cref="Password"/>.</remarks>
public sealed class KvsEmulatorIceServer
{
    /// <summary>The most URIs one server may carry (the KVS C SDK rejects more).</summary>
    public const int MaxUris = 4;

    /// <summary>Creates an ICE server entry.</summary>
    /// <param name="uris">1 to <see cref="MaxUris"/> URIs such as <c>turn:127.0.0.1:3478?transport=udp</c>, each 1–256 characters.</param>
    /// <param name="username">The TURN username, or <see langword="null"/> for a STUN-only entry.</param>
    /// <param name="password">The TURN password, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="uris"/> is null.</exception>
    /// <exception cref="ArgumentException">No URI, more than <see cref="MaxUris"/>, or an empty or over-long URI.</exception>
    public KvsEmulatorIceServer(IEnumerable<string> uris, string? username = null, string? password = null)
    {
        ArgumentNullException.ThrowIfNull(uris);
        var list = uris.ToArray();
        if (list.Length is 0 or > MaxUris)
        {
            throw new ArgumentException($"An ICE server needs 1 to {MaxUris} URIs.", nameof(uris));
        }

        foreach (var uri in list)
        {
            if (string.IsNullOrEmpty(uri) || uri.Length > 256)
            {
                throw new ArgumentException("Every ICE server URI must be 1 to 256 characters long.", nameof(uris));
            }
        }

        Uris = list;
        Username = string.IsNullOrEmpty(username) ? null : username;
        Password = string.IsNullOrEmpty(password) ? null : password;
    }

    /// <summary>The server URIs.</summary>
    public IReadOnlyList<string> Uris { get; }

    /// <summary>The username, or <see langword="null"/>.</summary>
    public string? Username { get; }

    /// <summary>The password (a secret: never logged), or <see langword="null"/>.</summary>
    public string? Password { get; }

    /// <summary>Returns the URIs and username; the password is redacted.</summary>
    public override string ToString() => $"KvsEmulatorIceServer {{ Uris = [{string.Join(", ", Uris)}], Username = {Username}, Password = *** }}";
}
