using System.Globalization;

namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary>Small span helpers shared by the attribute parsers: tokens, numbers, field splitting.</summary>
internal static class SdpSyntax
{
    /// <summary>RFC 8866 <c>token-char</c>: visible ASCII except the separators.</summary>
    public static bool IsTokenChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
            or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '{' or '|' or '}' or '~';

    public static bool IsToken(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!IsTokenChar(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Non-empty visible characters without spaces (ICE ufrag/pwd, mids, ids).</summary>
    public static bool IsVisibleWord(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c <= ' ' || c == '\u007f')
            {
                return false;
            }
        }

        return true;
    }

    public static bool TryParseUInt32(ReadOnlySpan<char> text, out uint value) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && text.Length <= 10;

    public static bool TryParseUInt64(ReadOnlySpan<char> text, out ulong value) =>
        ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && text.Length <= 20;

    public static bool TryParseInt(ReadOnlySpan<char> text, int min, int max, out int value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 10 || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            return false;
        }

        if (parsed < min || parsed > max)
        {
            return false;
        }

        value = parsed;
        return true;
    }

    public static bool IsDigits(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Splits at single or repeated spaces; at most <paramref name="max"/> fields (the last keeps the rest).</summary>
    public static string[] SplitFields(string text, int max = int.MaxValue) =>
        text.Split(' ', max, StringSplitOptions.RemoveEmptyEntries);

    public static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Format(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Format(uint value) => value.ToString(CultureInfo.InvariantCulture);
}
