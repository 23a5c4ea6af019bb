namespace Kvs.WebRtc.Signaling.Auth;

/// <summary>An arbitrary request for <see cref="SigV4RequestSigner"/> (the payload is passed separately).</summary>
internal sealed class SigV4SigningRequest
{
    public required SigV4Mode Mode { get; init; }

    public required string Method { get; init; }

    /// <summary>The path as sent on the wire (escaped); empty means "/".</summary>
    public required string Path { get; init; }

    /// <summary>The query as sent on the wire, without '?'; null or empty when none.</summary>
    public string? Query { get; init; }

    /// <summary>The headers to sign (in header mode the signer adds X-Amz-Date and friends itself).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    public required AwsCredentialsSnapshot Credentials { get; init; }

    public required string Region { get; init; }

    public required string Service { get; init; }

    public required DateTimeOffset SigningTime { get; init; }

    /// <summary>X-Amz-Expires for query signing (whole seconds).</summary>
    public TimeSpan Expires { get; init; } = TimeSpan.FromSeconds(299);

    /// <summary>Resolve dot segments and empty segments in the canonical URI (every service but S3).</summary>
    public bool NormalizePath { get; init; } = true;

    /// <summary>
    /// Include the session token in the signature (header: signed <c>x-amz-security-token</c> header; query:
    /// <c>X-Amz-Security-Token</c> inside the canonical query). When false the token is still added, after signing.
    /// </summary>
    public bool SignSessionToken { get; init; } = true;

    /// <summary>Header mode: add and sign <c>x-amz-content-sha256</c>.</summary>
    public bool AddContentSha256Header { get; init; }

    /// <summary>Also return the canonical request and the string to sign (tests and diagnostics).</summary>
    public bool CaptureDiagnostics { get; init; }
}
