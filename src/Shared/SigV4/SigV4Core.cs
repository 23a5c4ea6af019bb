using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Kvs.WebRtc.Signaling.Auth;

/// <summary>
/// The single SigV4 implementation: builds the canonical request, the string to sign and the signature of an arbitrary
/// request into a <see cref="PooledByteBuffer"/>. The signer, the verifier and the known-answer tests all go through
/// <see cref="Compute"/>.
/// </summary>
internal static class SigV4Core
{
    /// <summary>The SigV4 algorithm name.</summary>
    public const string Algorithm = "AWS4-HMAC-SHA256";

    private const int StackHeaderLimit = 32;

    /// <summary>Lower-case hex SHA-256 of the empty string.</summary>
    public static ReadOnlySpan<byte> EmptyPayloadHashHex => "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"u8;

    private static ReadOnlySpan<byte> AlgorithmUtf8 => "AWS4-HMAC-SHA256"u8;

    /// <summary>Signs <paramref name="input"/>, writing every artefact into <paramref name="buffer"/>.</summary>
    /// <param name="input">The request to sign.</param>
    /// <param name="buffer">Receives the artefacts; the returned layout says where.</param>
    /// <param name="keyCache">The signing-key cache.</param>
    /// <returns>Offsets of the artefacts in <paramref name="buffer"/>.</returns>
    public static SigV4Layout Compute(scoped ref SigV4Input input, ref PooledByteBuffer buffer, SigningKeyCache keyCache)
    {
        SigV4Layout layout = default;

        // X-Amz-Date and credential scope.
        layout.AmzDateStart = buffer.Length;
        SigV4Encoding.WriteAmzDate(input.SigningTime, buffer.Reserve(SigV4Layout.AmzDateLength));
        layout.ScopeStart = buffer.Length;
        buffer.AppendCopy(layout.AmzDateStart, 8);
        buffer.Append((byte)'/');
        SigV4Encoding.AppendUtf8(ref buffer, input.Region);
        buffer.Append((byte)'/');
        SigV4Encoding.AppendUtf8(ref buffer, input.Service);
        buffer.Append("/aws4_request"u8);
        layout.ScopeLength = buffer.Length - layout.ScopeStart;

        // Header order: by lower-case name (ordinal), stable for repeated names.
        var headers = input.Headers;
        Span<int> order = headers.Length <= StackHeaderLimit ? stackalloc int[StackHeaderLimit] : new int[headers.Length];
        order = order[..headers.Length];
        SortHeaders(headers, order);

        layout.SignedHeadersStart = buffer.Length;
        for (var i = 0; i < order.Length; i++)
        {
            var name = headers[order[i]].Name;
            if (i > 0 && EqualsLower(headers[order[i - 1]].Name, name))
            {
                continue;
            }

            if (buffer.Length > layout.SignedHeadersStart)
            {
                buffer.Append((byte)';');
            }

            AppendLower(ref buffer, name);
        }

        layout.SignedHeadersLength = buffer.Length - layout.SignedHeadersStart;

        // Query parameters: each encoded once into the buffer, then sorted.
        var entries = new QueryEntryList();
        try
        {
            CollectQuery(ref input, ref buffer, ref entries, in layout);
            var entrySpan = entries.AsSpan();
            SortEntries(entrySpan, buffer.RawArray);

            // Canonical request.
            layout.CanonicalRequestStart = buffer.Length;
            SigV4Encoding.AppendUtf8(ref buffer, input.Method);
            buffer.Append((byte)'\n');
            AppendCanonicalUri(ref buffer, input.Path, input.NormalizePath);
            buffer.Append((byte)'\n');
            layout.CanonicalQueryStart = buffer.Length;
            var queryLength = 0;
            foreach (ref readonly var e in entrySpan)
            {
                queryLength += e.NameLength + e.ValueLength + 2;
            }

            // One reservation, then plain copies within the same array.
            buffer.GetFreeSpan(queryLength);
            var data = buffer.RawArray;
            var at = buffer.Length;
            for (var i = 0; i < entrySpan.Length; i++)
            {
                if (i > 0)
                {
                    data[at++] = (byte)'&';
                }

                ref readonly var e = ref entrySpan[i];
                data.AsSpan(e.NameStart, e.NameLength).CopyTo(data.AsSpan(at));
                at += e.NameLength;
                data[at++] = (byte)'=';
                data.AsSpan(e.ValueStart, e.ValueLength).CopyTo(data.AsSpan(at));
                at += e.ValueLength;
            }

            buffer.Advance(at - buffer.Length);

            layout.CanonicalQueryLength = buffer.Length - layout.CanonicalQueryStart;
        }
        finally
        {
            entries.Dispose();
        }

        buffer.Append((byte)'\n');
        for (var i = 0; i < order.Length; i++)
        {
            var header = headers[order[i]];
            var repeated = i > 0 && EqualsLower(headers[order[i - 1]].Name, header.Name);
            if (repeated)
            {
                buffer.Append((byte)',');
            }
            else
            {
                if (i > 0)
                {
                    buffer.Append((byte)'\n');
                }

                AppendLower(ref buffer, header.Name);
                buffer.Append((byte)':');
            }

            AppendTrimmedValue(ref buffer, header.Value.Span);
        }

        if (order.Length > 0)
        {
            buffer.Append((byte)'\n');
        }

        buffer.Append((byte)'\n');
        buffer.AppendCopy(layout.SignedHeadersStart, layout.SignedHeadersLength);
        buffer.Append((byte)'\n');
        buffer.Append(input.PayloadHashHex);
        layout.CanonicalRequestLength = buffer.Length - layout.CanonicalRequestStart;

        // String to sign.
        Span<byte> digest = stackalloc byte[32];
        Sha256(buffer.Slice(layout.CanonicalRequestStart, layout.CanonicalRequestLength), digest);
        layout.StringToSignStart = buffer.Length;
        buffer.Append(AlgorithmUtf8);
        buffer.Append((byte)'\n');
        buffer.AppendCopy(layout.AmzDateStart, SigV4Layout.AmzDateLength);
        buffer.Append((byte)'\n');
        buffer.AppendCopy(layout.ScopeStart, layout.ScopeLength);
        buffer.Append((byte)'\n');
        SigV4Encoding.WriteHexLower(digest, buffer.Reserve(64));
        layout.StringToSignLength = buffer.Length - layout.StringToSignStart;

        // Signature.
        Span<byte> key = stackalloc byte[32];
        keyCache.GetSigningKey(
            input.Credentials.SecretAccessKey, buffer.Slice(layout.AmzDateStart, 8), input.Region, input.Service, key);
        HmacSha256(key, buffer.Slice(layout.StringToSignStart, layout.StringToSignLength), digest);
        CryptographicOperations.ZeroMemory(key);
        layout.SignatureStart = buffer.Length;
        SigV4Encoding.WriteHexLower(digest, buffer.Reserve(SigV4Layout.SignatureLength));
        return layout;
    }

    /// <summary>Writes the lower-case hex SHA-256 of <paramref name="payload"/> (64 bytes) into <paramref name="destination"/>.</summary>
    public static void HashPayload(ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        Span<byte> digest = stackalloc byte[32];
        Sha256(payload, digest);
        SigV4Encoding.WriteHexLower(digest, destination);
    }

    // Hash objects reused per thread: creating a native hash context per call costs more than the hashing itself.
    [ThreadStatic]
    private static IncrementalHash? s_sha256;

    [ThreadStatic]
    private static IncrementalHash? s_hmac;

    [ThreadStatic]
    private static byte[]? s_hmacKey;

    internal static void Sha256(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var hash = s_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(data);
        hash.GetHashAndReset(destination);
    }

    // The signing key changes once a day per credential and region; the HMAC keyed with it is kept until it changes.
    internal static void HmacSha256(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var hmac = s_hmac;
        var cachedKey = s_hmacKey;
        if (hmac is null || cachedKey is null || !key.SequenceEqual(cachedKey))
        {
            hmac?.Dispose();
            if (cachedKey is not null)
            {
                CryptographicOperations.ZeroMemory(cachedKey);
            }

            hmac = s_hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
            s_hmacKey = key.ToArray();
        }

        hmac.AppendData(data);
        hmac.GetHashAndReset(destination);
    }

    private static void CollectQuery(scoped ref SigV4Input input, ref PooledByteBuffer buffer, ref QueryEntryList entries, in SigV4Layout layout)
    {
        if (!input.WireQuery.IsEmpty)
        {
            var rest = input.WireQuery;
            while (true)
            {
                var amp = rest.IndexOf('&');
                var part = amp < 0 ? rest : rest[..amp];
                if (!part.IsEmpty)
                {
                    var eq = part.IndexOf('=');
                    var name = eq < 0 ? part : part[..eq];
                    var value = eq < 0 ? ReadOnlySpan<char>.Empty : part[(eq + 1)..];
                    if (!(input.SkipSignatureParameter && IsSignatureName(name)))
                    {
                        var nameStart = buffer.Length;
                        SigV4Encoding.AppendDecodedThenEncoded(ref buffer, name);
                        var valueStart = buffer.Length;
                        SigV4Encoding.AppendDecodedThenEncoded(ref buffer, value);
                        entries.Add(new QueryEntry(nameStart, valueStart - nameStart, valueStart, buffer.Length - valueStart, buffer.RawArray));
                    }
                }

                if (amp < 0)
                {
                    break;
                }

                rest = rest[(amp + 1)..];
            }
        }

        if (input.RawQuery is { } raw)
        {
            // Arrays and lists are walked by index: no boxed enumerator.
            if (raw is KeyValuePair<string, string>[] array)
            {
                foreach (var pair in array)
                {
                    AddRaw(ref buffer, ref entries, pair);
                }
            }
            else if (raw is List<KeyValuePair<string, string>> list)
            {
                foreach (var pair in list)
                {
                    AddRaw(ref buffer, ref entries, pair);
                }
            }
            else
            {
                foreach (var pair in raw)
                {
                    AddRaw(ref buffer, ref entries, pair);
                }
            }
        }

        if (input.Mode != SigV4Mode.Query)
        {
            return;
        }

        AddConstant(ref buffer, ref entries, "X-Amz-Algorithm"u8, AlgorithmUtf8);

        var start = buffer.Length;
        buffer.Append("X-Amz-Credential"u8);
        var valueAt = buffer.Length;
        SigV4Encoding.AppendEncoded(ref buffer, input.Credentials.AccessKeyId);
        buffer.Append("%2F"u8);
        SigV4Encoding.AppendEncodedCopy(ref buffer, layout.ScopeStart, layout.ScopeLength);
        entries.Add(new QueryEntry(start, valueAt - start, valueAt, buffer.Length - valueAt, buffer.RawArray));

        start = buffer.Length;
        buffer.Append("X-Amz-Date"u8);
        entries.Add(new QueryEntry(start, buffer.Length - start, layout.AmzDateStart, SigV4Layout.AmzDateLength, buffer.RawArray));

        start = buffer.Length;
        buffer.Append("X-Amz-Expires"u8);
        valueAt = buffer.Length;
        var digits = buffer.GetFreeSpan(20);
        _ = input.ExpiresSeconds.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
        buffer.Advance(written);
        entries.Add(new QueryEntry(start, valueAt - start, valueAt, written, buffer.RawArray));

        if (input.SignSessionToken && input.Credentials.SessionToken is { } token)
        {
            start = buffer.Length;
            buffer.Append("X-Amz-Security-Token"u8);
            valueAt = buffer.Length;
            SigV4Encoding.AppendEncoded(ref buffer, token);
            entries.Add(new QueryEntry(start, valueAt - start, valueAt, buffer.Length - valueAt, buffer.RawArray));
        }

        start = buffer.Length;
        buffer.Append("X-Amz-SignedHeaders"u8);
        valueAt = buffer.Length;
        SigV4Encoding.AppendEncodedCopy(ref buffer, layout.SignedHeadersStart, layout.SignedHeadersLength);
        entries.Add(new QueryEntry(start, valueAt - start, valueAt, buffer.Length - valueAt, buffer.RawArray));
    }

    private static void AddRaw(ref PooledByteBuffer buffer, ref QueryEntryList entries, KeyValuePair<string, string> pair)
    {
        var nameStart = buffer.Length;
        SigV4Encoding.AppendEncoded(ref buffer, pair.Key);
        var valueStart = buffer.Length;
        SigV4Encoding.AppendEncoded(ref buffer, pair.Value);
        entries.Add(new QueryEntry(nameStart, valueStart - nameStart, valueStart, buffer.Length - valueStart, buffer.RawArray));
    }

    private static void AddConstant(ref PooledByteBuffer buffer, ref QueryEntryList entries, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        var start = buffer.Length;
        buffer.Append(name);
        buffer.Append(value);
        entries.Add(new QueryEntry(start, name.Length, start + name.Length, value.Length, buffer.RawArray));
    }

    private static bool IsSignatureName(ReadOnlySpan<char> wireName) =>
        wireName.Equals("X-Amz-Signature", StringComparison.Ordinal);

    private static void AppendCanonicalUri(ref PooledByteBuffer buffer, ReadOnlySpan<char> path, bool normalize)
    {
        if (path.IsEmpty)
        {
            buffer.Append((byte)'/');
            return;
        }

        if (normalize && NeedsNormalization(path))
        {
            var normalized = NormalizePath(path);
            SigV4Encoding.AppendEncoded(ref buffer, normalized, keepSlash: true);
            return;
        }

        SigV4Encoding.AppendEncoded(ref buffer, path, keepSlash: true);
    }

    private static bool NeedsNormalization(ReadOnlySpan<char> path) =>
        path[0] != '/' || path.Contains("//", StringComparison.Ordinal) || path.Contains("/.", StringComparison.Ordinal);

    /// <summary>Removes empty, "." and ".." segments (RFC 3986 5.2.4 plus empty-segment removal); keeps a trailing slash.</summary>
    internal static string NormalizePath(ReadOnlySpan<char> path)
    {
        var segments = new List<string>();
        foreach (var segment in path.ToString().Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }

                continue;
            }

            segments.Add(segment);
        }

        var builder = new StringBuilder(path.Length + 1);
        foreach (var segment in segments)
        {
            builder.Append('/').Append(segment);
        }

        if (segments.Count == 0 || path[^1] == '/')
        {
            builder.Append('/');
        }

        return builder.ToString();
    }

    private static void SortHeaders(ReadOnlySpan<SigV4Header> headers, Span<int> order)
    {
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        // Insertion sort: stable, and header lists are short.
        for (var i = 1; i < order.Length; i++)
        {
            var current = order[i];
            var j = i - 1;
            while (j >= 0 && CompareLower(headers[order[j]].Name, headers[current].Name) > 0)
            {
                order[j + 1] = order[j];
                j--;
            }

            order[j + 1] = current;
        }
    }

    private static void SortEntries(Span<QueryEntry> entries, byte[] data)
    {
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

        static int Compare(in QueryEntry a, in QueryEntry b, byte[] data)
        {
            // The first 8 name bytes (big-endian, zero-padded) decide almost every comparison without a span compare.
            if (a.NamePrefix != b.NamePrefix)
            {
                return a.NamePrefix < b.NamePrefix ? -1 : 1;
            }

            var byName = data.AsSpan(a.NameStart, a.NameLength).SequenceCompareTo(data.AsSpan(b.NameStart, b.NameLength));
            return byName != 0
                ? byName
                : data.AsSpan(a.ValueStart, a.ValueLength).SequenceCompareTo(data.AsSpan(b.ValueStart, b.ValueLength));
        }
    }

    private static char ToLowerAscii(char c) => c is >= 'A' and <= 'Z' ? (char)(c + 32) : c;

    private static int CompareLower(string a, string b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            var d = ToLowerAscii(a[i]) - ToLowerAscii(b[i]);
            if (d != 0)
            {
                return d;
            }
        }

        return a.Length - b.Length;
    }

    private static bool EqualsLower(string a, string b) => a.Length == b.Length && CompareLower(a, b) == 0;

    private static void AppendLower(ref PooledByteBuffer buffer, string name)
    {
        var dest = buffer.GetFreeSpan(Encoding.UTF8.GetMaxByteCount(name.Length));
        var allAscii = true;
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] >= 0x80)
            {
                allAscii = false;
                break;
            }

            dest[i] = (byte)ToLowerAscii(name[i]);
        }

        if (allAscii)
        {
            buffer.Advance(name.Length);
        }
        else
        {
            SigV4Encoding.AppendUtf8(ref buffer, name.ToLowerInvariant());
        }
    }

    /// <summary>Appends a header value trimmed, with each run of spaces/tabs/line breaks collapsed to one space.</summary>
    private static void AppendTrimmedValue(ref PooledByteBuffer buffer, ReadOnlySpan<char> value)
    {
        // Common case (host, dates, tokens): nothing to trim or collapse.
        if (value.IndexOfAny(" \t\r\n") < 0)
        {
            SigV4Encoding.AppendUtf8(ref buffer, value);
            return;
        }

        value = value.Trim(" \t\r\n");
        var pendingSpace = false;
        var runStart = 0;
        for (var i = 0; i <= value.Length; i++)
        {
            var isSpace = i < value.Length && value[i] is ' ' or '\t' or '\r' or '\n';
            if (i == value.Length || isSpace)
            {
                if (i > runStart)
                {
                    if (pendingSpace)
                    {
                        buffer.Append((byte)' ');
                    }

                    SigV4Encoding.AppendUtf8(ref buffer, value[runStart..i]);
                    pendingSpace = false;
                }

                if (isSpace)
                {
                    pendingSpace = true;
                }

                runStart = i + 1;
            }
        }
    }

    private readonly struct QueryEntry
    {
        public QueryEntry(int nameStart, int nameLength, int valueStart, int valueLength, ReadOnlySpan<byte> data)
        {
            NameStart = nameStart;
            NameLength = nameLength;
            ValueStart = valueStart;
            ValueLength = valueLength;
            var name = data.Slice(nameStart, nameLength);
            if (name.Length >= 8)
            {
                NamePrefix = BinaryPrimitives.ReadUInt64BigEndian(name);
            }
            else
            {
                // Shorter names: left-aligned, zero-padded (no stackalloc, so the constructor stays inlinable).
                ulong prefix = 0;
                for (var i = 0; i < 8; i++)
                {
                    prefix = (prefix << 8) | (i < name.Length ? name[i] : 0u);
                }

                NamePrefix = prefix;
            }
        }

        public int NameStart { get; }

        public int NameLength { get; }

        public int ValueStart { get; }

        public int ValueLength { get; }

        /// <summary>The first 8 name bytes as a big-endian number (zero-padded): orders like the bytes themselves.</summary>
        public ulong NamePrefix { get; }
    }

    /// <summary>Query entries in a per-thread cached array (taken while in use), spilling to a pooled array past it.</summary>
    private struct QueryEntryList
    {
        [ThreadStatic]
        private static QueryEntry[]? s_entryCache;

        private QueryEntry[] _items;
        private bool _fromPool;
        private int _count;

        public QueryEntryList()
        {
            _items = s_entryCache ?? new QueryEntry[16];
            s_entryCache = null;
        }

        public readonly Span<QueryEntry> AsSpan() => _items.AsSpan(0, _count);

        public void Add(QueryEntry entry)
        {
            if (_count == _items.Length)
            {
                Grow();
            }

            _items[_count++] = entry;
        }

        public void Dispose()
        {
            if (_fromPool)
            {
                ArrayPool<QueryEntry>.Shared.Return(_items);
            }
            else if (_items is not null)
            {
                s_entryCache = _items;
            }

            _items = null!;
        }

        private void Grow()
        {
            var bigger = ArrayPool<QueryEntry>.Shared.Rent(_count * 2);
            _items.AsSpan(0, _count).CopyTo(bigger);
            if (_fromPool)
            {
                ArrayPool<QueryEntry>.Shared.Return(_items);
            }
            else
            {
                s_entryCache = _items;
            }

            _items = bigger;
            _fromPool = true;
        }
    }
}
