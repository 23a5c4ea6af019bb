using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>
/// A parsed <c>stun:</c>/<c>stuns:</c>/<c>turn:</c>/<c>turns:</c> URI, as found in <c>RTCIceServer.urls</c> and in
/// KVS GetIceServerConfig answers.
/// </summary>
/// <remarks>
/// RFC 7064 §3.1: <c>stunURI = scheme ":" host [ ":" port ]</c>; RFC 7065 §3.1: <c>turnURI = scheme ":" host [ ":" port ]
/// [ "?transport=" transport ]</c>. IPv6 hosts are bracketed. Default ports: 3478, or 5349 for the TLS schemes.
/// </remarks>
/// <param name="Scheme">The scheme.</param>
/// <param name="Host">Host name or IP literal (brackets removed).</param>
/// <param name="Port">Explicit or default port.</param>
/// <param name="Transport">Transport: from <c>?transport=</c>, else UDP for stun/turn and TCP for stuns/turns.</param>
internal sealed record IceServerUri(IceServerScheme Scheme, string Host, int Port, IceTransportProtocol Transport)
{
    /// <summary>Longest URI accepted.</summary>
    public const int MaxLength = 512;

    /// <summary>True for turn: and turns:.</summary>
    public bool IsTurn => Scheme is IceServerScheme.Turn or IceServerScheme.Turns;

    /// <summary>Parses; never throws. Scheme and <c>transport</c> value are case-insensitive.</summary>
    public static bool TryParse(string? uri, out IceServerUri? result)
    {
        result = null;
        if (string.IsNullOrEmpty(uri) || uri.Length > MaxLength)
        {
            return false;
        }

        var text = uri.AsSpan().Trim();
        var colon = text.IndexOf(':');
        if (colon <= 0)
        {
            return false;
        }

        IceServerScheme scheme;
        var schemeText = text[..colon];
        if (schemeText.Equals("stun", StringComparison.OrdinalIgnoreCase))
        {
            scheme = IceServerScheme.Stun;
        }
        else if (schemeText.Equals("stuns", StringComparison.OrdinalIgnoreCase))
        {
            scheme = IceServerScheme.Stuns;
        }
        else if (schemeText.Equals("turn", StringComparison.OrdinalIgnoreCase))
        {
            scheme = IceServerScheme.Turn;
        }
        else if (schemeText.Equals("turns", StringComparison.OrdinalIgnoreCase))
        {
            scheme = IceServerScheme.Turns;
        }
        else
        {
            return false;
        }

        var rest = text[(colon + 1)..];
        var secure = scheme is IceServerScheme.Stuns or IceServerScheme.Turns;
        var transport = secure ? IceTransportProtocol.Tcp : IceTransportProtocol.Udp;
        var query = rest.IndexOf('?');
        if (query >= 0)
        {
            // Only TURN URIs carry a query (RFC 7065); RFC 7064 defines none for STUN.
            var q = rest[(query + 1)..];
            rest = rest[..query];
            if (scheme is IceServerScheme.Stun or IceServerScheme.Stuns || !q.StartsWith("transport=", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            var value = q["transport=".Length..];
            if (value.Equals("udp", StringComparison.OrdinalIgnoreCase))
            {
                // TURN over DTLS is not defined here; turns:?transport=udp is rejected.
                if (secure)
                {
                    return false;
                }

                transport = IceTransportProtocol.Udp;
            }
            else if (value.Equals("tcp", StringComparison.OrdinalIgnoreCase))
            {
                transport = IceTransportProtocol.Tcp;
            }
            else
            {
                return false;
            }
        }

        if (rest.IsEmpty || rest.StartsWith("//", StringComparison.Ordinal))
        {
            return false;
        }

        ReadOnlySpan<char> host;
        ReadOnlySpan<char> portText = default;
        if (rest[0] == '[')
        {
            var close = rest.IndexOf(']');
            if (close < 0)
            {
                return false;
            }

            host = rest[1..close];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }

            var after = rest[(close + 1)..];
            if (!after.IsEmpty)
            {
                if (after[0] != ':')
                {
                    return false;
                }

                portText = after[1..];
                if (portText.IsEmpty)
                {
                    return false;
                }
            }
        }
        else
        {
            var portColon = rest.IndexOf(':');
            if (portColon >= 0)
            {
                host = rest[..portColon];
                portText = rest[(portColon + 1)..];
                if (portText.IsEmpty)
                {
                    return false;
                }
            }
            else
            {
                host = rest;
            }

            if (!IsRegName(host))
            {
                return false;
            }
        }

        var port = secure ? 5349 : 3478;
        if (!portText.IsEmpty
            && (portText.Length > 5 || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            return false;
        }

        result = new IceServerUri(scheme, host.ToString(), port, transport);
        return true;
    }

    /// <summary>
    /// The TURN server description for the relay seam. <paramref name="password"/> is a secret (kept out of <c>ToString</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">This is a STUN URI.</exception>
    public IceRelayServer ToRelayServer(string username, string password)
    {
        if (!IsTurn)
        {
            throw new InvalidOperationException("Only turn: and turns: URIs describe relay servers.");
        }

        var protocol = Scheme == IceServerScheme.Turns
            ? IceRelayProtocol.Tls
            : Transport == IceTransportProtocol.Tcp ? IceRelayProtocol.Tcp : IceRelayProtocol.Udp;
        return new IceRelayServer(Host, Port, protocol, username, password);
    }

    /// <summary>
    /// The endpoint to send STUN Binding requests to, when the host is an IP literal and the server speaks plain UDP
    /// (stun:, and turn: over UDP, which also answers Binding requests); otherwise null (names need resolving first).
    /// </summary>
    public IPEndPoint? TryGetUdpStunEndPoint() =>
        Transport == IceTransportProtocol.Udp && Scheme is IceServerScheme.Stun or IceServerScheme.Turn && IPAddress.TryParse(Host, out var ip)
            ? new IPEndPoint(ip, Port)
            : null;

    /// <summary>Formats back to URI text.</summary>
    public override string ToString()
    {
        var scheme = Scheme switch
        {
            IceServerScheme.Stun => "stun",
            IceServerScheme.Stuns => "stuns",
            IceServerScheme.Turn => "turn",
            _ => "turns",
        };
        var host = Host.Contains(':', StringComparison.Ordinal) ? "[" + Host + "]" : Host;
        var text = string.Create(CultureInfo.InvariantCulture, $"{scheme}:{host}:{Port}");
        return IsTurn ? text + (Transport == IceTransportProtocol.Udp ? "?transport=udp" : "?transport=tcp") : text;
    }

    // RFC 3986 reg-name restricted to DNS characters, or an IPv4 literal.
    private static bool IsRegName(ReadOnlySpan<char> host)
    {
        if (host.IsEmpty || host.Length > 253)
        {
            return false;
        }

        foreach (var c in host)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '.' && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}
