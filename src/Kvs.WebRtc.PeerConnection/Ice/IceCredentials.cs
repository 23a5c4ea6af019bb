using System.Security.Cryptography;

namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>
/// The short-term credentials of one ICE session (RFC 8445 §5.3, RFC 8839 §5.4): <c>ice-ufrag</c> and <c>ice-pwd</c>.
/// </summary>
/// <param name="Ufrag">The username fragment: 4 to 256 ice-chars.</param>
/// <param name="Password">The password: 22 to 256 ice-chars. Secret: never logged or printed.</param>
internal sealed record IceCredentials(string Ufrag, string Password)
{
    // ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 §5.4).
    private const string IceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /// <summary>Creates fresh random credentials: 8-char ufrag (48 bits) and 24-char pwd (144 bits), above the RFC minimums.</summary>
    public static IceCredentials Generate() => new(RandomIceString(8), RandomIceString(24));

    /// <summary>True when both values have RFC 8839 lengths and only ice-chars.</summary>
    public bool IsValid => IsIceString(Ufrag, 4, 256) && IsIceString(Password, 22, 256);

    /// <summary>Redacts the password.</summary>
    public override string ToString() => $"ufrag={Ufrag} pwd=<redacted>";

    /// <summary>True when <paramref name="value"/> is <paramref name="min"/>..<paramref name="max"/> ice-chars.</summary>
    public static bool IsIceString(string? value, int min, int max)
    {
        if (value is null || value.Length < min || value.Length > max)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!IsIceChar(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>ALPHA / DIGIT / "+" / "/".</summary>
    public static bool IsIceChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '+' || c == '/';

    private static string RandomIceString(int length) => RandomNumberGenerator.GetString(IceChars, length);
}
