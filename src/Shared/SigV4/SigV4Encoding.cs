using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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

    // RFC 3986 unreserved characters; vectorised searches skip whole runs of them at once.
    private static readonly SearchValues<char> s_unreservedChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~");

    // The last formatted X-Amz-Date second (immutable; replaced atomically).
    private static CachedAmzDate? s_lastAmzDate;

    private static readonly SearchValues<byte> s_unreservedBytes =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"u8);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsUnreserved(uint c) =>
        (c - 'a') <= 'z' - 'a' || (c - 'A') <= 'Z' - 'A' || (c - '0') <= 9 || c == '-' || c == '_' || c == '.' || c == '~';

    /// <summary>True when <paramref name="text"/> consists of unreserved characters only (its encoding is itself).</summary>
    public static bool IsAllUnreserved(ReadOnlySpan<char> text) => !text.ContainsAnyExcept(s_unreservedChars);

    /// <summary>UriEncodes the UTF-8 form of <paramref name="text"/>; '/' is kept when <paramref name="keepSlash"/>.</summary>
    public static void AppendEncoded(ref PooledByteBuffer buffer, scoped ReadOnlySpan<char> text, bool keepSlash = false)
    {
        // ASCII: at most "%XX" per char; otherwise a UTF-16 unit can become 3 UTF-8 bytes, each written as "%XX".
        var dest = buffer.GetFreeSpan(text.Length * (Ascii.IsValid(text) ? 3 : 9));
        var written = EncodeTo(text, dest, keepSlash);
        buffer.Advance(written);
    }

    /// <summary>
    /// UriEncodes the UTF-8 form of <paramref name="text"/> into <paramref name="dest"/> (room for 9 bytes per char);
    /// returns the bytes written. Blocks of 8 unreserved characters are checked and narrowed with one vector operation
    /// (session tokens are long runs of them); everything else goes character by character.
    /// </summary>
    public static int EncodeTo(scoped ReadOnlySpan<char> text, Span<byte> dest, bool keepSlash = false)
    {
        var written = 0;
        var i = 0;
        if (Vector128.IsHardwareAccelerated && text.Length >= 8)
        {
            var units = MemoryMarshal.Cast<char, ushort>(text);
            while (i <= text.Length - 8)
            {
                var block = Vector128.Create(units.Slice(i, 8));
                if (IsAllUnreserved(block, keepSlash) && dest.Length - written >= 16)
                {
                    // The 8 chars are ASCII: narrowing keeps them; only the low 8 of the 16 bytes written count.
                    Vector128.Narrow(block, block).CopyTo(dest[written..]);
                    written += 8;
                    i += 8;
                    continue;
                }

                var end = i + 8;
                while (i < end)
                {
                    i += EncodeOne(text, i, dest, ref written, keepSlash);
                }
            }
        }

        while (i < text.Length)
        {
            i += EncodeOne(text, i, dest, ref written, keepSlash);
        }

        return written;
    }

    // 1 for the RFC 3986 unreserved ASCII characters.
    private static ReadOnlySpan<byte> UnreservedTable =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
        0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1,
        0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0,
    ];

    // A-Z a-z 0-9 - . _ ~ (and '/' when kept) in every lane.
    private static bool IsAllUnreserved(Vector128<ushort> v, bool keepSlash)
    {
        var letter = Vector128.LessThanOrEqual((v | Vector128.Create((ushort)0x20)) - Vector128.Create((ushort)'a'), Vector128.Create((ushort)('z' - 'a')));
        var digit = Vector128.LessThanOrEqual(v - Vector128.Create((ushort)'0'), Vector128.Create((ushort)9));
        var mark = Vector128.Equals(v, Vector128.Create((ushort)'-')) | Vector128.Equals(v, Vector128.Create((ushort)'.'))
            | Vector128.Equals(v, Vector128.Create((ushort)'_')) | Vector128.Equals(v, Vector128.Create((ushort)'~'));
        if (keepSlash)
        {
            mark |= Vector128.Equals(v, Vector128.Create((ushort)'/'));
        }

        return (letter | digit | mark) == Vector128<ushort>.AllBitsSet;
    }

    // Encodes the character (or surrogate pair) at text[i]; returns how many chars it consumed.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int EncodeOne(scoped ReadOnlySpan<char> text, int i, Span<byte> dest, ref int written, bool keepSlash)
    {
        var c = text[i];
        if (c < 0x80)
        {
            if (UnreservedTable[c] != 0 || (keepSlash && c == '/'))
            {
                dest[written++] = (byte)c;
            }
            else
            {
                WritePercent(dest, ref written, (byte)c);
            }

            return 1;
        }

        return WritePercentRune(text[i..], dest, ref written);
    }

    /// <summary>Percent-encodes the UTF-8 bytes of the first scalar of <paramref name="text"/> (a lone surrogate becomes U+FFFD); returns the chars consumed.</summary>
    private static int WritePercentRune(scoped ReadOnlySpan<char> text, Span<byte> dest, ref int written)
    {
        Span<byte> utf8 = stackalloc byte[4];
        _ = Rune.DecodeFromUtf16(text, out var rune, out var consumed);
        var count = rune.EncodeToUtf8(utf8);
        for (var k = 0; k < count; k++)
        {
            WritePercent(dest, ref written, utf8[k]);
        }

        return consumed;
    }

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
        var written = EncodeBytesTo(array.AsSpan(start, length), array.AsSpan(buffer.Length));
        buffer.Advance(written);
    }

    /// <summary>UriEncodes raw bytes into <paramref name="dest"/> (room for 3 bytes per input byte); returns the bytes written.</summary>
    public static int EncodeBytesTo(ReadOnlySpan<byte> source, Span<byte> dest)
    {
        var written = 0;
        if (source.Length < 64)
        {
            // Short input (credential scopes): a table lookup per byte beats a vector search per run.
            foreach (var b in source)
            {
                if (b < 0x80 && UnreservedTable[b] != 0)
                {
                    dest[written++] = b;
                }
                else
                {
                    WritePercent(dest, ref written, b);
                }
            }

            return written;
        }

        while (true)
        {
            var run = source.IndexOfAnyExcept(s_unreservedBytes);
            var literal = run < 0 ? source : source[..run];
            literal.CopyTo(dest[written..]);
            written += literal.Length;
            if (run < 0)
            {
                return written;
            }

            WritePercent(dest, ref written, source[run]);
            source = source[(run + 1)..];
        }
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
        if (Vector128.IsHardwareAccelerated && BitConverter.IsLittleEndian && source.Length == 32)
        {
            WriteHexLower32(source, destination);
            return;
        }

        var hex = LowerHex;
        destination = destination[..(source.Length * 2)];
        var d = 0;
        foreach (var b in source)
        {
            destination[d] = hex[b >> 4];
            destination[d + 1] = hex[b & 0xF];
            d += 2;
        }
    }

    // SHA-256 digests: 16 bytes at a time, nibbles looked up with a byte shuffle and interleaved by widening.
    private static void WriteHexLower32(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var table = Vector128.Create(LowerHex);
        var mask = Vector128.Create((byte)0x0F);
        destination = destination[..64];
        for (var half = 0; half < 2; half++)
        {
            var v = Vector128.Create(source.Slice(half * 16, 16));
            var hi = Vector128.Shuffle(table, Vector128.ShiftRightLogical(v, 4) & mask);
            var lo = Vector128.Shuffle(table, v & mask);

            // A little-endian ushort (hi | lo << 8) stores hi, then lo.
            var first = Vector128.WidenLower(hi) | Vector128.ShiftLeft(Vector128.WidenLower(lo), 8);
            var second = Vector128.WidenUpper(hi) | Vector128.ShiftLeft(Vector128.WidenUpper(lo), 8);
            first.AsByte().CopyTo(destination[(half * 32)..]);
            second.AsByte().CopyTo(destination[((half * 32) + 16)..]);
        }
    }

    /// <summary>Writes <c>yyyyMMdd'T'HHmmss'Z'</c> (16 ASCII bytes) of the UTC instant; sub-second parts are truncated.</summary>
    public static void WriteAmzDate(DateTimeOffset time, Span<byte> destination)
    {
        // Signing times repeat within a second: reuse the last formatted second (immutable, swapped atomically).
        var second = time.UtcTicks / TimeSpan.TicksPerSecond;
        var cached = Volatile.Read(ref s_lastAmzDate);
        if (cached is not null && cached.Second == second)
        {
            cached.Text.CopyTo(destination);
            return;
        }

        var text = new byte[16];
        FormatAmzDate(time.UtcDateTime, text);
        text.CopyTo(destination);
        Volatile.Write(ref s_lastAmzDate, new CachedAmzDate(second, text));
    }

    private static void FormatAmzDate(DateTime utc, Span<byte> destination)
    {
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

    private sealed class CachedAmzDate(long second, byte[] text)
    {
        public long Second { get; } = second;

        public byte[] Text { get; } = text;
    }
}
