namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary>
/// <c>a=fmtp:&lt;format&gt; &lt;parameters&gt;</c> (RFC 8866 section 6.15). <see cref="Format"/> is usually a payload type;
/// <see cref="Parameters"/> is kept verbatim (codec-specific, often <c>key=value;key=value</c>).
/// </summary>
internal sealed record SdpFmtp(string Format, string Parameters)
{
    /// <summary>The payload type when <see cref="Format"/> is a number 0-127.</summary>
    public int? PayloadType => SdpSyntax.TryParseInt(Format, 0, 127, out var pt) ? pt : null;

    public static bool TryParse(string? value, out SdpFmtp? fmtp)
    {
        fmtp = null;
        if (value is null)
        {
            return false;
        }

        var space = value.IndexOf(' ', StringComparison.Ordinal);
        var format = space < 0 ? value : value[..space];
        if (!SdpSyntax.IsToken(format))
        {
            return false;
        }

        fmtp = new SdpFmtp(format, space < 0 ? string.Empty : value[(space + 1)..]);
        return true;
    }

    /// <summary>Parses <c>key=value;key=value</c> parameters (keys as written; a bare key maps to an empty value).</summary>
    public IReadOnlyDictionary<string, string> GetParameters()
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in Parameters.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? part : part[..eq].Trim();
            result.TryAdd(key, eq < 0 ? string.Empty : part[(eq + 1)..].Trim());
        }

        return result;
    }

    public string ToSdpValue() => Parameters.Length == 0 ? Format : $"{Format} {Parameters}";
}
