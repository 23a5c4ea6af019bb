using System.Text;

namespace Kvs.WebRtc.Emulator.Http;

/// <summary>
/// Parses a raw query string the way SigV4 verification does (spec 7.4): split on <c>&amp;</c>, then on the first
/// <c>=</c>, percent-decode each name and value exactly once, and keep <c>+</c> as a literal plus.
/// </summary>
internal static class RawQueryString
{
    /// <summary>Parses <paramref name="rawQuery"/> (with or without the leading <c>?</c>); null when a percent escape is malformed.</summary>
    public static List<KeyValuePair<string, string>>? Parse(string rawQuery)
    {
        var result = new List<KeyValuePair<string, string>>();
        var query = rawQuery.StartsWith('?') ? rawQuery.AsSpan(1) : rawQuery.AsSpan();
        while (!query.IsEmpty)
        {
            var amp = query.IndexOf('&');
            var part = amp < 0 ? query : query[..amp];
            query = amp < 0 ? ReadOnlySpan<char>.Empty : query[(amp + 1)..];
            if (part.IsEmpty)
            {
                continue;
            }

            var eq = part.IndexOf('=');
            var name = PercentDecode(eq < 0 ? part : part[..eq]);
            var value = PercentDecode(eq < 0 ? ReadOnlySpan<char>.Empty : part[(eq + 1)..]);
            if (name is null || value is null)
            {
                return null;
            }

            result.Add(new KeyValuePair<string, string>(name, value));
        }

        return result;
    }

    /// <summary>The first value of <paramref name="name"/> (exact, case-sensitive match), or null.</summary>
    public static string? Get(List<KeyValuePair<string, string>> query, string name)
    {
        foreach (var pair in query)
        {
            if (string.Equals(pair.Key, name, StringComparison.Ordinal))
            {
                return pair.Value;
            }
        }

        return null;
    }

    /// <summary>How many times <paramref name="name"/> occurs.</summary>
    public static int Count(List<KeyValuePair<string, string>> query, string name) =>
        query.Count(pair => string.Equals(pair.Key, name, StringComparison.Ordinal));

    /// <summary>Decodes <c>%XX</c> escapes once (UTF-8); null when an escape is malformed or the bytes are not UTF-8.</summary>
    public static string? PercentDecode(ReadOnlySpan<char> text)
    {
        if (text.IndexOf('%') < 0)
        {
            return text.ToString();
        }

        var bytes = new byte[Encoding.UTF8.GetMaxByteCount(text.Length)];
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%')
            {
                if (i + 2 >= text.Length || !IsHex(text[i + 1]) || !IsHex(text[i + 2]))
                {
                    return null;
                }

                bytes[count++] = (byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2]));
                i += 2;
            }
            else
            {
                count += Encoding.UTF8.GetBytes(text.Slice(i, 1), bytes.AsSpan(count));
            }
        }

        try
        {
            return new UTF8Encoding(false, true).GetString(bytes, 0, count);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
