using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Kvs.WebRtc.Signaling.Auth;

/// <summary>
/// The presigned-URL fast path (query signing, <c>X-Amz-SignedHeaders=host</c>, empty payload). It produces exactly what
/// <see cref="SigV4Core.Compute"/> produces for the same input, with less work: the fixed <c>X-Amz-*</c> parameters are
/// written straight into their sorted place in the canonical query (only the caller's parameters are sorted and merged
/// in), the canonical request, string to sign and signature share one pooled buffer, and the URL is built with a single
/// string allocation. When a caller parameter has the name of a fixed one, it returns null and the caller uses the
/// general path.
/// </summary>
internal static class SigV4Presigner
{
    private const string SignatureParameter = "&X-Amz-Signature=";

    // The fixed parameters, in canonical (byte-wise) order. The session token one is skipped without a token.
    private static readonly byte[][] s_fixedNames =
    [
        "X-Amz-Algorithm"u8.ToArray(),
        "X-Amz-Credential"u8.ToArray(),
        "X-Amz-Date"u8.ToArray(),
        "X-Amz-Expires"u8.ToArray(),
        "X-Amz-Security-Token"u8.ToArray(),
        "X-Amz-SignedHeaders"u8.ToArray(),
    ];

    private static ReadOnlySpan<byte> StringToSignPrefix => "AWS4-HMAC-SHA256\n"u8;

    private static ReadOnlySpan<byte> CanonicalHeadersAndPayload =>
        "\nhost\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"u8;

    /// <summary>Signs a URL, or returns null when a caller parameter collides with a fixed <c>X-Amz-*</c> name.</summary>
    public static string? TryPresign(in SigV4Endpoint endpoint, IEnumerable<KeyValuePair<string, string>> extraQuery,
        AwsCredentialsSnapshot credentials, string region, string service, long expiresSeconds, DateTimeOffset signingTime,
        SigningKeyCache keyCache, PresignCache? tokenCache = null)
    {
        ReadOnlySpan<KeyValuePair<string, string>> pairs = extraQuery switch
        {
            KeyValuePair<string, string>[] items => items,
            List<KeyValuePair<string, string>> list => CollectionsMarshal.AsSpan(list),
            _ => extraQuery.ToArray(),
        };

        var token = credentials.SessionToken;
        var host = endpoint.Host.Span;
        var path = endpoint.Path.Span;

        // An upper bound for everything written below: scratch user parameters, canonical request, string to sign, signature.
        var userChars = 0;
        foreach (var pair in pairs)
        {
            userChars += EncodedBound(pair.Key) + EncodedBound(pair.Value);
        }

        var scopeBound = 8 + 1 + (3 * Encoding.UTF8.GetMaxByteCount(region.Length)) + 1 + (3 * Encoding.UTF8.GetMaxByteCount(service.Length)) + 13;
        var capacity = (2 * userChars) + EncodedBound(path) + EncodedBound(credentials.AccessKeyId) + (token is null ? 0 : EncodedBound(token))
            + (6 * scopeBound) + Encoding.UTF8.GetMaxByteCount(host.Length) + (4 * pairs.Length) + 1024;
        var array = ArrayPool<byte>.Shared.Rent(capacity);
        var entries = pairs.Length <= 8 ? stackalloc UserEntry[8] : new UserEntry[pairs.Length];
        var pos = 0;
        try
        {
            var buffer = array.AsSpan();

            // Dates and scope: yyyyMMdd'T'HHmmss'Z', then yyyyMMdd/region/service/aws4_request (raw UTF-8).
            var amzDate = buffer.Slice(pos, 16);
            SigV4Encoding.WriteAmzDate(signingTime, amzDate);
            pos += 16;
            var scopeStart = pos;
            amzDate[..8].CopyTo(buffer[pos..]);
            pos += 8;
            buffer[pos++] = (byte)'/';
            pos += Encoding.UTF8.GetBytes(region, buffer[pos..]);
            buffer[pos++] = (byte)'/';
            pos += Encoding.UTF8.GetBytes(service, buffer[pos..]);
            "/aws4_request"u8.CopyTo(buffer[pos..]);
            pos += 13;
            var scope = buffer[scopeStart..pos];

            // The caller's parameters, encoded once into scratch space and sorted (by name, then value).
            entries = entries[..pairs.Length];
            for (var i = 0; i < pairs.Length; i++)
            {
                var nameStart = pos;
                pos += SigV4Encoding.EncodeTo(pairs[i].Key, buffer[pos..]);
                var valueStart = pos;
                pos += tokenCache is null ? SigV4Encoding.EncodeTo(pairs[i].Value, buffer[pos..]) : tokenCache.EncodeValue(pairs[i].Value, buffer[pos..]);
                entries[i] = new UserEntry(nameStart, valueStart - nameStart, valueStart, pos - valueStart);
            }

            SortEntries(entries, buffer);
            foreach (var e in entries)
            {
                var name = buffer.Slice(e.NameStart, e.NameLength);
                foreach (var fixedName in s_fixedNames)
                {
                    if (name.SequenceEqual(fixedName))
                    {
                        return null;
                    }
                }
            }

            // Canonical request: GET, canonical URI, canonical query, host header, signed headers, payload hash.
            var requestStart = pos;
            "GET\n"u8.CopyTo(buffer[pos..]);
            pos += 4;
            pos += SigV4Encoding.EncodeTo(path, buffer[pos..], keepSlash: true);
            buffer[pos++] = (byte)'\n';
            var queryStart = pos;
            var next = 0;
            for (var f = 0; f < s_fixedNames.Length; f++)
            {
                if (f == 4 && token is null)
                {
                    continue;
                }

                var fixedName = s_fixedNames[f];
                while (next < entries.Length && buffer.Slice(entries[next].NameStart, entries[next].NameLength).SequenceCompareTo(fixedName) < 0)
                {
                    CopyEntry(buffer, entries[next++], queryStart, ref pos);
                }

                if (pos > queryStart)
                {
                    buffer[pos++] = (byte)'&';
                }

                fixedName.CopyTo(buffer[pos..]);
                pos += fixedName.Length;
                buffer[pos++] = (byte)'=';
                pos += f switch
                {
                    0 => Copy("AWS4-HMAC-SHA256"u8, buffer[pos..]),
                    1 => WriteCredential(credentials.AccessKeyId, scope, buffer[pos..]),
                    2 => Copy(amzDate, buffer[pos..]),
                    3 => WriteNumber(expiresSeconds, buffer[pos..]),
                    4 => WriteToken(token!, buffer[pos..], tokenCache),
                    _ => Copy("host"u8, buffer[pos..]),
                };
            }

            while (next < entries.Length)
            {
                CopyEntry(buffer, entries[next++], queryStart, ref pos);
            }

            var queryLength = pos - queryStart;
            "\nhost:"u8.CopyTo(buffer[pos..]);
            pos += 6;
            pos += Encoding.UTF8.GetBytes(host, buffer[pos..]);
            buffer[pos++] = (byte)'\n';
            CanonicalHeadersAndPayload.CopyTo(buffer[pos..]);
            pos += CanonicalHeadersAndPayload.Length;

            // String to sign.
            Span<byte> digest = stackalloc byte[32];
            SigV4Core.Sha256(buffer[requestStart..pos], digest);
            var stringToSignStart = pos;
            pos += Copy(StringToSignPrefix, buffer[pos..]);
            pos += Copy(amzDate, buffer[pos..]);
            buffer[pos++] = (byte)'\n';
            pos += Copy(scope, buffer[pos..]);
            buffer[pos++] = (byte)'\n';
            SigV4Encoding.WriteHexLower(digest, buffer.Slice(pos, 64));
            pos += 64;

            // Signature.
            Span<byte> key = stackalloc byte[32];
            keyCache.GetSigningKey(credentials.SecretAccessKey, amzDate[..8], region, service, key);
            SigV4Core.HmacSha256(key, buffer[stringToSignStart..pos], digest);
            CryptographicOperations.ZeroMemory(key);
            var signatureStart = pos;
            SigV4Encoding.WriteHexLower(digest, buffer.Slice(pos, 64));
            pos += 64;

            var state = new UrlState(endpoint.Scheme, endpoint.Host, endpoint.Path, array, queryStart, queryLength, signatureStart);
            var length = endpoint.Scheme.Length + 3 + host.Length + path.Length + 1 + queryLength + SignatureParameter.Length + 64;
            var url = string.Create(length, state, static (span, s) =>
            {
                var at = 0;
                Write(span, ref at, s.Scheme);
                Write(span, ref at, "://");
                Write(span, ref at, s.Host.Span);
                Write(span, ref at, s.Path.Span);
                span[at++] = '?';
                _ = Ascii.ToUtf16(s.Data.AsSpan(s.QueryStart, s.QueryLength), span[at..], out var widened);
                at += widened;
                Write(span, ref at, SignatureParameter);
                _ = Ascii.ToUtf16(s.Data.AsSpan(s.SignatureStart, 64), span[at..], out _);
            });

            return url;
        }
        finally
        {
            // The buffer held the session token: clear what was written before returning it to the pool.
            array.AsSpan(0, Math.Min(pos, array.Length)).Clear();
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    // Bytes the SigV4 encoding of a string can take: 9 per UTF-16 unit (3 UTF-8 bytes, each "%XX"). Over-renting is
    // cheaper than scanning every string first; only the bytes actually written are cleared.
    private static int EncodedBound(ReadOnlySpan<char> text) => text.Length * 9;

    private static int Copy(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        source.CopyTo(destination);
        return source.Length;
    }

    private static int WriteCredential(string accessKeyId, ReadOnlySpan<byte> scope, Span<byte> destination)
    {
        var written = SigV4Encoding.EncodeTo(accessKeyId, destination);
        "%2F"u8.CopyTo(destination[written..]);
        written += 3;
        return written + SigV4Encoding.EncodeBytesTo(scope, destination[written..]);
    }

    // A session token is the same string for every URL signed until the credentials refresh: its encoding is kept.
    private static int WriteToken(string token, Span<byte> destination, PresignCache? cache)
    {
        if (cache?.Get(token) is { } encoded)
        {
            encoded.CopyTo(destination);
            return encoded.Length;
        }

        var written = SigV4Encoding.EncodeTo(token, destination);
        cache?.Set(token, destination[..written].ToArray());
        return written;
    }

    private static int WriteNumber(long value, Span<byte> destination)
    {
        _ = value.TryFormat(destination, out var written, default, CultureInfo.InvariantCulture);
        return written;
    }

    private static void CopyEntry(Span<byte> buffer, UserEntry entry, int queryStart, ref int pos)
    {
        if (pos > queryStart)
        {
            buffer[pos++] = (byte)'&';
        }

        buffer.Slice(entry.NameStart, entry.NameLength).CopyTo(buffer[pos..]);
        pos += entry.NameLength;
        buffer[pos++] = (byte)'=';
        buffer.Slice(entry.ValueStart, entry.ValueLength).CopyTo(buffer[pos..]);
        pos += entry.ValueLength;
    }

    private static void SortEntries(Span<UserEntry> entries, ReadOnlySpan<byte> data)
    {
        // Insertion sort: stable, and there are usually two entries (channel ARN, client id).
        for (var i = 1; i < entries.Length; i++)
        {
            var current = entries[i];
            var j = i - 1;
            while (j >= 0 && Compare(entries[j], current, data) > 0)
            {
                entries[j + 1] = entries[j];
                j--;
            }

            entries[j + 1] = current;
        }

        static int Compare(UserEntry a, UserEntry b, ReadOnlySpan<byte> data)
        {
            var byName = data.Slice(a.NameStart, a.NameLength).SequenceCompareTo(data.Slice(b.NameStart, b.NameLength));
            return byName != 0
                ? byName
                : data.Slice(a.ValueStart, a.ValueLength).SequenceCompareTo(data.Slice(b.ValueStart, b.ValueLength));
        }
    }

    private static void Write(Span<char> span, ref int pos, ReadOnlySpan<char> text)
    {
        text.CopyTo(span[pos..]);
        pos += text.Length;
    }

    /// <summary>
    /// SigV4 encodings a signer reuses: the last session token (compared by value) and a few long query values such as
    /// the channel ARN (compared by reference: callers pass the same string on every reconnect). Entries are immutable
    /// and published with volatile writes, so concurrent signers at worst miss and encode again.
    /// </summary>
    internal sealed class PresignCache
    {
        private const int ValueSlots = 4;
        private const int MinCachedLength = 24;
        private readonly Entry?[] _values = new Entry?[ValueSlots];
        private Entry? _token;
        private int _next;

        public byte[]? Get(string token)
        {
            var last = Volatile.Read(ref _token);
            return last is not null && string.Equals(last.Source, token, StringComparison.Ordinal) ? last.Encoded : null;
        }

        public void Set(string token, byte[] encoded) => Volatile.Write(ref _token, new Entry(token, encoded));

        /// <summary>Encodes <paramref name="text"/> into <paramref name="destination"/>, reusing a cached encoding of the same string instance.</summary>
        public int EncodeValue(string text, Span<byte> destination)
        {
            if (text.Length < MinCachedLength)
            {
                return SigV4Encoding.EncodeTo(text, destination);
            }

            for (var i = 0; i < ValueSlots; i++)
            {
                var entry = Volatile.Read(ref _values[i]);
                if (entry is not null && ReferenceEquals(entry.Source, text))
                {
                    entry.Encoded.CopyTo(destination);
                    return entry.Encoded.Length;
                }
            }

            var written = SigV4Encoding.EncodeTo(text, destination);
            var slot = (int)((uint)Interlocked.Increment(ref _next) % ValueSlots);
            Volatile.Write(ref _values[slot], new Entry(text, destination[..written].ToArray()));
            return written;
        }

        private sealed record Entry(string Source, byte[] Encoded);
    }

    private readonly record struct UserEntry(int NameStart, int NameLength, int ValueStart, int ValueLength);

    private readonly record struct UrlState(string Scheme, ReadOnlyMemory<char> Host, ReadOnlyMemory<char> Path, byte[] Data, int QueryStart, int QueryLength, int SignatureStart);
}
