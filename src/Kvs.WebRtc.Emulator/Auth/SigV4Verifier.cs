using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Kvs.WebRtc.Signaling.Auth;

namespace Kvs.WebRtc.Emulator.Auth;

/// <summary>
/// Verifies SigV4-signed requests (presigned URLs and <c>Authorization</c> headers) the way the service does
/// (spec 7.4); used by the emulator. Thread-safe. Failure messages never contain secrets, tokens or signatures.
/// </summary>
internal static class SigV4Verifier
{
    /// <summary>The default allowed clock skew (5 minutes).</summary>
    internal static readonly TimeSpan DefaultAllowedSkew = TimeSpan.FromMinutes(5);

    /// <summary>Verifies a presigned request (query authentication).</summary>
    /// <param name="method">The HTTP method, e.g. <c>GET</c>.</param>
    /// <param name="host">The <c>Host</c> header exactly as received.</param>
    /// <param name="rawPathAndQuery">The request target as received: path, <c>?</c>, raw query.</param>
    /// <param name="lookupByAccessKeyId">Returns the credentials of an access key id, or null when unknown.</param>
    /// <param name="now">The verifier's current time.</param>
    /// <param name="allowedSkew">The tolerated clock skew.</param>
    /// <returns>The verification result.</returns>
    internal static SigV4VerificationResult VerifyPresigned(string method, string host, string rawPathAndQuery,
        Func<string, AwsCredentialsSnapshot?> lookupByAccessKeyId, DateTimeOffset now, TimeSpan allowedSkew)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(rawPathAndQuery);
        ArgumentNullException.ThrowIfNull(lookupByAccessKeyId);

        var q = rawPathAndQuery.IndexOf('?', StringComparison.Ordinal);
        var path = q < 0 ? rawPathAndQuery : rawPathAndQuery[..q];
        var query = q < 0 ? string.Empty : rawPathAndQuery[(q + 1)..];

        string? algorithm = null, credential = null, amzDate = null, expires = null, signedHeaders = null, signature = null, token = null;
        foreach (var item in query.Split('&'))
        {
            var part = item.AsSpan();
            var eq = part.IndexOf('=');
            var name = SigV4Encoding.PercentDecode(eq < 0 ? part : part[..eq]);
            var value = eq < 0 ? ReadOnlySpan<char>.Empty : part[(eq + 1)..];
            switch (name)
            {
                case "X-Amz-Algorithm": algorithm = SigV4Encoding.PercentDecode(value); break;
                case "X-Amz-Credential": credential = SigV4Encoding.PercentDecode(value); break;
                case "X-Amz-Date": amzDate = SigV4Encoding.PercentDecode(value); break;
                case "X-Amz-Expires": expires = SigV4Encoding.PercentDecode(value); break;
                case "X-Amz-SignedHeaders": signedHeaders = SigV4Encoding.PercentDecode(value); break;
                case "X-Amz-Signature": signature = SigV4Encoding.PercentDecode(value); break;
                case "X-Amz-Security-Token": token = SigV4Encoding.PercentDecode(value); break;
                default: break;
            }
        }

        if (algorithm is null || credential is null || amzDate is null || expires is null || signedHeaders is null || signature is null)
        {
            return SigV4VerificationResult.Fail(SigV4Failure.Missing,
                "Missing Authentication Token: the query must contain X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature.");
        }

        if (!long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var expiresSeconds) || expiresSeconds > SigV4Signer.MaxExpiresSeconds)
        {
            return SigV4VerificationResult.Fail(SigV4Failure.Malformed, "X-Amz-Expires must be a whole number of seconds not greater than 604800.");
        }

        var check = CheckCommon(algorithm, credential, amzDate, signedHeaders, signature, lookupByAccessKeyId, out var scope, out var signingTime, out var credentials);
        if (check is { } failed)
        {
            return failed;
        }

        if (now - allowedSkew > signingTime + TimeSpan.FromSeconds(expiresSeconds))
        {
            var threshold = SigV4Encoding.FormatAmzDate(now - allowedSkew - TimeSpan.FromSeconds(expiresSeconds));
            return SigV4VerificationResult.Fail(SigV4Failure.Expired,
                $"Signature expired: {amzDate} is now earlier than {threshold} ({SigV4Encoding.FormatAmzDate(now)} - {FormatMinutes(allowedSkew)} min. - {expiresSeconds} s)",
                scope.AccessKeyId, scope.Region);
        }

        if (CheckNotYetCurrent(amzDate, signingTime, now, allowedSkew, scope) is { } early)
        {
            return early;
        }

        if (CheckToken(credentials!, token, scope) is { } badToken)
        {
            return badToken;
        }

        var names = signedHeaders.Split(';');
        var headers = new SigV4Header[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            if (!names[i].Equals("host", StringComparison.Ordinal))
            {
                return SigV4VerificationResult.Fail(SigV4Failure.Malformed,
                    $"A presigned request can only sign the host header; X-Amz-SignedHeaders names '{names[i]}'.", scope.AccessKeyId, scope.Region);
            }

            headers[i] = new SigV4Header("host", host);
        }

        var input = new SigV4Input
        {
            Mode = SigV4Mode.Headers,
            Method = method,
            Path = path,
            WireQuery = query,
            SkipSignatureParameter = true,
            Headers = headers,
            PayloadHashHex = SigV4Core.EmptyPayloadHashHex,
            Credentials = credentials!,
            Region = scope.Region,
            Service = scope.Service,
            SigningTime = signingTime,
        };
        return CompareSignature(ref input, signature, scope);
    }

    /// <summary>Verifies a request signed with the <c>Authorization</c> header.</summary>
    /// <param name="method">The HTTP method.</param>
    /// <param name="rawPath">The request path as received.</param>
    /// <param name="rawQuery">The raw query as received, with or without the leading <c>?</c>; empty when none.</param>
    /// <param name="headers">All request headers (case-insensitive names; repeated headers joined with <c>,</c>).</param>
    /// <param name="body">The exact body bytes.</param>
    /// <param name="lookupByAccessKeyId">Returns the credentials of an access key id, or null when unknown.</param>
    /// <param name="now">The verifier's current time.</param>
    /// <param name="allowedSkew">The tolerated clock skew.</param>
    /// <returns>The verification result.</returns>
    internal static SigV4VerificationResult VerifyHeaderSigned(string method, string rawPath, string rawQuery,
        IReadOnlyDictionary<string, string> headers, ReadOnlySpan<byte> body,
        Func<string, AwsCredentialsSnapshot?> lookupByAccessKeyId, DateTimeOffset now, TimeSpan allowedSkew)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(rawPath);
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(lookupByAccessKeyId);
        rawQuery ??= string.Empty;
        if (rawQuery.StartsWith('?'))
        {
            rawQuery = rawQuery[1..];
        }

        if (!TryGetHeader(headers, "Authorization", out var authorization))
        {
            return SigV4VerificationResult.Fail(SigV4Failure.Missing, "Missing Authentication Token: the Authorization header is absent.");
        }

        if (!TryGetHeader(headers, "X-Amz-Date", out var amzDate))
        {
            return SigV4VerificationResult.Fail(SigV4Failure.Missing, "The X-Amz-Date header is absent.");
        }

        if (!TryParseAuthorization(authorization, out var algorithm, out var credential, out var signedHeaders, out var signature))
        {
            return SigV4VerificationResult.Fail(SigV4Failure.Malformed,
                "The Authorization header must be 'AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...'.");
        }

        var check = CheckCommon(algorithm, credential, amzDate, signedHeaders, signature, lookupByAccessKeyId, out var scope, out var signingTime, out var credentials);
        if (check is { } failed)
        {
            return failed;
        }

        if (signingTime < now - allowedSkew)
        {
            return SigV4VerificationResult.Fail(SigV4Failure.Expired,
                $"Signature expired: {amzDate} is now earlier than {SigV4Encoding.FormatAmzDate(now - allowedSkew)} ({SigV4Encoding.FormatAmzDate(now)} - {FormatMinutes(allowedSkew)} min.)",
                scope.AccessKeyId, scope.Region);
        }

        if (CheckNotYetCurrent(amzDate, signingTime, now, allowedSkew, scope) is { } early)
        {
            return early;
        }

        _ = TryGetHeader(headers, "X-Amz-Security-Token", out var token);
        if (CheckToken(credentials!, token, scope) is { } badToken)
        {
            return badToken;
        }

        var names = signedHeaders.Split(';');
        var signed = new SigV4Header[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            if (!TryGetHeader(headers, names[i], out var value))
            {
                return SigV4VerificationResult.Fail(SigV4Failure.Malformed,
                    $"The signed header '{names[i]}' is not present in the request.", scope.AccessKeyId, scope.Region);
            }

            signed[i] = new SigV4Header(names[i], value);
        }

        Span<byte> bodyHash = stackalloc byte[64];
        SigV4Core.HashPayload(body, bodyHash);
        ReadOnlySpan<byte> payloadHash = bodyHash;
        var hasDeclared = TryGetHeader(headers, "X-Amz-Content-Sha256", out var declared);
        if (hasDeclared && declared.Equals("UNSIGNED-PAYLOAD", StringComparison.Ordinal))
        {
            // The client chose not to sign the body (allowed over TLS); the canonical request carries the literal.
            payloadHash = "UNSIGNED-PAYLOAD"u8;
        }
        else if (hasDeclared && !Encoding.ASCII.GetBytes(declared).AsSpan().SequenceEqual(bodyHash))
        {
            return SigV4VerificationResult.Fail(SigV4Failure.SignatureMismatch,
                "The provided x-amz-content-sha256 header does not match what was computed.", scope.AccessKeyId, scope.Region);
        }

        var input = new SigV4Input
        {
            Mode = SigV4Mode.Headers,
            Method = method,
            Path = rawPath,
            WireQuery = rawQuery,
            Headers = signed,
            PayloadHashHex = payloadHash,
            Credentials = credentials!,
            Region = scope.Region,
            Service = scope.Service,
            SigningTime = signingTime,
        };
        return CompareSignature(ref input, signature, scope);
    }

    private static SigV4VerificationResult? CheckCommon(string algorithm, string credential, string amzDate, string signedHeaders, string signature,
        Func<string, AwsCredentialsSnapshot?> lookup, out Scope scope, out DateTimeOffset signingTime, out AwsCredentialsSnapshot? credentials)
    {
        scope = default;
        signingTime = default;
        credentials = null;
        if (!algorithm.Equals(SigV4Core.Algorithm, StringComparison.Ordinal))
        {
            return SigV4VerificationResult.Fail(SigV4Failure.Malformed, "The signing algorithm must be AWS4-HMAC-SHA256.");
        }

        var parts = credential.Split('/');
        if (parts.Length != 5 || parts[0].Length == 0 || parts[2].Length == 0 || parts[4] != "aws4_request")
        {
            return SigV4VerificationResult.Fail(SigV4Failure.Malformed,
                "The credential must have the form '<access key id>/<yyyyMMdd>/<region>/<service>/aws4_request'.");
        }

        scope = new Scope(parts[0], parts[1], parts[2], parts[3]);
        if (!SigV4Encoding.TryParseAmzDate(amzDate, out signingTime))
        {
            return SigV4VerificationResult.Fail(SigV4Failure.Malformed, "X-Amz-Date must have the form yyyyMMdd'T'HHmmss'Z'.", scope.AccessKeyId, scope.Region);
        }

        if (!amzDate.AsSpan(0, 8).SequenceEqual(scope.Date))
        {
            return SigV4VerificationResult.Fail(SigV4Failure.Malformed,
                $"The credential date '{scope.Date}' does not match the date of X-Amz-Date '{amzDate}'.", scope.AccessKeyId, scope.Region);
        }

        if (!scope.Service.Equals(SigV4Signer.KinesisVideoServiceName, StringComparison.Ordinal))
        {
            return SigV4VerificationResult.Fail(SigV4Failure.WrongService,
                $"Credential should be scoped to correct service: 'kinesisvideo', not '{scope.Service}'.", scope.AccessKeyId, scope.Region);
        }

        if (signedHeaders.Length == 0 || !ContainsName(signedHeaders, "host"))
        {
            return SigV4VerificationResult.Fail(SigV4Failure.Malformed, "The signed headers must include host.", scope.AccessKeyId, scope.Region);
        }

        if (signature.Length != SigV4Layout.SignatureLength)
        {
            return SigV4VerificationResult.Fail(SigV4Failure.Malformed, "The signature must be 64 hexadecimal characters.", scope.AccessKeyId, scope.Region);
        }

        credentials = lookup(scope.AccessKeyId);
        if (credentials is null)
        {
            return SigV4VerificationResult.Fail(SigV4Failure.UnknownAccessKey,
                "The security token included in the request is invalid (unknown access key id).", scope.AccessKeyId, scope.Region);
        }

        return null;
    }

    private static SigV4VerificationResult? CheckNotYetCurrent(string amzDate, DateTimeOffset signingTime, DateTimeOffset now, TimeSpan allowedSkew, Scope scope)
    {
        if (signingTime <= now + allowedSkew)
        {
            return null;
        }

        return SigV4VerificationResult.Fail(SigV4Failure.NotYetCurrent,
            $"Signature not yet current: {amzDate} is still later than {SigV4Encoding.FormatAmzDate(now + allowedSkew)} ({SigV4Encoding.FormatAmzDate(now)} + {FormatMinutes(allowedSkew)} min.)",
            scope.AccessKeyId, scope.Region);
    }

    private static SigV4VerificationResult? CheckToken(AwsCredentialsSnapshot credentials, string? token, Scope scope)
    {
        if (credentials.SessionToken is not { } expected)
        {
            return null;
        }

        if (token is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(expected)))
        {
            return SigV4VerificationResult.Fail(SigV4Failure.InvalidToken,
                "The security token included in the request is invalid.", scope.AccessKeyId, scope.Region);
        }

        return null;
    }

    private static SigV4VerificationResult CompareSignature(ref SigV4Input input, string presented, Scope scope)
    {
        var buffer = new PooledByteBuffer(1024);
        try
        {
            var layout = SigV4Core.Compute(ref input, ref buffer, SigningKeyCache.Shared);
            Span<byte> presentedBytes = stackalloc byte[SigV4Layout.SignatureLength];
            for (var i = 0; i < presentedBytes.Length; i++)
            {
                var c = presented[i];
                presentedBytes[i] = c < 0x80 ? (byte)c : (byte)0;
            }

            return CryptographicOperations.FixedTimeEquals(buffer.Slice(layout.SignatureStart, SigV4Layout.SignatureLength), presentedBytes)
                ? SigV4VerificationResult.Success(scope.AccessKeyId, scope.Region)
                : SigV4VerificationResult.Fail(SigV4Failure.SignatureMismatch,
                    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
                    scope.AccessKeyId, scope.Region);
        }
        finally
        {
            buffer.Dispose();
        }
    }

    private static bool TryParseAuthorization(string authorization, out string algorithm, out string credential, out string signedHeaders, out string signature)
    {
        algorithm = credential = signedHeaders = signature = string.Empty;
        var space = authorization.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0)
        {
            return false;
        }

        algorithm = authorization[..space];
        string? c = null, h = null, s = null;
        foreach (var raw in authorization[(space + 1)..].Split(','))
        {
            var item = raw.Trim();
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                return false;
            }

            var key = item[..eq].Trim();
            var value = item[(eq + 1)..].Trim();
            switch (key)
            {
                case "Credential": c = value; break;
                case "SignedHeaders": h = value; break;
                case "Signature": s = value; break;
                default: break;
            }
        }

        if (c is null || h is null || s is null)
        {
            return false;
        }

        credential = c;
        signedHeaders = h;
        signature = s;
        return true;
    }

    private static bool TryGetHeader(IReadOnlyDictionary<string, string> headers, string name, out string value)
    {
        if (headers.TryGetValue(name, out var found))
        {
            value = found;
            return true;
        }

        foreach (var pair in headers)
        {
            if (pair.Key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                value = pair.Value;
                return true;
            }
        }

        value = string.Empty;
        return false;
    }

    private static bool ContainsName(string signedHeaders, string name)
    {
        foreach (var item in signedHeaders.Split(';'))
        {
            if (item.Equals(name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static string FormatMinutes(TimeSpan skew) => skew.TotalMinutes.ToString("0.##", CultureInfo.InvariantCulture);

    private readonly record struct Scope(string AccessKeyId, string Date, string Region, string Service);
}
