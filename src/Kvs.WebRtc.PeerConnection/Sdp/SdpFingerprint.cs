namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary>
/// <c>a=fingerprint:&lt;hash-func&gt; &lt;hex:hex:...&gt;</c> (RFC 8122 section 5): the certificate fingerprint DTLS
/// checks. <see cref="Value"/> is kept as written (upper-case hex pairs separated by ':').
/// </summary>
internal sealed record SdpFingerprint(string HashFunction, string Value)
{
    public static bool TryParse(string? value, out SdpFingerprint? fingerprint)
    {
        fingerprint = null;
        if (value is null)
        {
            return false;
        }

        var f = SdpSyntax.SplitFields(value);
        if (f.Length != 2 || !SdpSyntax.IsToken(f[0]) || !IsHexPairs(f[1]))
        {
            return false;
        }

        fingerprint = new SdpFingerprint(f[0], f[1]);
        return true;
    }

    /// <summary>The fingerprint bytes.</summary>
    public byte[] GetBytes()
    {
        var bytes = new byte[(Value.Length + 1) / 3];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)((HexValue(Value[i * 3]) << 4) | HexValue(Value[(i * 3) + 1]));
        }

        return bytes;
    }

    /// <summary>Formats bytes as upper-case hex pairs separated by ':'.</summary>
    public static SdpFingerprint FromBytes(string hashFunction, ReadOnlySpan<byte> digest) =>
        new(hashFunction, string.Join(':', digest.ToArray().Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture))));

    public string ToSdpValue() => $"{HashFunction} {Value}";

    private static bool IsHexPairs(string text)
    {
        // "XX(:XX)*", at most 64 bytes (SHA-512).
        if (text.Length < 2 || (text.Length + 1) % 3 != 0 || text.Length > (64 * 3) - 1)
        {
            return false;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var ok = i % 3 == 2 ? text[i] == ':' : char.IsAsciiHexDigit(text[i]);
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
