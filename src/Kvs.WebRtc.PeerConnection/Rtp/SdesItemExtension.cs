namespace Kvs.WebRtc.PeerConnection.Rtp;

/// <summary>
/// The SDES-item header extensions that carry an ASCII identifier: mid (RFC 9143 §15.2), rtp-stream-id and
/// repaired-rtp-stream-id (RFC 8852 §3). Compare on the wire bytes with <see cref="ValueEquals"/> on the hot path;
/// decode to a string only when one is needed.
/// </summary>
internal static class SdesItemExtension
{
    /// <summary>Longest identifier the one-byte form carries (16 bytes); the two-byte form carries up to 255.</summary>
    public const int MaxOneByteLength = 16;

    /// <summary>True when <paramref name="value"/> holds exactly the ASCII characters of <paramref name="identifier"/>. Allocates nothing.</summary>
    public static bool ValueEquals(ReadOnlySpan<byte> value, ReadOnlySpan<char> identifier)
    {
        if (value.Length != identifier.Length)
        {
            return false;
        }

        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != identifier[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Decodes the identifier; false when it is empty, longer than 255 bytes, or holds anything but printable ASCII
    /// (0x21–0x7E). RFC 8852 allows trailing zero bytes from padding; those are dropped.
    /// </summary>
    public static bool TryGetString(ReadOnlySpan<byte> value, out string identifier)
    {
        identifier = string.Empty;
        var end = value.Length;
        while (end > 0 && value[end - 1] == 0)
        {
            end--;
        }

        if (end == 0 || end > 255)
        {
            return false;
        }

        foreach (var b in value[..end])
        {
            if (b is < 0x21 or > 0x7E)
            {
                return false;
            }
        }

        identifier = System.Text.Encoding.ASCII.GetString(value[..end]);
        return true;
    }

    /// <summary>Writes <paramref name="identifier"/> as ASCII and returns its length.</summary>
    /// <exception cref="ArgumentException">The identifier is empty, longer than 255 characters, or not printable ASCII.</exception>
    public static int Write(Span<byte> destination, ReadOnlySpan<char> identifier)
    {
        if (identifier.IsEmpty || identifier.Length > 255)
        {
            throw new ArgumentException("1 to 255 characters", nameof(identifier));
        }

        for (var i = 0; i < identifier.Length; i++)
        {
            var c = identifier[i];
            if (c is < '!' or > '~')
            {
                throw new ArgumentException("printable ASCII only", nameof(identifier));
            }

            destination[i] = (byte)c;
        }

        return identifier.Length;
    }
}
