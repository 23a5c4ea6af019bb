using System.Buffers;

namespace Kvs.WebRtc.Signaling;

/// <summary>
/// Base64 decoding as lenient as the service: standard or URL-safe alphabet, with or without <c>=</c> padding, ASCII
/// whitespace ignored. Compiled into the client and the emulator from <c>src/Shared</c>.
/// </summary>
internal static class LenientBase64
{
    /// <summary>
    /// Decodes <paramref name="text"/> into an array rented from <see cref="ArrayPool{T}.Shared"/> (the caller returns
    /// it) holding <paramref name="length"/> bytes; null when the text is not base64 in any of the accepted forms.
    /// </summary>
    public static byte[]? DecodeRented(ReadOnlySpan<char> text, out int length)
    {
        length = 0;
        var chars = ArrayPool<char>.Shared.Rent(text.Length + 3);
        try
        {
            var count = 0;
            var sawPadding = false;
            foreach (var c in text)
            {
                switch (c)
                {
                    case ' ' or '\t' or '\r' or '\n':
                        continue;
                    case '=':
                        sawPadding = true;
                        continue;
                    case '-':
                        chars[count++] = sawPadding ? '\0' : '+';
                        break;
                    case '_':
                        chars[count++] = sawPadding ? '\0' : '/';
                        break;
                    default:
                        // Data after padding is invalid; '\0' makes the decoder reject it.
                        chars[count++] = sawPadding ? '\0' : c;
                        break;
                }
            }

            switch (count % 4)
            {
                case 1:
                    return null;
                case 2:
                    chars[count++] = '=';
                    chars[count++] = '=';
                    break;
                case 3:
                    chars[count++] = '=';
                    break;
            }

            var bytes = ArrayPool<byte>.Shared.Rent(Math.Max(count / 4 * 3, 1));
            if (!Convert.TryFromBase64Chars(chars.AsSpan(0, count), bytes, out length))
            {
                ArrayPool<byte>.Shared.Return(bytes);
                length = 0;
                return null;
            }

            return bytes;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>The length of the padded standard base64 text of <paramref name="byteCount"/> bytes.</summary>
    public static int EncodedLength(int byteCount) => (byteCount + 2) / 3 * 4;
}
