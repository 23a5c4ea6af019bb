namespace Kvs.WebRtc.Signaling;

/// <summary>
/// The <c>statusResponse</c> member of a <c>STATUS_RESPONSE</c> frame: the service's report that it could not
/// process a message the client sent with a correlation id. Successful sends produce no status response.
/// </summary>
/// <remarks>Immutable and thread-safe. Every member is optional on the wire and null when absent.</remarks>
public sealed record StatusResponse
{
    /// <summary>The correlation id of the message this status refers to (1–256 of <c>[a-zA-Z0-9_.-]</c>).</summary>
    public string? CorrelationId { get; init; }

    /// <summary>The AWS error name, e.g. <c>InvalidArgumentException</c>.</summary>
    public string? ErrorType { get; init; }

    /// <summary>The HTTP-like status code as sent (a string on the wire), e.g. <c>"400"</c>.</summary>
    public string? StatusCode { get; init; }

    /// <summary>A human-readable description (up to 1K characters).</summary>
    public string? Description { get; init; }

    /// <summary>
    /// The <c>success</c> flag when the frame carries one (seen in the KVS JS SDK typings, not in the AWS docs);
    /// null when absent. Use <see cref="IsSuccess"/> for a decision.
    /// </summary>
    public bool? Success { get; init; }

    /// <summary>
    /// True when <see cref="Success"/> is true, or when it is absent and <see cref="StatusCode"/> is a 2xx code.
    /// The service sends status responses only for failures, so this is normally false.
    /// </summary>
    public bool IsSuccess =>
        Success ?? (int.TryParse(StatusCode, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code)
                    && code is >= 200 and < 300);
}
