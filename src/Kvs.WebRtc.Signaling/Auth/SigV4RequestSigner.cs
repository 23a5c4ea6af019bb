using System.Text;

namespace Kvs.WebRtc.Signaling.Auth;

/// <summary>
/// Signs an arbitrary request (header or query signing) and returns the pieces as strings. This is the lower-level
/// entry point behind <see cref="SigV4Signer.SignRequest"/>; it reproduces the generic AWS SigV4 test suite.
/// </summary>
internal static class SigV4RequestSigner
{
    public static SigV4SigningResult Sign(SigV4SigningRequest request, ReadOnlySpan<byte> body) =>
        Sign(request, body, SigningKeyCache.Shared);

    public static SigV4SigningResult Sign(SigV4SigningRequest request, ReadOnlySpan<byte> body, SigningKeyCache keyCache)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(keyCache);
        Span<byte> payloadHash = stackalloc byte[64];
        SigV4Core.HashPayload(body, payloadHash);
        var payloadHashText = Encoding.ASCII.GetString(payloadHash);
        var amzDate = SigV4Encoding.FormatAmzDate(request.SigningTime);
        var token = request.Credentials.SessionToken;

        var headers = new List<SigV4Header>(request.Headers.Count + 3);
        foreach (var pair in request.Headers)
        {
            headers.Add(new SigV4Header(pair.Key, pair.Value));
        }

        var added = new List<KeyValuePair<string, string>>(4);
        if (request.Mode == SigV4Mode.Headers)
        {
            headers.Add(new SigV4Header("X-Amz-Date", amzDate));
            added.Add(new("X-Amz-Date", amzDate));
            if (token is not null)
            {
                if (request.SignSessionToken)
                {
                    headers.Add(new SigV4Header("X-Amz-Security-Token", token));
                }

                added.Add(new("X-Amz-Security-Token", token));
            }

            if (request.AddContentSha256Header)
            {
                headers.Add(new SigV4Header("x-amz-content-sha256", payloadHashText));
                added.Add(new("x-amz-content-sha256", payloadHashText));
            }
        }

        var input = new SigV4Input
        {
            Mode = request.Mode,
            Method = request.Method,
            Path = request.Path,
            NormalizePath = request.NormalizePath,
            WireQuery = request.Query,
            Headers = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(headers),
            PayloadHashHex = payloadHash,
            Credentials = request.Credentials,
            Region = request.Region,
            Service = request.Service,
            SigningTime = request.SigningTime,
            ExpiresSeconds = (long)request.Expires.TotalSeconds,
            SignSessionToken = request.SignSessionToken,
        };

        var buffer = new PooledByteBuffer(2048);
        try
        {
            var layout = SigV4Core.Compute(ref input, ref buffer, keyCache);
            var signature = Ascii(ref buffer, layout.SignatureStart, SigV4Layout.SignatureLength);
            var scope = Utf8(ref buffer, layout.ScopeStart, layout.ScopeLength);
            var signedHeaders = Utf8(ref buffer, layout.SignedHeadersStart, layout.SignedHeadersLength);
            string? authorization = null;
            string? signedQuery = null;
            if (request.Mode == SigV4Mode.Headers)
            {
                authorization = $"{SigV4Core.Algorithm} Credential={request.Credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
                added.Add(new("Authorization", authorization));
            }
            else
            {
                var query = new StringBuilder(layout.CanonicalQueryLength + 100);
                query.Append(Ascii(ref buffer, layout.CanonicalQueryStart, layout.CanonicalQueryLength));
                query.Append(query.Length > 0 ? "&" : string.Empty).Append("X-Amz-Signature=").Append(signature);
                if (token is not null && !request.SignSessionToken)
                {
                    var tokenBuffer = new PooledByteBuffer(token.Length * 3);
                    try
                    {
                        SigV4Encoding.AppendEncoded(ref tokenBuffer, token);
                        query.Append("&X-Amz-Security-Token=").Append(Ascii(ref tokenBuffer, 0, tokenBuffer.Length));
                    }
                    finally
                    {
                        tokenBuffer.Dispose();
                    }
                }

                signedQuery = query.ToString();
            }

            return new SigV4SigningResult
            {
                Signature = signature,
                AmzDate = amzDate,
                CredentialScope = scope,
                SignedHeaders = signedHeaders,
                Authorization = authorization,
                HeadersToAdd = added,
                SignedQuery = signedQuery,
                CanonicalRequest = request.CaptureDiagnostics ? Utf8(ref buffer, layout.CanonicalRequestStart, layout.CanonicalRequestLength) : null,
                StringToSign = request.CaptureDiagnostics ? Utf8(ref buffer, layout.StringToSignStart, layout.StringToSignLength) : null,
            };
        }
        finally
        {
            buffer.Dispose();
        }
    }

    private static string Ascii(ref PooledByteBuffer buffer, int start, int length) => Encoding.ASCII.GetString(buffer.Slice(start, length));

    private static string Utf8(ref PooledByteBuffer buffer, int start, int length) => Encoding.UTF8.GetString(buffer.Slice(start, length));
}
