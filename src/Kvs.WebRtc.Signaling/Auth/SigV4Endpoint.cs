using System.Globalization;

namespace Kvs.WebRtc.Signaling.Auth;

/// <summary>
/// A presign endpoint split into the pieces SigV4 needs. Simple ASCII endpoints are parsed without allocating;
/// anything else goes through <see cref="Uri"/>, whose escaping is what the WebSocket/HTTP client puts on the wire.
/// </summary>
internal readonly struct SigV4Endpoint
{
    private SigV4Endpoint(string scheme, ReadOnlyMemory<char> host, ReadOnlyMemory<char> path)
    {
        Scheme = scheme;
        Host = host;
        Path = path;
    }

    /// <summary>Lower-case scheme: wss, ws, https or http.</summary>
    public string Scheme { get; }

    /// <summary>Lower-case host, with <c>:port</c> when the port is not the scheme's default (the signed <c>host</c> value).</summary>
    public ReadOnlyMemory<char> Host { get; }

    /// <summary>The escaped path as it goes on the wire; "/" when the endpoint has none.</summary>
    public ReadOnlyMemory<char> Path { get; }

    /// <summary>Parses and validates an endpoint.</summary>
    /// <exception cref="ArgumentException">Not an absolute URL, an unsupported scheme, user info, a query or a fragment.</exception>
    public static SigV4Endpoint Parse(string endpoint, string paramName)
    {
        var (scheme, schemeLength, defaultPort) = MatchScheme(endpoint);
        if (scheme is null)
        {
            if (Uri.TryCreate(endpoint, UriKind.Absolute, out var other) && !other.IsFile)
            {
                throw new ArgumentException($"Unsupported endpoint scheme '{other.Scheme}'; use wss, ws, https or http.", paramName);
            }

            throw new ArgumentException("The endpoint must be an absolute wss://, ws://, https:// or http:// URL.", paramName);
        }

        if (endpoint.AsSpan().IndexOfAny('?', '#') >= 0)
        {
            throw new ArgumentException("The endpoint must not contain a query or a fragment; pass parameters via extraQuery.", paramName);
        }

        return TryParseSimple(endpoint, scheme, schemeLength, defaultPort, out var parsed)
            ? parsed
            : ParseWithUri(endpoint, scheme, paramName);
    }

    private static (string? Scheme, int Length, int DefaultPort) MatchScheme(string endpoint)
    {
        if (endpoint.StartsWith("wss://", StringComparison.OrdinalIgnoreCase))
        {
            return ("wss", 6, 443);
        }

        if (endpoint.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return ("https", 8, 443);
        }

        if (endpoint.StartsWith("ws://", StringComparison.OrdinalIgnoreCase))
        {
            return ("ws", 5, 80);
        }

        if (endpoint.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            return ("http", 7, 80);
        }

        return (null, 0, 0);
    }

    private static bool TryParseSimple(string endpoint, string scheme, int schemeLength, int defaultPort, out SigV4Endpoint parsed)
    {
        parsed = default;
        var rest = endpoint.AsSpan(schemeLength);
        var slash = rest.IndexOf('/');
        var authority = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? default : rest[slash..];
        var colon = authority.IndexOf(':');
        var host = colon < 0 ? authority : authority[..colon];
        if (host.IsEmpty || !char.IsAsciiLetterOrDigit(host[0]))
        {
            return false;
        }

        var hasUpper = false;
        foreach (var c in host)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                hasUpper = true;
            }
            else if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c != '-' && c != '.')
            {
                return false;
            }
        }

        var dropPort = false;
        if (colon >= 0)
        {
            var portText = authority[(colon + 1)..];
            if (portText.IsEmpty || portText.Length > 5 || portText[0] == '0')
            {
                return false;
            }

            foreach (var c in portText)
            {
                if (!char.IsAsciiDigit(c))
                {
                    return false;
                }
            }

            var port = int.Parse(portText, NumberStyles.None, CultureInfo.InvariantCulture);
            if (port > 65535)
            {
                return false;
            }

            dropPort = port == defaultPort;
        }

        if (!IsSimplePath(path))
        {
            return false;
        }

        ReadOnlyMemory<char> hostMemory;
        if (hasUpper || dropPort)
        {
            var text = dropPort ? host.ToString() : authority.ToString();
            hostMemory = text.ToLowerInvariant().AsMemory();
        }
        else
        {
            hostMemory = endpoint.AsMemory(schemeLength, authority.Length);
        }

        var pathMemory = path.IsEmpty ? "/".AsMemory() : endpoint.AsMemory(schemeLength + slash);
        parsed = new SigV4Endpoint(scheme, hostMemory, pathMemory);
        return true;
    }

    /// <summary>Only unreserved characters and '/', without "." or ".." segments: <see cref="Uri"/> would leave it unchanged.</summary>
    private static bool IsSimplePath(ReadOnlySpan<char> path)
    {
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (c == '/')
            {
                continue;
            }

            if (!SigV4Encoding.IsUnreserved(c))
            {
                return false;
            }

            if (c == '.' && path[i - 1] == '/')
            {
                var next = i + 1 < path.Length ? path[i + 1] : '/';
                if (next == '/' || (next == '.' && (i + 2 >= path.Length || path[i + 2] == '/')))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static SigV4Endpoint ParseWithUri(string endpoint, string scheme, string paramName)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new ArgumentException("The endpoint is not a valid absolute URL.", paramName);
        }

        if (uri.UserInfo.Length > 0)
        {
            throw new ArgumentException("The endpoint must not contain user information.", paramName);
        }

        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost;
        host = host.ToLowerInvariant();
        if (!uri.IsDefaultPort)
        {
            host = host + ":" + uri.Port.ToString(CultureInfo.InvariantCulture);
        }

        var path = uri.AbsolutePath;
        return new SigV4Endpoint(scheme, host.AsMemory(), (path.Length == 0 ? "/" : path).AsMemory());
    }
}
