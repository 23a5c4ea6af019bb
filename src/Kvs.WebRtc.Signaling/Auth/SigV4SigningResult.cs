namespace Kvs.WebRtc.Signaling.Auth;

/// <summary>The output of <see cref="SigV4RequestSigner"/>. Holds a signature and possibly a session token: never log it.</summary>
internal sealed class SigV4SigningResult
{
    /// <summary>Lower-case hex signature.</summary>
    public required string Signature { get; init; }

    /// <summary>The X-Amz-Date value.</summary>
    public required string AmzDate { get; init; }

    /// <summary>The credential scope <c>date/region/service/aws4_request</c>.</summary>
    public required string CredentialScope { get; init; }

    /// <summary>The signed header names joined with ';'.</summary>
    public required string SignedHeaders { get; init; }

    /// <summary>Header mode: the Authorization header value.</summary>
    public string? Authorization { get; init; }

    /// <summary>Header mode: headers to add to the request (X-Amz-Date, X-Amz-Security-Token, x-amz-content-sha256, Authorization).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> HeadersToAdd { get; init; } = [];

    /// <summary>Query mode: the full signed query string (canonical query, X-Amz-Signature, and an unsigned token if any).</summary>
    public string? SignedQuery { get; init; }

    /// <summary>The canonical request, when diagnostics were requested.</summary>
    public string? CanonicalRequest { get; init; }

    /// <summary>The string to sign, when diagnostics were requested.</summary>
    public string? StringToSign { get; init; }
}
