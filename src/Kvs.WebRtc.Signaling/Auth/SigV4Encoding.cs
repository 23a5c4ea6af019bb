using System.Text;

namespace Kvs.WebRtc.Signaling.Auth;

/// <summary>
/// SigV4 <c>UriEncode</c> (RFC 3986: <c>A-Z a-z 0-9 - _ . ~</c> kept, every other UTF-8 byte <c>%XX</c> upper-case),
/// percent-decoding, hex and date formatting, all written straight into a <see cref="PooledByteBuffer"/>.
/// </summary>
internal static class SigV4Encoding
{
    private static ReadOnlySpan<byte> UpperHex => "0123456789ABCDEF"u8;

    private static ReadOnlySpan<byte> LowerHex => "0123456789abcdef"u8;

    public static bool IsUnreserved(uint c) =>
        (c - 'a') <= 'z' - 'a' || (c - 'A') <= 'Z' - 'A' || (c - '0') <= 9 || c == '-' || c == '_' || c == '.' || c == '~';

    /// <summary>True when <paramref name="text"/> consists of unreserved characters only (its encoding is itself).</summary>
    public static bool IsAllUnreserved(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!IsUnreserved(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>UriEncodes the UTF-8 form of <paramref name="text"/>; '/' is kept when <paramref name="keepSlash"/>.</summary>
    public static void AppendEncoded(ref PooledByteBuffer buffer, scoped ReadOnlySpan<char> text, bool keepSlash = false) =>
        AppendCanonical(ref buffer, text, keepSlash, decodePercent: false);

    /// <summary>
    /// Percent-decodes <paramref name="wire"/> once (a '%' not followed by two hex digits is literal, '+' stays '+'),
    /// then UriEncodes the resulting bytes: the canonical form of a query component as received on the wire.
    /// </summary>
    public static void AppendDecodedThenEncoded(ref PooledByteBuffer buffer, scoped ReadOnlySpan<char> wire) =>
        AppendCanonical(ref buffer, wire, keepSlash: false, decodePercent: true);

    // One loop for both: optional single percent-decoding of "%XX" escapes, then strict RFC 3986 encoding of the bytes.
    private static void AppendCanonical(ref PooledByteBuffer buffer, scoped ReadOnlySpan<char> text, bool keepSlash, bool decodePercent)
    {
        Span<byte> utf8 = stackalloc byte[4];
        var dest = buffer.GetFreeSpan(text.Length * 3);
        var written = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (decodePercent && c == '%' && i + 2 < text.Length && TryHex(text[i + 1], out var hi) && TryHex(text[i + 2], out var lo))
            {
                var b = (byte)((hi << 4) | lo);
                if (IsUnreserved(b))
                {
                    dest[written++] = b;
                }
                else
                {
                    WritePercent(dest, ref written, b);
                }

                i += 2;
                continue;
            }

            if (c < 0x80)
            {
                if (IsUnreserved(c) || (keepSlash && c == '/'))
                {
                    dest[written++] = (byte)c;
                }
                else
                {
                    WritePercent(dest, ref written, (byte)c);
                }

                continue;
            }

            buffer.Advance(written);
            written = 0;
            dest = buffer.GetFreeSpan(((text.Length - i) * 3) + 12);
            _ = Rune.DecodeFromUtf16(text[i..], out var rune, out var consumed);
            var count = rune.EncodeToUtf8(utf8);
            for (var k = 0; k < count; k++)
            {
                WritePercent(dest, ref written, utf8[k]);
            }

            i += consumed - 1;
        }

        buffer.Advance(written);
    }

    /// <summary>UriEncodes bytes already in the buffer (<paramref name="start"/>, <paramref name="length"/>), appending the result.</summary>
    public static void AppendEncodedCopy(ref PooledByteBuffer buffer, int start, int length)
    {
        buffer.GetFreeSpan(length * 3);
        var array = buffer.RawArray;
        var dest = array.AsSpan(buffer.Length);
        var written = 0;
        for (var i = 0; i < length; i++)
        {
            var b = array[start + i];
            if (IsUnreserved(b))
            {
                dest[written++] = b;
            }
            else
            {
                WritePercent(dest, ref written, b);
            }
        }

        buffer.Advance(written);
    }

    /// <summary>Appends the UTF-8 bytes of <paramref name="text"/> unchanged.</summary>
    public static void AppendUtf8(ref PooledByteBuffer buffer, scoped ReadOnlySpan<char> text)
    {
        var written = Encoding.UTF8.GetBytes(text, buffer.GetFreeSpan(Encoding.UTF8.GetMaxByteCount(text.Length)));
        buffer.Advance(written);
    }

    /// <summary>Percent-decodes once into a string (no '+' to space; invalid escapes kept literally; invalid UTF-8 replaced).</summary>
    public static string PercentDecode(ReadOnlySpan<char> wire)
    {
        if (!wire.Contains('%'))
        {
            return wire.ToString();
        }

        var buffer = new PooledByteBuffer(wire.Length * 3);
        try
        {
            Span<byte> utf8 = stackalloc byte[4];
            for (var i = 0; i < wire.Length; i++)
            {
                var c = wire[i];
                if (c == '%' && i + 2 < wire.Length && TryHex(wire[i + 1], out var hi) && TryHex(wire[i + 2], out var lo))
                {
                    buffer.Append((byte)((hi << 4) | lo));
                    i += 2;
                }
                else if (c < 0x80)
                {
                    buffer.Append((byte)c);
                }
                else
                {
                    _ = Rune.DecodeFromUtf16(wire[i..], out var rune, out var consumed);
                    buffer.Append(utf8[..rune.EncodeToUtf8(utf8)]);
                    i += consumed - 1;
                }
            }

            return Encoding.UTF8.GetString(buffer.Slice(0, buffer.Length));
        }
        finally
        {
            buffer.Dispose();
        }
    }

    /// <summary>Writes lower-case hex of <paramref name="source"/> (2 bytes per input byte).</summary>
    public static void WriteHexLower(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var hex = LowerHex;
        for (var i = 0; i < source.Length; i++)
        {
            destination[2 * i] = hex[source[i] >> 4];
            destination[(2 * i) + 1] = hex[source[i] & 0xF];
        }
    }

    /// <summary>Writes <c>yyyyMMdd'T'HHmmss'Z'</c> (16 ASCII bytes) of the UTC instant; sub-second parts are truncated.</summary>
    public static void WriteAmzDate(DateTimeOffset time, Span<byte> destination)
    {
        var utc = time.UtcDateTime;
        Write4(destination, utc.Year);
        Write2(destination[4..], utc.Month);
        Write2(destination[6..], utc.Day);
        destination[8] = (byte)'T';
        Write2(destination[9..], utc.Hour);
        Write2(destination[11..], utc.Minute);
        Write2(destination[13..], utc.Second);
        destination[15] = (byte)'Z';

        static void Write2(Span<byte> d, int v)
        {
            d[0] = (byte)('0' + (v / 10));
            d[1] = (byte)('0' + (v % 10));
        }

        static void Write4(Span<byte> d, int v)
        {
            Write2(d, v / 100);
            Write2(d[2..], v % 100);
        }
    }

    /// <summary>Formats an instant as an amz-date string (<c>yyyyMMdd'T'HHmmss'Z'</c>).</summary>
    public static string FormatAmzDate(DateTimeOffset time)
    {
        Span<byte> bytes = stackalloc byte[16];
        WriteAmzDate(time, bytes);
        return Encoding.ASCII.GetString(bytes);
    }

    /// <summary>Parses exactly <c>yyyyMMdd'T'HHmmss'Z'</c>.</summary>
    public static bool TryParseAmzDate(ReadOnlySpan<char> text, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(text, "yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out value);

    private static void WritePercent(Span<byte> dest, ref int written, byte b)
    {
        dest[written] = (byte)'%';
        dest[written + 1] = UpperHex[b >> 4];
        dest[written + 2] = UpperHex[b & 0xF];
        written += 3;
    }

    private static bool TryHex(char c, out int value)
    {
        value = c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'a' and <= 'f' => c - 'a' + 10,
            >= 'A' and <= 'F' => c - 'A' + 10,
            _ => -1,
        };
        return value >= 0;
    }
}
