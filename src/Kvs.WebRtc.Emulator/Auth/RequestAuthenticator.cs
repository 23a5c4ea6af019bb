using System.Globalization;
using System.Net;
using Kvs.WebRtc.Emulator.Http;
using Kvs.WebRtc.Signaling.Auth;

namespace Kvs.WebRtc.Emulator.Auth;

/// <summary>
/// Checks SigV4 on REST requests (Authorization header) and WebSocket upgrades (presigned URL) against the configured
/// credentials, with the optional "host without port" retry, refuses credentials past their expiration
/// (ExpiredTokenException, HTTP 403) and rejects replayed presigned URLs.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class RequestAuthenticator
{
    private const string AmzDateFormat = "yyyyMMdd'T'HHmmss'Z'";
    private const string ExpiredTokenMessage = "The security token included in the request is expired";

    private readonly object _gate = new();
    private readonly Dictionary<string, AwsCredentialsSnapshot> _credentials;
    private readonly bool _allowHostWithoutPort;
    private readonly TimeSpan _allowedSkew;
    private readonly ReplayCache _replayCache;

    public RequestAuthenticator(IEnumerable<AwsCredentialsSnapshot> credentials, bool allowHostWithoutPort, TimeSpan allowedSkew, int replayCacheCapacity)
    {
        _credentials = new Dictionary<string, AwsCredentialsSnapshot>(StringComparer.Ordinal);
        foreach (var credential in credentials)
        {
            Add(credential, nameof(credentials));
        }

        _allowHostWithoutPort = allowHostWithoutPort;
        _allowedSkew = allowedSkew;
        _replayCache = new ReplayCache(replayCacheCapacity);
    }

    /// <summary>
    /// Accepts one more key pair from now on. Registering an access key id again with the same secret and token
    /// replaces its expiration (a renewed lease); with another secret or token it is refused.
    /// </summary>
    /// <exception cref="ArgumentException">The access key id is already registered with another secret or token.</exception>
    public void Add(AwsCredentialsSnapshot credential, string parameterName = "credentials")
    {
        ArgumentNullException.ThrowIfNull(credential, parameterName);
        lock (_gate)
        {
            if (_credentials.TryGetValue(credential.AccessKeyId, out var existing)
                && (!string.Equals(existing.SecretAccessKey, credential.SecretAccessKey, StringComparison.Ordinal)
                    || !string.Equals(existing.SessionToken, credential.SessionToken, StringComparison.Ordinal)))
            {
                throw new ArgumentException($"Access key id {credential.AccessKeyId} is configured twice with different secrets or tokens.", parameterName);
            }

            _credentials[credential.AccessKeyId] = credential;
        }
    }

    /// <summary>Stops accepting an access key id; false when it was not registered.</summary>
    public bool Remove(string accessKeyId)
    {
        lock (_gate)
        {
            return _credentials.Remove(accessKeyId);
        }
    }

    /// <summary>Verifies a presigned upgrade URL.</summary>
    public SigV4VerificationResult VerifyPresigned(string host, string rawTarget, DateTimeOffset now)
    {
        var result = SigV4Verifier.VerifyPresigned("GET", host, rawTarget, Lookup, now, _allowedSkew);
        if (!result.Succeeded && result.Failure == SigV4Failure.SignatureMismatch && _allowHostWithoutPort && TryStripPort(host, out var bare))
        {
            var retry = SigV4Verifier.VerifyPresigned("GET", bare, rawTarget, Lookup, now, _allowedSkew);
            if (retry.Succeeded)
            {
                return CheckExpiry(retry, now);
            }
        }

        return CheckExpiry(result, now);
    }

    /// <summary>Verifies a header-signed REST request.</summary>
    public SigV4VerificationResult VerifyHeaderSigned(string method, string rawPath, string rawQuery, Dictionary<string, string> headers, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        var result = SigV4Verifier.VerifyHeaderSigned(method, rawPath, rawQuery, headers, body, Lookup, now, _allowedSkew);
        if (!result.Succeeded && result.Failure == SigV4Failure.SignatureMismatch && _allowHostWithoutPort
            && headers.TryGetValue("host", out var host) && TryStripPort(host, out var bare))
        {
            var copy = new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase) { ["host"] = bare };
            var retry = SigV4Verifier.VerifyHeaderSigned(method, rawPath, rawQuery, copy, body, Lookup, now, _allowedSkew);
            if (retry.Succeeded)
            {
                return CheckExpiry(retry, now);
            }
        }

        return CheckExpiry(result, now);
    }

    /// <summary>
    /// Records the signature of an accepted presigned URL; false when the same signature was already used and the URL
    /// has not expired yet (a replay). URLs whose validity cannot be read are remembered for 15 minutes.
    /// </summary>
    public bool TryRecordPresignedUse(List<KeyValuePair<string, string>> query, DateTimeOffset now)
    {
        var signature = RawQueryString.Get(query, "X-Amz-Signature");
        if (string.IsNullOrEmpty(signature))
        {
            return true;
        }

        var expiresAt = now + TimeSpan.FromMinutes(15);
        var date = RawQueryString.Get(query, "X-Amz-Date");
        var expires = RawQueryString.Get(query, "X-Amz-Expires");
        if (DateTimeOffset.TryParseExact(date, AmzDateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var signedAt)
            && int.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            expiresAt = signedAt + TimeSpan.FromSeconds(seconds) + _allowedSkew;
        }

        return _replayCache.TryAdd(signature.ToLowerInvariant(), expiresAt, now);
    }

    /// <summary>Maps a failed verification to the error name and message sent with HTTP 403.</summary>
    public static AwsServiceError ToError(SigV4VerificationResult result)
    {
        var (type, fallback) = result.Failure switch
        {
            SigV4Failure.Missing => (AwsErrorTypes.MissingAuthenticationToken, "Missing Authentication Token"),
            SigV4Failure.Malformed => (AwsErrorTypes.IncompleteSignature, "The request signature is malformed."),
            SigV4Failure.UnknownAccessKey => (AwsErrorTypes.UnrecognizedClient, "The security token included in the request is invalid."),
            SigV4Failure.InvalidToken => (AwsErrorTypes.UnrecognizedClient, "The security token included in the request is invalid."),
            SigV4Failure.Expired => (AwsErrorTypes.InvalidSignature, "Signature expired."),
            SigV4Failure.NotYetCurrent => (AwsErrorTypes.InvalidSignature, "Signature not yet current."),
            SigV4Failure.ExpiredToken => (AwsErrorTypes.ExpiredToken, ExpiredTokenMessage),
            SigV4Failure.WrongService => (AwsErrorTypes.InvalidSignature, "Credential should be scoped to correct service: 'kinesisvideo'."),
            _ => (AwsErrorTypes.InvalidSignature, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."),
        };
        var message = string.IsNullOrEmpty(result.Message) ? fallback : result.Message;
        return new AwsServiceError(type, HttpStatusCode.Forbidden, message, lowerCaseMessageMember: true);
    }

    private static bool TryStripPort(string host, out string bare)
    {
        bare = host;
        var colon = host.LastIndexOf(':');
        var bracket = host.LastIndexOf(']');
        if (colon < 0 || colon < bracket || (bracket < 0 && host.IndexOf(':', StringComparison.Ordinal) != colon))
        {
            return false;
        }

        bare = host[..colon];
        return true;
    }

    // Temporary credentials are refused once their expiration has passed on the emulator's clock, with no skew allowance
    // (the service checks the token's lifetime itself, not the signing date). Checked after the signature so that
    // an expired key is only reported to a caller who holds its secret. See src/Kvs.WebRtc.Emulator/README.md (credential expiry).
    private SigV4VerificationResult CheckExpiry(SigV4VerificationResult result, DateTimeOffset now)
    {
        if (!result.Succeeded || result.AccessKeyId is not { } accessKeyId
            || Lookup(accessKeyId) is not { Expiration: { } expiration } || now < expiration)
        {
            return result;
        }

        return SigV4VerificationResult.Fail(SigV4Failure.ExpiredToken, ExpiredTokenMessage, accessKeyId, result.Region);
    }

    private AwsCredentialsSnapshot? Lookup(string accessKeyId)
    {
        lock (_gate)
        {
            return _credentials.TryGetValue(accessKeyId, out var credentials) ? credentials : null;
        }
    }
}
