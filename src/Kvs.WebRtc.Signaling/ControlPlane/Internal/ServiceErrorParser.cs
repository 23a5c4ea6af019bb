using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Kvs.WebRtc.Signaling.ControlPlane.Internal;

/// <summary>
/// Turns an AWS rest-json error response into a <see cref="SignalingException"/>: the code from
/// <c>x-amzn-ErrorType</c> (else body <c>__type</c>/<c>code</c>/<c>Code</c>), the message from body
/// <c>Message</c>/<c>message</c>, the request id from <c>x-amzn-RequestId</c>.
/// </summary>
internal static partial class ServiceErrorParser
{
    internal const int MaxMessageLength = 512;
    internal const int MaxNonJsonPrefixLength = 100;

    // One member per AWS error code KVS models (the code without its "Exception" suffix).
    private static readonly Dictionary<string, SignalingError> s_errors = new(StringComparer.Ordinal)
    {
        ["ResourceNotFoundException"] = SignalingError.ResourceNotFound,
        ["ResourceInUseException"] = SignalingError.ResourceInUse,
        ["AccessDeniedException"] = SignalingError.AccessDenied,
        ["ClientLimitExceededException"] = SignalingError.ClientLimitExceeded,
        ["InvalidArgumentException"] = SignalingError.InvalidArgument,
        ["VersionMismatchException"] = SignalingError.VersionMismatch,
        ["AccountChannelLimitExceededException"] = SignalingError.AccountChannelLimitExceeded,
        ["TagsPerResourceExceededLimitException"] = SignalingError.TagsPerResourceExceededLimit,
        ["NotAuthorizedException"] = SignalingError.NotAuthorized,
        ["InvalidClientException"] = SignalingError.InvalidClient,
        ["SessionExpiredException"] = SignalingError.SessionExpired,
        ["NoDataRetentionException"] = SignalingError.NoDataRetention,
    };

    // Generic AWS throttling codes (not modelled by KVS, but any AWS front end may send them).
    private static readonly HashSet<string> s_throttlingCodes = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    };

    // Generic AWS transient codes.
    private static readonly HashSet<string> s_transientCodes = new(StringComparer.Ordinal)
    {
        "RequestTimeout", "RequestTimeoutException", "InternalFailure", "InternalError", "ServiceUnavailable",
    };

    private static readonly HashSet<string> s_clockSkewCodes = new(StringComparer.Ordinal)
    {
        "RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture",
    };

    /// <summary>The parts of an error response.</summary>
    internal readonly record struct ParsedError(string? Code, string? Message, bool BodyIsJson, string? RawText);

    /// <summary>Extracts code and message from the header value and body.</summary>
    public static ParsedError Parse(string? errorTypeHeader, ReadOnlySpan<byte> body)
    {
        var code = NormaliseCode(errorTypeHeader);
        string? message = null;
        var isJson = false;
        string? text = null;
        if (!body.IsEmpty)
        {
            try
            {
                using var document = JsonDocument.Parse(body.ToArray());
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    isJson = true;
                    var root = document.RootElement;
                    code ??= NormaliseCode(GetString(root, "__type") ?? GetString(root, "code") ?? GetString(root, "Code"));
                    message = GetString(root, "Message") ?? GetString(root, "message");
                }
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                // Not JSON, or a JSON string member that is not valid UTF-8 (GetString refuses it, docs/fuzzing.md):
                // either way the body is reported below as text with a short, sanitised prefix.
                isJson = false;
                code = NormaliseCode(errorTypeHeader);
                message = null;
            }

            if (!isJson)
            {
                text = Encoding.UTF8.GetString(body[..Math.Min(body.Length, 4096)]);
            }
        }
        else
        {
            isJson = true; // an empty body is "no details", not "garbage"
        }

        return new ParsedError(code, message, isJson, text);
    }

    /// <summary>Builds the exception of an error response.</summary>
    public static SignalingException CreateException(
        string operation, HttpStatusCode status, string? requestId, ParsedError error, string? contentType)
    {
        string message;
        if (error.BodyIsJson)
        {
            var serviceMessage = error.Message is null ? "(no message)" : Sanitise(error.Message, MaxMessageLength);
            message = $"{operation} failed: {error.Code ?? "unknown error"}: {serviceMessage} (HTTP {(int)status}{FormatRequestId(requestId)}).";
        }
        else
        {
            var prefix = Sanitise(StripMarkup(error.RawText ?? string.Empty), MaxNonJsonPrefixLength);
            message = $"{operation} failed: HTTP {(int)status} ({status}) with a non-JSON body" +
                      $"{(contentType is null ? string.Empty : $" ({Sanitise(contentType, 64)})")}, probably from a proxy or load balancer" +
                      $"{FormatRequestId(requestId)}: \"{prefix}\".";
        }

        var kind = ErrorOf(status, error.Code);
        return new SignalingException(kind, message, innerException: null, status, error.Code, requestId, IsRetryable(status, error.Code));
    }

    /// <summary>
    /// The <see cref="SignalingError"/> of a service error: by its AWS code when KVS models it, else throttling (code or
    /// 429), transient (code or 5xx), access (401/403), and <see cref="SignalingError.ServiceError"/> for the rest.
    /// </summary>
    public static SignalingError ErrorOf(HttpStatusCode status, string? code)
    {
        if (code is not null && s_errors.TryGetValue(code, out var known))
        {
            return known;
        }

        if (status == HttpStatusCode.TooManyRequests || (code is not null && s_throttlingCodes.Contains(code)))
        {
            return SignalingError.Throttled;
        }

        if ((int)status >= 500 || (code is not null && s_transientCodes.Contains(code)))
        {
            return SignalingError.ServiceUnavailable;
        }

        return status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ? SignalingError.AccessDenied : SignalingError.ServiceError;
    }

    /// <summary>Whether an error response (by status or code) is worth retrying.</summary>
    public static bool IsRetryable(HttpStatusCode status, string? code) =>
        (int)status >= 500 || status == HttpStatusCode.TooManyRequests ||
        (code is not null && (s_throttlingCodes.Contains(code) || s_transientCodes.Contains(code) || code == "ClientLimitExceededException"));

    /// <summary>
    /// Whether the error says the request's signing time is off: the texts the service (and the C SDK) use, or a
    /// generic AWS clock-skew code.
    /// </summary>
    public static bool IsClockSkew(HttpStatusCode status, ParsedError error)
    {
        if (status is not (HttpStatusCode.Forbidden or HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized))
        {
            return false;
        }

        var text = error.Message ?? error.RawText ?? string.Empty;
        if (text.Contains("Signature expired", StringComparison.Ordinal) ||
            text.Contains("Signature not yet current", StringComparison.Ordinal))
        {
            return true;
        }

        return error.Code is not null && s_clockSkewCodes.Contains(error.Code);
    }

    /// <summary>
    /// Reads the server's "now" from a skew message such as
    /// <c>Signature expired: 20231107T044734Z is now earlier than 20231107T045305Z (20231107T045805Z - 5 min.)</c>.
    /// </summary>
    public static DateTimeOffset? TryReadServerTime(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var match = ServerTimePattern().Match(text);
        return match.Success &&
               DateTimeOffset.TryParseExact(match.Groups[1].Value, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
                   DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;
    }

    /// <summary>Takes the code out of <c>x-amzn-ErrorType</c>/<c>__type</c> forms: <c>Code:uri</c>, <c>namespace#Code</c>.</summary>
    public static string? NormaliseCode(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        var value = raw.Trim();
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            value = value[..colon];
        }

        var hash = value.LastIndexOf('#');
        if (hash >= 0)
        {
            value = value[(hash + 1)..];
        }

        value = value.Trim();
        return value.Length == 0 ? null : value;
    }

    /// <summary>
    /// Makes text safe to put in an exception message: no control characters, no credential-like values, bounded
    /// length.
    /// </summary>
    public static string Sanitise(string text, int maxLength)
    {
        var redacted = SecretPattern().Replace(text, "$1=<redacted>");
        var builder = new StringBuilder(Math.Min(redacted.Length, maxLength + 1));
        var lastWasSpace = false;
        foreach (var c in redacted)
        {
            var isSpace = char.IsWhiteSpace(c) || char.IsControl(c);
            if (isSpace)
            {
                if (!lastWasSpace && builder.Length > 0)
                {
                    builder.Append(' ');
                }
            }
            else
            {
                builder.Append(c);
            }

            lastWasSpace = isSpace;
            if (builder.Length >= maxLength)
            {
                return builder.ToString().TrimEnd() + "…";
            }
        }

        return builder.ToString().TrimEnd();
    }

    private static string StripMarkup(string text) => MarkupPattern().Replace(text, " ");

    private static string FormatRequestId(string? requestId) =>
        requestId is null ? string.Empty : $", request id {Sanitise(requestId, 128)}";

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [GeneratedRegex(@"\((\d{8}T\d{6}Z) [-+] \d+ min\.\)", RegexOptions.CultureInvariant)]
    private static partial Regex ServerTimePattern();

    [GeneratedRegex(@"<[^>]*>|<!--.*?-->", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex MarkupPattern();

    // Values that must never be echoed: signatures, tokens, secret keys, passwords.
    [GeneratedRegex(@"(Signature|X-Amz-Signature|X-Amz-Security-Token|SecurityToken|SessionToken|SecretAccessKey|Secret|Password|Credential)\s*[=:]\s*[^\s,;&""']+", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex SecretPattern();
}
