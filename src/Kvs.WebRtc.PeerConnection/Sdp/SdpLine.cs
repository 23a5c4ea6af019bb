namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary>
/// One SDP line, <c>&lt;type&gt;=&lt;value&gt;</c> (RFC 8866 section 5), kept verbatim so that parse then write is
/// lossless. For <c>a=</c> lines, <see cref="AttributeName"/> and <see cref="AttributeValue"/> split at the first ':'.
/// </summary>
internal readonly struct SdpLine : IEquatable<SdpLine>
{
    public SdpLine(char type, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Type = type;
        Value = value;
    }

    /// <summary>The type letter, e.g. 'a', 'c', 'b'.</summary>
    public char Type { get; }

    /// <summary>Everything after '=', verbatim.</summary>
    public string Value { get; }

    /// <summary>True for <c>a=</c> lines.</summary>
    public bool IsAttribute => Type == 'a';

    /// <summary>The attribute name of an <c>a=</c> line (text before the first ':'); empty for other lines.</summary>
    public string AttributeName
    {
        get
        {
            if (!IsAttribute)
            {
                return string.Empty;
            }

            var colon = Value.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? Value : Value[..colon];
        }
    }

    /// <summary>The attribute value of an <c>a=</c> line (text after the first ':'), or null for a flag attribute.</summary>
    public string? AttributeValue
    {
        get
        {
            if (!IsAttribute)
            {
                return null;
            }

            var colon = Value.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? null : Value[(colon + 1)..];
        }
    }

    /// <summary>Creates an <c>a=</c> line: <c>a=name</c> (flag) or <c>a=name:value</c>.</summary>
    public static SdpLine Attribute(string name, string? value) =>
        new('a', value is null ? name : string.Concat(name, ":", value));

    /// <summary>True when this is an <c>a=</c> line with the given name (ordinal, case-insensitive as RFC 8866 tokens are compared).</summary>
    public bool IsAttributeNamed(string name)
    {
        if (!IsAttribute || Value.Length < name.Length)
        {
            return false;
        }

        return (Value.Length == name.Length || Value[name.Length] == ':')
            && Value.AsSpan(0, name.Length).Equals(name, StringComparison.OrdinalIgnoreCase);
    }

    public bool Equals(SdpLine other) => Type == other.Type && string.Equals(Value, other.Value, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is SdpLine other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Type, StringComparer.Ordinal.GetHashCode(Value));

    /// <summary>The line as written, except that an ICE password is redacted.</summary>
    public override string ToString() =>
        IsAttributeNamed(SdpAttributeNames.IcePwd) ? "a=ice-pwd:<redacted>" : $"{Type}={Value}";

    public static bool operator ==(SdpLine left, SdpLine right) => left.Equals(right);

    public static bool operator !=(SdpLine left, SdpLine right) => !left.Equals(right);
}
