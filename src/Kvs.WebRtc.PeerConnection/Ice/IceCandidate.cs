using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>
/// One ICE candidate, as carried in an SDP <c>a=candidate</c> line or a trickled <c>candidate:</c> string.
/// </summary>
/// <remarks>
/// Grammar: RFC 8839 §5.1 (<c>candidate-attribute</c>), RFC 6544 §4.5 (<c>tcptype</c>). Extension attributes
/// (<c>generation</c>, <c>ufrag</c>, <c>network-id</c>, <c>network-cost</c> and unknown ones) are preserved in order so
/// that a parsed line formats back to the same text.
/// </remarks>
internal sealed record IceCandidate
{
    /// <summary>Longest line accepted (Chromium's lines are about 200 characters).</summary>
    public const int MaxLineLength = 1024;

    /// <summary>Most extension pairs accepted on one line.</summary>
    public const int MaxExtensions = 16;

    /// <summary>Foundation: 1 to 32 ice-chars (RFC 8445 §5.1.1.3).</summary>
    public required string Foundation { get; init; }

    /// <summary>Component id, 1 (RTP, or everything with rtcp-mux) to 256.</summary>
    public int Component { get; init; } = 1;

    /// <summary>Transport.</summary>
    public IceTransportProtocol Protocol { get; init; } = IceTransportProtocol.Udp;

    /// <summary>Priority (RFC 8445 §5.1.2), 1 to 2^31-1.</summary>
    public required uint Priority { get; init; }

    /// <summary>Connection address: an IP literal, or a host name (e.g. an mDNS <c>.local</c> name).</summary>
    public required string Address { get; init; }

    /// <summary>Port.</summary>
    public required int Port { get; init; }

    /// <summary>Candidate type.</summary>
    public required IceCandidateType Type { get; init; }

    /// <summary><c>raddr</c>, when present.</summary>
    public string? RelatedAddress { get; init; }

    /// <summary><c>rport</c>, when present.</summary>
    public int? RelatedPort { get; init; }

    /// <summary><c>tcptype</c> of TCP candidates.</summary>
    public IceTcpType TcpType { get; init; }

    /// <summary>Extension name/value pairs after the mandatory fields, in line order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Extensions { get; init; } = [];

    /// <summary>The <c>generation</c> extension, when present and numeric.</summary>
    public int? Generation => int.TryParse(GetExtension("generation"), NumberStyles.None, CultureInfo.InvariantCulture, out var g) ? g : null;

    /// <summary>The <c>ufrag</c> extension, when present.</summary>
    public string? Ufrag => GetExtension("ufrag");

    /// <summary>The <c>network-id</c> extension, when present.</summary>
    public string? NetworkId => GetExtension("network-id");

    /// <summary>The <c>network-cost</c> extension, when present and numeric.</summary>
    public int? NetworkCost => int.TryParse(GetExtension("network-cost"), NumberStyles.None, CultureInfo.InvariantCulture, out var c) ? c : null;

    /// <summary>True when the address is an mDNS host name (RFC draft-ietf-mmusic-mdns-ice-candidates).</summary>
    public bool IsMdns => Address.EndsWith(".local", StringComparison.OrdinalIgnoreCase);

    /// <summary>The address and port as an endpoint, or null when the address is a host name.</summary>
    public IPEndPoint? EndPoint => IPAddress.TryParse(Address, out var ip) ? new IPEndPoint(ip, Port) : null;

    /// <summary>Returns the value of the first extension called <paramref name="name"/>, or null.</summary>
    public string? GetExtension(string name)
    {
        foreach (var pair in Extensions)
        {
            if (string.Equals(pair.Key, name, StringComparison.Ordinal))
            {
                return pair.Value;
            }
        }

        return null;
    }

    /// <summary>Formats as <c>candidate:...</c> (the value of an <c>a=candidate</c> attribute, and the W3C <c>candidate</c> string).</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(128);
        sb.Append("candidate:").Append(Foundation).Append(' ')
            .Append(Component.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(Protocol == IceTransportProtocol.Udp ? "udp" : "tcp").Append(' ')
            .Append(Priority.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(Address).Append(' ')
            .Append(Port.ToString(CultureInfo.InvariantCulture)).Append(" typ ")
            .Append(TypeToken(Type));
        if (RelatedAddress is not null)
        {
            sb.Append(" raddr ").Append(RelatedAddress);
        }

        if (RelatedPort is { } rport)
        {
            sb.Append(" rport ").Append(rport.ToString(CultureInfo.InvariantCulture));
        }

        if (TcpType != IceTcpType.None)
        {
            sb.Append(" tcptype ").Append(TcpType switch
            {
                IceTcpType.Active => "active",
                IceTcpType.Passive => "passive",
                _ => "so",
            });
        }

        foreach (var pair in Extensions)
        {
            sb.Append(' ').Append(pair.Key).Append(' ').Append(pair.Value);
        }

        return sb.ToString();
    }

    /// <summary>Formats as an SDP attribute line without the line break: <c>a=candidate:...</c>.</summary>
    public string ToSdpAttribute() => "a=" + ToString();

    /// <summary>The <c>typ</c> token for <paramref name="type"/>.</summary>
    public static string TypeToken(IceCandidateType type) => type switch
    {
        IceCandidateType.Host => "host",
        IceCandidateType.ServerReflexive => "srflx",
        IceCandidateType.PeerReflexive => "prflx",
        _ => "relay",
    };

    /// <summary>
    /// Parses <c>a=candidate:...</c> or <c>candidate:...</c>. Never throws; a trailing CR/LF is tolerated.
    /// </summary>
    public static bool TryParse(string? line, out IceCandidate? candidate, out IceCandidateParseError error)
    {
        candidate = null;
        if (string.IsNullOrEmpty(line) || line.Length > MaxLineLength)
        {
            error = IceCandidateParseError.BadLength;
            return false;
        }

        var text = line.AsSpan().TrimEnd("\r\n");
        if (text.StartsWith("a=", StringComparison.Ordinal))
        {
            text = text[2..];
        }

        if (!text.StartsWith("candidate:", StringComparison.OrdinalIgnoreCase))
        {
            error = IceCandidateParseError.MissingPrefix;
            return false;
        }

        text = text["candidate:".Length..];
        var tokens = new Tokenizer(text);
        error = ParseFields(ref tokens, out candidate);
        return error == IceCandidateParseError.None;
    }

    /// <summary>Parses, or throws <see cref="FormatException"/> naming the reason (for trusted input such as tests).</summary>
    public static IceCandidate Parse(string line) =>
        TryParse(line, out var c, out var error) ? c! : throw new FormatException($"Invalid ICE candidate ({error}).");

    private static IceCandidateParseError ParseFields(ref Tokenizer tokens, out IceCandidate? candidate)
    {
        candidate = null;
        if (!tokens.Next(out var foundation) || !tokens.Next(out var componentText) || !tokens.Next(out var transport)
            || !tokens.Next(out var priorityText) || !tokens.Next(out var address) || !tokens.Next(out var portText)
            || !tokens.Next(out var typKeyword) || !tokens.Next(out var typeText))
        {
            return IceCandidateParseError.TooFewFields;
        }

        if (!IsIceCharString(foundation, 1, 32))
        {
            return IceCandidateParseError.BadFoundation;
        }

        if (componentText.Length > 3 || !int.TryParse(componentText, NumberStyles.None, CultureInfo.InvariantCulture, out var component)
            || component is < 1 or > 256)
        {
            return IceCandidateParseError.BadComponent;
        }

        IceTransportProtocol protocol;
        if (transport.Equals("udp", StringComparison.OrdinalIgnoreCase))
        {
            protocol = IceTransportProtocol.Udp;
        }
        else if (transport.Equals("tcp", StringComparison.OrdinalIgnoreCase))
        {
            protocol = IceTransportProtocol.Tcp;
        }
        else
        {
            return IceCandidateParseError.UnsupportedTransport;
        }

        if (priorityText.Length > 10 || !uint.TryParse(priorityText, NumberStyles.None, CultureInfo.InvariantCulture, out var priority)
            || priority is 0 or > int.MaxValue)
        {
            return IceCandidateParseError.BadPriority;
        }

        if (!IsConnectionAddress(address))
        {
            return IceCandidateParseError.BadAddress;
        }

        if (!TryParsePort(portText, out var port))
        {
            return IceCandidateParseError.BadPort;
        }

        if (!typKeyword.Equals("typ", StringComparison.Ordinal) || !TryParseType(typeText, out var type))
        {
            return IceCandidateParseError.BadType;
        }

        string? relatedAddress = null;
        int? relatedPort = null;
        var tcpType = IceTcpType.None;
        List<KeyValuePair<string, string>>? extensions = null;
        while (tokens.Next(out var name))
        {
            if (!tokens.Next(out var value))
            {
                return name.Equals("raddr", StringComparison.Ordinal) || name.Equals("rport", StringComparison.Ordinal)
                    ? IceCandidateParseError.BadRelatedAddress
                    : IceCandidateParseError.BadExtension;
            }

            if (name.Equals("raddr", StringComparison.Ordinal) && relatedAddress is null && extensions is null)
            {
                if (!IsConnectionAddress(value))
                {
                    return IceCandidateParseError.BadRelatedAddress;
                }

                relatedAddress = value.ToString();
            }
            else if (name.Equals("rport", StringComparison.Ordinal) && relatedPort is null && extensions is null)
            {
                if (!TryParsePort(value, out var rport))
                {
                    return IceCandidateParseError.BadRelatedAddress;
                }

                relatedPort = rport;
            }
            else if (name.Equals("tcptype", StringComparison.Ordinal) && tcpType == IceTcpType.None && extensions is null)
            {
                tcpType = value switch
                {
                    "active" => IceTcpType.Active,
                    "passive" => IceTcpType.Passive,
                    "so" => IceTcpType.SimultaneousOpen,
                    _ => IceTcpType.None,
                };
                if (tcpType == IceTcpType.None)
                {
                    return IceCandidateParseError.BadTcpType;
                }
            }
            else
            {
                extensions ??= [];
                if (extensions.Count >= MaxExtensions || !IsToken(name) || !IsExtensionValue(value))
                {
                    return IceCandidateParseError.BadExtension;
                }

                extensions.Add(new(name.ToString(), value.ToString()));
            }
        }

        candidate = new IceCandidate
        {
            Foundation = foundation.ToString(),
            Component = component,
            Protocol = protocol,
            Priority = priority,
            Address = address.ToString(),
            Port = port,
            Type = type,
            RelatedAddress = relatedAddress,
            RelatedPort = relatedPort,
            TcpType = tcpType,
            Extensions = extensions is null ? [] : extensions.AsReadOnly(),
        };
        return IceCandidateParseError.None;
    }

    private static bool TryParseType(ReadOnlySpan<char> text, out IceCandidateType type)
    {
        switch (text)
        {
            case "host": type = IceCandidateType.Host; return true;
            case "srflx": type = IceCandidateType.ServerReflexive; return true;
            case "prflx": type = IceCandidateType.PeerReflexive; return true;
            case "relay": type = IceCandidateType.Relay; return true;
            default: type = default; return false;
        }
    }

    private static bool TryParsePort(ReadOnlySpan<char> text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && text.Length <= 5 && port <= 65535;

    private static bool IsIceCharString(ReadOnlySpan<char> text, int min, int max)
    {
        if (text.Length < min || text.Length > max)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!IceCredentials.IsIceChar(c))
            {
                return false;
            }
        }

        return true;
    }

    // IP4/IP6 literal or FQDN (RFC 8839 connection-address); no brackets in SDP.
    private static bool IsConnectionAddress(ReadOnlySpan<char> text)
    {
        if (text.Length is 0 or > 255)
        {
            return false;
        }

        if (IPAddress.TryParse(text, out var ip))
        {
            // IPAddress.TryParse accepts "1" or "1.2" as IPv4; SDP needs dotted quads.
            return ip.AddressFamily == AddressFamily.InterNetworkV6 ? text.Contains(':') : text.Count('.') == 3;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '.' && c != '_')
            {
                return false;
            }
        }

        return text[0] != '.' && text[0] != '-';
    }

    private static bool IsToken(ReadOnlySpan<char> text)
    {
        if (text.Length is 0 or > 64)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c <= ' ' || c >= 0x7F)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsExtensionValue(ReadOnlySpan<char> text) => text.Length <= 256 && IsTokenChars(text);

    private static bool IsTokenChars(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c <= ' ' || c >= 0x7F)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Splits on single or repeated spaces; allocation free.</summary>
    private ref struct Tokenizer(ReadOnlySpan<char> text)
    {
        private ReadOnlySpan<char> _rest = text;

        public bool Next(out ReadOnlySpan<char> token)
        {
            _rest = _rest.TrimStart(' ');
            if (_rest.IsEmpty)
            {
                token = default;
                return false;
            }

            var end = _rest.IndexOf(' ');
            if (end < 0)
            {
                token = _rest;
                _rest = default;
            }
            else
            {
                token = _rest[..end];
                _rest = _rest[end..];
            }

            return true;
        }
    }
}
