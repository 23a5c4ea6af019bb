namespace Kvs.WebRtc.Signaling.Auth;

/// <summary>Everything <see cref="SigV4Core.Compute"/> needs to sign one request.</summary>
internal ref struct SigV4Input
{
    /// <summary>Header or query signing.</summary>
    public SigV4Mode Mode;

    /// <summary>HTTP method, e.g. <c>GET</c>.</summary>
    public string Method;

    /// <summary>The request path as sent on the wire (already escaped); empty means "/".</summary>
    public ReadOnlySpan<char> Path;

    /// <summary>Remove dot segments and empty segments from the path before encoding (all services but S3).</summary>
    public bool NormalizePath;

    /// <summary>Query as sent on the wire, without '?': each name and value is percent-decoded once, then re-encoded.</summary>
    public ReadOnlySpan<char> WireQuery;

    /// <summary>Leave <c>X-Amz-Signature</c> out of the canonical query (verification).</summary>
    public bool SkipSignatureParameter;

    /// <summary>Unencoded query parameters (encoded exactly once).</summary>
    public IEnumerable<KeyValuePair<string, string>>? RawQuery;

    /// <summary>The headers to sign.</summary>
    public ReadOnlySpan<SigV4Header> Headers;

    /// <summary>Lower-case hex SHA-256 of the payload (64 ASCII bytes).</summary>
    public ReadOnlySpan<byte> PayloadHashHex;

    /// <summary>Access key id, secret and token.</summary>
    public AwsCredentialsSnapshot Credentials;

    /// <summary>Signing region.</summary>
    public string Region;

    /// <summary>Signing service name.</summary>
    public string Service;

    /// <summary>The signing instant (X-Amz-Date).</summary>
    public DateTimeOffset SigningTime;

    /// <summary>X-Amz-Expires in seconds (query mode).</summary>
    public long ExpiresSeconds;

    /// <summary>Query mode: put X-Amz-Security-Token into the canonical query when the credentials carry a token.</summary>
    public bool SignSessionToken;
}
