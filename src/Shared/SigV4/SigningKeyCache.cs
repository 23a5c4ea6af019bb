using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Kvs.WebRtc.Signaling.Auth;

/// <summary>
/// Caches derived SigV4 signing keys per (secret, date, region, service). Lock-free and thread-safe: entries are
/// immutable and published with volatile writes; a few slots are reused round-robin.
/// </summary>
internal sealed class SigningKeyCache
{
    private const int Slots = 4;
    private readonly Entry?[] _entries = new Entry?[Slots];
    private int _next;

    /// <summary>A process-wide cache (used by the verifier).</summary>
    public static SigningKeyCache Shared { get; } = new();

    /// <summary>Writes the 32-byte signing key into <paramref name="key"/>.</summary>
    /// <param name="secretAccessKey">The secret access key.</param>
    /// <param name="dateStamp">The 8 ASCII bytes <c>yyyyMMdd</c>.</param>
    /// <param name="region">The signing region.</param>
    /// <param name="service">The signing service name.</param>
    /// <param name="key">Receives the key (32 bytes).</param>
    public void GetSigningKey(string secretAccessKey, ReadOnlySpan<byte> dateStamp, string region, string service, Span<byte> key)
    {
        var date = ParseDate(dateStamp);
        for (var i = 0; i < Slots; i++)
        {
            var entry = Volatile.Read(ref _entries[i]);
            if (entry is not null && entry.Date == date && entry.Matches(secretAccessKey, region, service))
            {
                entry.Key.CopyTo(key);
                return;
            }
        }

        Derive(secretAccessKey, dateStamp, region, service, key);
        var slot = (int)((uint)Interlocked.Increment(ref _next) % Slots);
        Volatile.Write(ref _entries[slot], new Entry(secretAccessKey, date, region, service, key.ToArray()));
    }

    /// <summary>kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").</summary>
    internal static void Derive(string secretAccessKey, ReadOnlySpan<byte> dateStamp, string region, string service, Span<byte> key)
    {
        var secretLength = 4 + Encoding.UTF8.GetMaxByteCount(secretAccessKey.Length);
        byte[]? rented = null;
        var secret = secretLength <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(secretLength));
        Span<byte> scratch = stackalloc byte[128];
        Span<byte> current = stackalloc byte[32];
        try
        {
            "AWS4"u8.CopyTo(secret);
            var used = 4 + Encoding.UTF8.GetBytes(secretAccessKey, secret[4..]);
            HMACSHA256.HashData(secret[..used], dateStamp, current);
            Hmac(current, region, scratch, key);
            key.CopyTo(current);
            Hmac(current, service, scratch, key);
            key.CopyTo(current);
            HMACSHA256.HashData(current, "aws4_request"u8, key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
            CryptographicOperations.ZeroMemory(current);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        static void Hmac(ReadOnlySpan<byte> k, string text, Span<byte> scratch, Span<byte> destination)
        {
            if (Encoding.UTF8.GetMaxByteCount(text.Length) <= scratch.Length)
            {
                var n = Encoding.UTF8.GetBytes(text, scratch);
                HMACSHA256.HashData(k, scratch[..n], destination);
            }
            else
            {
                HMACSHA256.HashData(k, Encoding.UTF8.GetBytes(text), destination);
            }
        }
    }

    private static int ParseDate(ReadOnlySpan<byte> dateStamp)
    {
        var value = 0;
        foreach (var b in dateStamp)
        {
            value = (value * 10) + (b - '0');
        }

        return value;
    }

    private sealed class Entry(string secret, int date, string region, string service, byte[] key)
    {
        public int Date { get; } = date;

        public byte[] Key { get; } = key;

        public bool Matches(string secretAccessKey, string regionName, string serviceName) =>
            string.Equals(secret, secretAccessKey, StringComparison.Ordinal)
            && string.Equals(region, regionName, StringComparison.Ordinal)
            && string.Equals(service, serviceName, StringComparison.Ordinal);
    }
}
