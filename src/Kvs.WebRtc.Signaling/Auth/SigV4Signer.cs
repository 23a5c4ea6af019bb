using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Kvs.WebRtc.Signaling.Auth;

/// <summary>
/// AWS Signature Version 4 (<c>AWS4-HMAC-SHA256</c>) signer for Kinesis Video Streams: presigned WebSocket/HTTP URLs
/// (query authentication) and header-signed rest-json requests.
/// </summary>
/// <remarks>
/// Thread-safe: one instance may sign concurrently from many threads. Derived signing keys are cached per
/// (secret, date, region, service). Secrets, session tokens and signatures never appear in exception messages.
/// </remarks>
public sealed class SigV4Signer
{
    /// <summary>The signing name of Kinesis Video Streams (control plane and signaling).</summary>
    public const string KinesisVideoServiceName = "kinesisvideo";

    /// <summary>The largest <c>X-Amz-Expires</c> SigV4 accepts: 7 days, in seconds.</summary>
    public const int MaxExpiresSeconds = 604_800;

    /// <summary>The default lifetime of a presigned URL (299 seconds, as the JS and Android SDKs use).</summary>
    public static readonly TimeSpan DefaultExpires = TimeSpan.FromSeconds(299);

    private readonly SigningKeyCache _keyCache = new();
    private const string SignatureParameter = "&X-Amz-Signature=";

    private long _clockOffsetTicks;
    private ParsedEndpoint? _lastEndpoint;
    private readonly SigV4Presigner.PresignCache _presignCache = new();

    /// <summary>Creates a signer.</summary>
    /// <param name="timeProvider">The clock signing times are read from; <see langword="null"/> means <see cref="TimeProvider.System"/>.</param>
    public SigV4Signer(TimeProvider? timeProvider = null) => TimeProvider = timeProvider ?? TimeProvider.System;

    /// <summary>The clock signing times are read from.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>
    /// An offset added to <see cref="TimeProvider"/>'s current time when signing (clock-skew correction: server time
    /// minus local time). Default <see cref="TimeSpan.Zero"/>. Reads and writes are atomic and thread-safe.
    /// </summary>
    public TimeSpan ClockOffset
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _clockOffsetTicks));
        set => Interlocked.Exchange(ref _clockOffsetTicks, value.Ticks);
    }

    /// <summary>Returns the time a signature made now carries: the clock's UTC time plus <see cref="ClockOffset"/>.</summary>
    /// <returns>The signing time.</returns>
    public DateTimeOffset GetSigningTime() => TimeProvider.GetUtcNow() + ClockOffset;

    /// <summary>
    /// Creates a presigned URL (query authentication, <c>X-Amz-SignedHeaders=host</c>), e.g. the ConnectAsMaster /
    /// ConnectAsViewer WebSocket URL.
    /// </summary>
    /// <param name="endpoint">An absolute <c>wss://</c>, <c>ws://</c>, <c>https://</c> or <c>http://</c> URL without query or fragment; its path is kept.</param>
    /// <param name="extraQuery">Additional query parameters with raw (unencoded) names and values, e.g. <c>X-Amz-ChannelARN</c>, <c>X-Amz-ClientId</c>.</param>
    /// <param name="credentials">The credentials; a session token is signed as <c>X-Amz-Security-Token</c> inside the canonical query.</param>
    /// <param name="region">The signing region (the channel's region).</param>
    /// <param name="service">The signing service name; default <see cref="KinesisVideoServiceName"/>.</param>
    /// <param name="expires">The URL lifetime (<c>X-Amz-Expires</c>), 1 second to 7 days, whole seconds; default 299 seconds.</param>
    /// <param name="signingTime">The signing time; default <see cref="GetSigningTime"/>.</param>
    /// <returns>The absolute signed URL, percent-encoded exactly once (pass it to <c>new Uri(url)</c> unchanged).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The endpoint is not absolute, has an unsupported scheme, a query or a fragment; the region or service is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="expires"/> is below 1 second or above 7 days.</exception>
    public string PresignUrl(string endpoint, IEnumerable<KeyValuePair<string, string>> extraQuery, AwsCredentialsSnapshot credentials,
        string region, string service = KinesisVideoServiceName, TimeSpan? expires = null, DateTimeOffset? signingTime = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpoint);
        ArgumentNullException.ThrowIfNull(extraQuery);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentException.ThrowIfNullOrEmpty(region);
        ArgumentException.ThrowIfNullOrEmpty(service);
        var expiresSeconds = (long)(expires ?? DefaultExpires).TotalSeconds;
        if (expiresSeconds is < 1 or > MaxExpiresSeconds)
        {
            throw new ArgumentOutOfRangeException(nameof(expires), expires, "X-Amz-Expires must be between 1 second and 7 days (604800 seconds).");
        }

        // A signer presigns the same endpoint again and again (reconnects): keep the last parse.
        SigV4Endpoint parsed;
        var lastEndpoint = Volatile.Read(ref _lastEndpoint);
        if (lastEndpoint is not null && string.Equals(lastEndpoint.Endpoint, endpoint, StringComparison.Ordinal))
        {
            parsed = lastEndpoint.Parsed;
        }
        else
        {
            parsed = SigV4Endpoint.Parse(endpoint, nameof(endpoint));
            Volatile.Write(ref _lastEndpoint, new ParsedEndpoint(endpoint, parsed));
        }

        var time = signingTime ?? GetSigningTime();
        if (SigV4Presigner.TryPresign(parsed, extraQuery, credentials, region, service, expiresSeconds, time, _keyCache, _presignCache) is { } fast)
        {
            return fast;
        }

        // A caller parameter named like one of the X-Amz-* parameters: the general path signs it as given.
        var hostHeader = new SigV4Header("host", parsed.Host);

        var input = new SigV4Input
        {
            Mode = SigV4Mode.Query,
            Method = "GET",
            Path = parsed.Path.Span,
            NormalizePath = false,
            RawQuery = extraQuery,
            Headers = new ReadOnlySpan<SigV4Header>(in hostHeader),
            PayloadHashHex = SigV4Core.EmptyPayloadHashHex,
            Credentials = credentials,
            Region = region,
            Service = service,
            SigningTime = time,
            ExpiresSeconds = expiresSeconds,
            SignSessionToken = true,
        };

        var buffer = new PooledByteBuffer(2048);
        try
        {
            var layout = SigV4Core.Compute(ref input, ref buffer, _keyCache);
            var state = new UrlState(parsed.Scheme, parsed.Host, parsed.Path, buffer.RawArray, layout.CanonicalQueryStart, layout.CanonicalQueryLength, layout.SignatureStart);
            var length = parsed.Scheme.Length + 3 + parsed.Host.Length + parsed.Path.Length + 1 + layout.CanonicalQueryLength
                + SignatureParameter.Length + SigV4Layout.SignatureLength;
            return string.Create(length, state, static (span, s) =>
            {
                var pos = 0;
                Write(span, ref pos, s.Scheme);
                Write(span, ref pos, "://");
                Write(span, ref pos, s.Host.Span);
                Write(span, ref pos, s.Path.Span);
                span[pos++] = '?';
                _ = Ascii.ToUtf16(s.Data.AsSpan(s.QueryStart, s.QueryLength), span[pos..], out var widened);
                pos += widened;
                Write(span, ref pos, SignatureParameter);
                _ = Ascii.ToUtf16(s.Data.AsSpan(s.SignatureStart, SigV4Layout.SignatureLength), span[pos..], out _);
            });
        }
        finally
        {
            buffer.Dispose();
        }
    }

    /// <summary>
    /// Signs a request with the <c>Authorization</c> header: sets <c>X-Amz-Date</c>, <c>X-Amz-Security-Token</c> (when the
    /// credentials carry one) and <c>Authorization</c>, replacing earlier values. Signs <c>host</c> (with <c>:port</c> when
    /// not the scheme's default), <c>x-amz-date</c>, <c>content-type</c> (when the request has content with a type) and
    /// <c>x-amz-security-token</c>; the payload hash is the hex SHA-256 of <paramref name="payload"/>.
    /// </summary>
    /// <param name="request">The request; its <see cref="HttpRequestMessage.RequestUri"/> must be absolute.</param>
    /// <param name="payload">The exact body bytes that will be sent (empty when none).</param>
    /// <param name="credentials">The credentials.</param>
    /// <param name="region">The signing region.</param>
    /// <param name="service">The signing service name; default <see cref="KinesisVideoServiceName"/>.</param>
    /// <param name="signingTime">The signing time; default <see cref="GetSigningTime"/>.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The request URI is missing, not absolute or has an unsupported scheme; the region or service is empty.</exception>
    public void SignRequest(HttpRequestMessage request, ReadOnlySpan<byte> payload, AwsCredentialsSnapshot credentials,
        string region, string service = KinesisVideoServiceName, DateTimeOffset? signingTime = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentException.ThrowIfNullOrEmpty(region);
        ArgumentException.ThrowIfNullOrEmpty(service);
        if (request.RequestUri is null)
        {
            throw new ArgumentException("The request has no RequestUri.", nameof(request));
        }

        var uri = request.RequestUri.IsAbsoluteUri
            ? request.RequestUri
            : throw new ArgumentException("The request URI must be absolute.", nameof(request));
        ValidateRequestUri(uri, nameof(request));

        var time = signingTime ?? GetSigningTime();
        var amzDate = SigV4Encoding.FormatAmzDate(time);
        var host = request.Headers.Host ?? GetHostHeader(uri);

        var headerCount = 2;
        var contentType = request.Content?.Headers.ContentType?.ToString();
        var token = credentials.SessionToken;
        var headers = new SigV4Header[2 + (contentType is null ? 0 : 1) + (token is null ? 0 : 1)];
        headers[0] = new SigV4Header("host", host);
        headers[1] = new SigV4Header("x-amz-date", amzDate);
        if (contentType is not null)
        {
            headers[headerCount++] = new SigV4Header("content-type", contentType);
        }

        if (token is not null)
        {
            headers[headerCount] = new SigV4Header("x-amz-security-token", token);
        }

        Span<byte> payloadHash = stackalloc byte[64];
        SigV4Core.HashPayload(payload, payloadHash);
        var query = uri.Query;
        var input = new SigV4Input
        {
            Mode = SigV4Mode.Headers,
            Method = request.Method.Method,
            Path = uri.AbsolutePath,
            NormalizePath = false,
            WireQuery = query.Length > 0 ? query.AsSpan(1) : default,
            Headers = headers,
            PayloadHashHex = payloadHash,
            Credentials = credentials,
            Region = region,
            Service = service,
            SigningTime = time,
        };

        var buffer = new PooledByteBuffer(1024);
        string authorization;
        try
        {
            var layout = SigV4Core.Compute(ref input, ref buffer, _keyCache);
            var builder = new StringBuilder(256);
            builder.Append("Credential=").Append(credentials.AccessKeyId).Append('/')
                .Append(Encoding.UTF8.GetString(buffer.Slice(layout.ScopeStart, layout.ScopeLength)))
                .Append(", SignedHeaders=").Append(Encoding.ASCII.GetString(buffer.Slice(layout.SignedHeadersStart, layout.SignedHeadersLength)))
                .Append(", Signature=").Append(Encoding.ASCII.GetString(buffer.Slice(layout.SignatureStart, SigV4Layout.SignatureLength)));
            authorization = builder.ToString();
        }
        finally
        {
            buffer.Dispose();
        }

        request.Headers.Remove("X-Amz-Date");
        request.Headers.Remove("X-Amz-Security-Token");
        request.Headers.Authorization = null;
        _ = request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (token is not null)
        {
            _ = request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", token);
        }

        request.Headers.Authorization = new AuthenticationHeaderValue(SigV4Core.Algorithm, authorization);
    }

    /// <summary>The canonical <c>host</c> value: lower-case host, plus <c>:port</c> unless it is the scheme's default.</summary>
    internal static string GetHostHeader(Uri uri)
    {
        var host = uri.HostNameType == UriHostNameType.Dns ? uri.IdnHost : uri.Host;
        return uri.IsDefaultPort ? host : string.Concat(host, ":", uri.Port.ToString(CultureInfo.InvariantCulture));
    }

    private static void ValidateRequestUri(Uri uri, string paramName)
    {
        var scheme = uri.Scheme;
        if (scheme != "https" && scheme != "http" && scheme != "wss" && scheme != "ws")
        {
            throw new ArgumentException($"The request URI scheme '{scheme}' is not supported; use https or http.", paramName);
        }

        if (uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            throw new ArgumentException("The request URI must not contain a fragment or user information.", paramName);
        }
    }

    private static void Write(Span<char> span, ref int pos, ReadOnlySpan<char> text)
    {
        text.CopyTo(span[pos..]);
        pos += text.Length;
    }

    private sealed class ParsedEndpoint(string endpoint, SigV4Endpoint parsed)
    {
        public string Endpoint { get; } = endpoint;

        public SigV4Endpoint Parsed { get; } = parsed;
    }

    private readonly record struct UrlState(string Scheme, ReadOnlyMemory<char> Host, ReadOnlyMemory<char> Path, byte[] Data, int QueryStart, int QueryLength, int SignatureStart);
}
