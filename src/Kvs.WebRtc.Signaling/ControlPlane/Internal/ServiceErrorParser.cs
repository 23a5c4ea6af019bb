using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Kvs.WebRtc.Signaling.ControlPlane.Internal;

/// <summary>
/// Turns an AWS rest-json error response into a typed <see cref="KinesisVideoException"/>: the code from
/// <c>x-amzn-ErrorType</c> (else body <c>__type</c>/<c>code</c>/<c>Code</c>), the message from body
/// <c>Message</c>/<c>message</c>, the request id from <c>x-amzn-RequestId</c>.
/// </summary>
internal static partial class ServiceErrorParser
{
    internal const int MaxMessageLength = 512;
    internal const int MaxNonJsonPrefixLength = 100;

    private static readonly Dictionary<string, Func<string, HttpStatusCode, string?, KinesisVideoException>> s_factories =
        new(StringComparer.Ordinal)
        {
            [ResourceNotFoundException.Code] = (m, s, r) => new ResourceNotFoundException(m, s, r),
            [ResourceInUseException.Code] = (m, s, r) => new ResourceInUseException(m, s, r),
            [AccessDeniedException.Code] = (m, s, r) => new AccessDeniedException(m, s, r),
            [ClientLimitExceededException.Code] = (m, s, r) => new ClientLimitExceededException(m, s, r),
            [InvalidArgumentException.Code] = (m, s, r) => new InvalidArgumentException(m, s, r),
            [VersionMismatchException.Code] = (m, s, r) => new VersionMismatchException(m, s, r),
            [AccountChannelLimitExceededException.Code] = (m, s, r) => new AccountChannelLimitExceededException(m, s, r),
            [TagsPerResourceExceededLimitException.Code] = (m, s, r) => new TagsPerResourceExceededLimitException(m, s, r),
            [NotAuthorizedException.Code] = (m, s, r) => new NotAuthorizedException(m, s, r),
            [InvalidClientException.Code] = (m, s, r) => new InvalidClientException(m, s, r),
            [SessionExpiredException.Code] = (m, s, r) => new SessionExpiredException(m, s, r),
            [NoDataRetentionException.Code] = (m, s, r) => new NoDataRetentionException(m, s, r),
        };

    // Generic AWS throttling and transient codes (not modelled by KVS, but any AWS front end may send them).
    private static readonly HashSet<string> s_retryableCodes = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
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

    /// <summary>Builds the typed exception of an error response.</summary>
    public static KinesisVideoException CreateException(
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

        if (error.Code is not null && s_factories.TryGetValue(error.Code, out var factory))
        {
            return factory(message, status, requestId);
        }

        return new KinesisVideoException(message, error.Code, status, requestId, IsRetryable(status, error.Code));
    }

    /// <summary>Whether an error response (by status or code) is worth retrying.</summary>
    public static bool IsRetryable(HttpStatusCode status, string? code) =>
        (int)status >= 500 || status == HttpStatusCode.TooManyRequests ||
        (code is not null && (s_retryableCodes.Contains(code) || code == ClientLimitExceededException.Code));

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
