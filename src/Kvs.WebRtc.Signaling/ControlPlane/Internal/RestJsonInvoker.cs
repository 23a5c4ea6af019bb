using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Kvs.WebRtc.Signaling.Auth;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kvs.WebRtc.Signaling.ControlPlane.Internal;

/// <summary>
/// The one AWS rest-json transport shared by <see cref="KinesisVideoClient"/> and
/// <see cref="KinesisVideoSignalingClient"/>: serialise, sign (fresh credentials per attempt), send, bound the
/// response size, map errors to typed exceptions, retry throttling/5xx/network failures with jittered exponential
/// back-off through the <see cref="TimeProvider"/>, correct clock skew once per call, and enforce the per-call
/// deadline. Thread-safe.
/// </summary>
internal sealed partial class RestJsonInvoker : IDisposable
{
    internal const string UserAgentValue = "Kvs.WebRtc/0.1";
    private const int ReadChunkBytes = 16 * 1024;

    private static readonly MediaTypeHeaderValue s_jsonContentType = new("application/json");

    private readonly HttpClient _httpClient;
    private readonly bool _ownsHttpClient;
    private readonly IAwsCredentialsProvider _credentials;
    private readonly ILogger _logger;
    private readonly TimeSpan _timeout;
    private readonly int _maxErrorRetries;
    private readonly TimeSpan _retryBaseDelay;
    private readonly TimeSpan _retryMaxDelay;
    private readonly int _maxResponseBytes;
    private int _disposed;

    /// <summary>Validates <paramref name="options"/> and builds the transport.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public RestJsonInvoker(KinesisVideoClientOptions options, ILogger logger)
    {
        ValidateOptions(options);
        ArgumentNullException.ThrowIfNull(logger);
        Region = options.Region;
        TimeProvider = options.TimeProvider ?? options.Signer?.TimeProvider ?? TimeProvider.System;
        Signer = options.Signer ?? new SigV4Signer(TimeProvider);
        LoggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        _credentials = options.Credentials;
        _logger = logger;
        _timeout = options.Timeout;
        _maxErrorRetries = options.MaxErrorRetries;
        _retryBaseDelay = options.RetryBaseDelay;
        _retryMaxDelay = options.RetryMaxDelay;
        _maxResponseBytes = options.MaxResponseBytes;
        if (options.HttpClient is { } httpClient)
        {
            _httpClient = httpClient;
        }
        else
        {
            // Deadlines are ours (per call, through the TimeProvider), so the HttpClient's own timeout is off.
            _httpClient = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            {
                Timeout = System.Threading.Timeout.InfiniteTimeSpan,
            };
            _ownsHttpClient = true;
        }
    }

    /// <summary>The signing region.</summary>
    public string Region { get; }

    /// <summary>The signer (its clock offset is corrected on skew errors).</summary>
    public SigV4Signer Signer { get; }

    /// <summary>The clock of delays and deadlines.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The logger factory of the options (or the null factory).</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>A number in [0, 1) that spreads back-off delays; replaceable by tests.</summary>
    internal Func<double> Jitter { get; set; } = static () => RandomNumberGenerator.GetInt32(1 << 20) / (double)(1 << 20);

    /// <summary>Sends one operation and returns its parsed, validated output.</summary>
    /// <param name="endpoint">Base URL (a path prefix is kept).</param>
    /// <param name="path">Operation path, e.g. <c>/describeSignalingChannel</c>.</param>
    /// <param name="operation">Operation name for messages and logs.</param>
    /// <param name="request">The input shape.</param>
    /// <param name="requestType">Its JSON metadata.</param>
    /// <param name="responseType">The output's JSON metadata.</param>
    /// <param name="findMissingMember">Returns the name of a required output member that is missing, or null.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    public async Task<TResponse> InvokeAsync<TRequest, TResponse>(
        Uri endpoint,
        string path,
        string operation,
        TRequest request,
        JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType,
        Func<TResponse, string?>? findMissingMember,
        CancellationToken cancellationToken)
        where TResponse : class
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        var payload = JsonSerializer.SerializeToUtf8Bytes(request, requestType);
        var uri = Combine(endpoint, path);
        using var timeoutSource = _timeout == System.Threading.Timeout.InfiniteTimeSpan
            ? new CancellationTokenSource()
            : new CancellationTokenSource(_timeout, TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            return await SendWithRetriesAsync(uri, operation, payload, responseType, findMissingMember, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Log.TimedOut(_logger, operation, _timeout.TotalMilliseconds);
            throw new SignalingException(
                SignalingError.RequestTimeout, $"{operation} did not complete within {_timeout.TotalSeconds:0.###} s (including retries).", ex);
        }
    }

    /// <summary>Disposes the HTTP client if this transport created it. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _ownsHttpClient)
        {
            _httpClient.Dispose();
        }
    }

    /// <summary>The delay before retry number <paramref name="retry"/> (0-based): half to all of the capped exponential.</summary>
    internal TimeSpan GetRetryDelay(int retry)
    {
        if (_retryBaseDelay <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        var ceilingTicks = Math.Min(_retryBaseDelay.Ticks * Math.Pow(2, Math.Min(retry, 30)), _retryMaxDelay.Ticks);
        var jitter = Math.Clamp(Jitter(), 0d, 1d);
        return TimeSpan.FromTicks((long)((ceilingTicks / 2d) + (jitter * ceilingTicks / 2d)));
    }

    internal static Uri Combine(Uri endpoint, string path) =>
        new(endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/') + path, UriKind.Absolute);

    private static void ValidateOptions(KinesisVideoClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Region) || !options.Region.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
        {
            throw new ArgumentException("Region must be an AWS region name such as us-west-2.", nameof(options));
        }

        if (options.Credentials is null)
        {
            throw new ArgumentException("Credentials is required.", nameof(options));
        }

        if (options.ServiceUrl is { } serviceUrl)
        {
            if (!serviceUrl.IsAbsoluteUri || (serviceUrl.Scheme != Uri.UriSchemeHttps && serviceUrl.Scheme != Uri.UriSchemeHttp))
            {
                throw new ArgumentException("ServiceUrl must be an absolute http or https URL.", nameof(options));
            }

            if (options.UseFips || options.UseDualStack)
            {
                throw new ArgumentException(
                    "ServiceUrl cannot be combined with UseFips or UseDualStack: a custom endpoint is used verbatim.", nameof(options));
            }
        }

        if (options.Timeout != System.Threading.Timeout.InfiniteTimeSpan && options.Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("Timeout must be positive or Timeout.InfiniteTimeSpan.", nameof(options));
        }

        if (options.MaxErrorRetries is < 0 or > 100)
        {
            throw new ArgumentException("MaxErrorRetries must be 0-100.", nameof(options));
        }

        if (options.RetryBaseDelay < TimeSpan.Zero || options.RetryMaxDelay < options.RetryBaseDelay)
        {
            throw new ArgumentException("RetryBaseDelay must be non-negative and at most RetryMaxDelay.", nameof(options));
        }

        if (options.MaxResponseBytes <= 0)
        {
            throw new ArgumentException("MaxResponseBytes must be positive.", nameof(options));
        }
    }

    private async Task<TResponse> SendWithRetriesAsync<TResponse>(
        Uri uri, string operation, byte[] payload, JsonTypeInfo<TResponse> responseType, Func<TResponse, string?>? findMissingMember,
        CancellationToken cancellationToken)
        where TResponse : class
    {
        var retries = 0;
        var clockCorrected = false;
        while (true)
        {
            var outcome = await SendOnceAsync(uri, operation, payload, responseType, findMissingMember, cancellationToken).ConfigureAwait(false);
            if (outcome.Error is not { } error)
            {
                return outcome.Response!;
            }

            if (outcome.ServerTime is { } serverTime && !clockCorrected)
            {
                // One correction per call: a second skew error means the clock is not the problem.
                clockCorrected = true;
                var previous = Signer.ClockOffset;
                Signer.ClockOffset = serverTime - TimeProvider.GetUtcNow();
                Log.ClockSkewCorrected(_logger, operation, previous.TotalSeconds, Signer.ClockOffset.TotalSeconds);
                continue;
            }

            if (error.IsRetryable && retries < _maxErrorRetries)
            {
                var delay = GetRetryDelay(retries);
                retries++;
                Log.Retrying(_logger, operation, error.ErrorCode, (int)(error.StatusCode ?? 0), error.RequestId, retries, _maxErrorRetries, delay.TotalMilliseconds);
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, TimeProvider, cancellationToken).ConfigureAwait(false);
                }

                continue;
            }

            Log.Failed(_logger, operation, error.ErrorCode, (int)(error.StatusCode ?? 0), error.RequestId, retries);
            throw error;
        }
    }

    private async Task<Outcome<TResponse>> SendOnceAsync<TResponse>(
        Uri uri, string operation, byte[] payload, JsonTypeInfo<TResponse> responseType, Func<TResponse, string?>? findMissingMember,
        CancellationToken cancellationToken)
        where TResponse : class
    {
        var credentials = await _credentials.GetCredentialsAsync(cancellationToken).ConfigureAwait(false);
        using var request = new HttpRequestMessage(HttpMethod.Post, uri);
        request.Content = new ByteArrayContent(payload);
        request.Content.Headers.ContentType = s_jsonContentType;
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgentValue);
        Signer.SignRequest(request, payload, credentials, Region);
        Log.Sending(_logger, operation, uri);

        HttpResponseMessage response;
        try
        {
            response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            return Outcome<TResponse>.Failure(NetworkError(operation, uri, ex));
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The HttpClient's own Timeout (an injected client), not ours: transient.
            return Outcome<TResponse>.Failure(NetworkError(operation, uri, ex));
        }

        using (response)
        {
            var requestId = GetHeader(response, "x-amzn-RequestId") ?? GetHeader(response, "x-amz-request-id");
            byte[] body;
            try
            {
                body = await ReadBodyAsync(response, operation, requestId, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is (IOException and not SignalingException) or HttpRequestException ||
                                       (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                return Outcome<TResponse>.Failure(NetworkError(operation, uri, ex));
            }

            if (response.IsSuccessStatusCode)
            {
                Log.Succeeded(_logger, operation, (int)response.StatusCode, requestId);
                return Outcome<TResponse>.Success(Deserialize(operation, body, response.StatusCode, requestId, responseType, findMissingMember));
            }

            var parsed = ServiceErrorParser.Parse(GetHeader(response, "x-amzn-ErrorType"), body);
            var error = ServiceErrorParser.CreateException(
                operation, response.StatusCode, requestId, parsed, response.Content.Headers.ContentType?.MediaType);
            DateTimeOffset? serverTime = null;
            if (ServiceErrorParser.IsClockSkew(response.StatusCode, parsed))
            {
                serverTime = response.Headers.Date ?? ServiceErrorParser.TryReadServerTime(parsed.Message ?? parsed.RawText);
            }

            return new Outcome<TResponse>(null, error, serverTime);
        }
    }

    private async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, string operation, string? requestId, CancellationToken cancellationToken)
    {
        var declared = response.Content.Headers.ContentLength;
        if (declared > _maxResponseBytes)
        {
            throw TooLarge(operation, response.StatusCode, requestId);
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream((int)Math.Min(declared ?? 4096, _maxResponseBytes));
            var chunk = ArrayPool<byte>.Shared.Rent(ReadChunkBytes);
            try
            {
                int read;
                while ((read = await stream.ReadAsync(chunk.AsMemory(0, ReadChunkBytes), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > _maxResponseBytes)
                    {
                        throw TooLarge(operation, response.StatusCode, requestId);
                    }

                    buffer.Write(chunk, 0, read);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }

            return buffer.ToArray();
        }
    }

    private static TResponse Deserialize<TResponse>(
        string operation, byte[] body, HttpStatusCode status, string? requestId, JsonTypeInfo<TResponse> responseType,
        Func<TResponse, string?>? findMissingMember)
        where TResponse : class
    {
        TResponse? result;
        try
        {
            // An operation with empty output may answer with an empty body.
            result = body.Length == 0 ? JsonSerializer.Deserialize("{}"u8, responseType) : JsonSerializer.Deserialize(body, responseType);
        }
        catch (JsonException ex)
        {
            throw new SignalingException(
                SignalingError.InvalidResponse,
                $"{operation} returned malformed JSON (HTTP {(int)status}): {ServiceErrorParser.Sanitise(ex.Message, ServiceErrorParser.MaxMessageLength)}",
                ex, status, errorCode: null, requestId);
        }

        if (result is null)
        {
            throw new SignalingException(
                SignalingError.InvalidResponse, $"{operation} returned JSON null instead of an object (HTTP {(int)status}).", null, status, errorCode: null, requestId);
        }

        if (findMissingMember?.Invoke(result) is { } missing)
        {
            throw new SignalingException(
                SignalingError.InvalidResponse,
                $"{operation} returned a response without the required member {missing} (HTTP {(int)status}).",
                null, status, errorCode: null, requestId);
        }

        return result;
    }

    private SignalingException TooLarge(string operation, HttpStatusCode status, string? requestId) =>
        new(SignalingError.ResponseTooLarge, $"{operation} returned a response larger than the {_maxResponseBytes}-byte limit (MaxResponseBytes).",
            null, status, errorCode: null, requestId);

    private static SignalingException NetworkError(string operation, Uri uri, Exception ex) =>
        new(SignalingError.NetworkError, $"{operation} failed: the request to {uri.Host} could not be completed " +
            $"({ServiceErrorParser.Sanitise(ex.Message, ServiceErrorParser.MaxMessageLength)}).", ex);

    private static string? GetHeader(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private readonly record struct Outcome<TResponse>(TResponse? Response, SignalingException? Error, DateTimeOffset? ServerTime)
        where TResponse : class
    {
        public static Outcome<TResponse> Success(TResponse response) => new(response, null, null);

        public static Outcome<TResponse> Failure(SignalingException error) => new(null, error, null);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1200, Level = LogLevel.Debug, Message = "Sending {Operation} to {Uri}")]
        public static partial void Sending(ILogger logger, string operation, Uri uri);

        [LoggerMessage(EventId = 1201, Level = LogLevel.Debug, Message = "{Operation} succeeded with HTTP {StatusCode} (request id {RequestId})")]
        public static partial void Succeeded(ILogger logger, string operation, int statusCode, string? requestId);

        [LoggerMessage(EventId = 1202, Level = LogLevel.Warning,
            Message = "{Operation} failed with {ErrorCode} (HTTP {StatusCode}, request id {RequestId}); retry {Retry} of {MaxRetries} in {DelayMs} ms")]
        public static partial void Retrying(
            ILogger logger, string operation, string? errorCode, int statusCode, string? requestId, int retry, int maxRetries, double delayMs);

        [LoggerMessage(EventId = 1203, Level = LogLevel.Warning,
            Message = "{Operation} was rejected for clock skew; signer clock offset corrected from {PreviousSeconds} s to {OffsetSeconds} s, retrying once")]
        public static partial void ClockSkewCorrected(ILogger logger, string operation, double previousSeconds, double offsetSeconds);

        [LoggerMessage(EventId = 1204, Level = LogLevel.Debug,
            Message = "{Operation} failed with {ErrorCode} (HTTP {StatusCode}, request id {RequestId}) after {Retries} retries")]
        public static partial void Failed(ILogger logger, string operation, string? errorCode, int statusCode, string? requestId, int retries);

        [LoggerMessage(EventId = 1205, Level = LogLevel.Warning, Message = "{Operation} timed out after {TimeoutMs} ms")]
        public static partial void TimedOut(ILogger logger, string operation, double timeoutMs);
    }
}
