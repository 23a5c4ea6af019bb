using System.Net;
using Kvs.WebRtc.Emulator.Auth;
using Kvs.WebRtc.Emulator.ControlPlane;
using Kvs.WebRtc.Emulator.IceServers;
using Kvs.WebRtc.Emulator.Signaling;
using Kvs.WebRtc.Emulator.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Emulator.Http;

/// <summary>
/// The emulator's single endpoint (spec 9.1): WebSocket upgrades on <c>/m/{id}</c> and <c>/v/{id}</c>, the
/// control-plane operations and <c>/v1/get-ice-server-config</c> as SigV4-signed rest-json POSTs. Every response
/// carries <c>Date</c> (emulator clock) and <c>x-amzn-RequestId</c>.
/// </summary>
internal sealed partial class EmulatorRequestHandler
{
    /// <summary>Largest accepted REST body.</summary>
    public const int MaxBodySize = 1024 * 1024;

    private readonly ControlPlaneHandler _controlPlane;
    private readonly IceServerConfigHandler _iceServers;
    private readonly WebSocketUpgradeHandler _upgrades;
    private readonly StorageSessionHandler? _storage;
    private readonly RequestAuthenticator _authenticator;
    private readonly FaultState _faults;
    private readonly EmulatorCounters _counters;
    private readonly TimeProvider _timeProvider;
    private readonly bool _verifySignatures;
    private readonly ILogger _logger;
    private volatile bool _shuttingDown;

    public EmulatorRequestHandler(ControlPlaneHandler controlPlane, IceServerConfigHandler iceServers, WebSocketUpgradeHandler upgrades, RequestAuthenticator authenticator, FaultState faults, EmulatorCounters counters, KvsEmulatorOptions options, StorageSessionHandler? storage = null)
    {
        _controlPlane = controlPlane;
        _iceServers = iceServers;
        _upgrades = upgrades;
        _storage = storage;
        _authenticator = authenticator;
        _faults = faults;
        _counters = counters;
        _timeProvider = options.TimeProvider;
        _verifySignatures = options.VerifySignatures;
        _logger = options.LoggerFactory.CreateLogger<EmulatorRequestHandler>();
    }

    /// <summary>Refuse new requests with 503 from now on.</summary>
    public void BeginShutdown() => _shuttingDown = true;

    public async Task HandleAsync(HttpContext context)
    {
        var now = _timeProvider.GetUtcNow();
        AwsResponseWriter.SetCommonHeaders(context.Response, now);
        var path = context.Request.Path.Value ?? "/";
        var errorNamespace = path == IceServerConfigHandler.Path ? AwsResponseWriter.SignalingErrorNamespace : AwsResponseWriter.ControlPlaneErrorNamespace;
        try
        {
            if (_shuttingDown)
            {
                throw new AwsServiceError(AwsErrorTypes.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, "The emulator is shutting down.");
            }

            if (TryParseSignalingPath(path, out var role, out var channelId))
            {
                if (!context.WebSockets.IsWebSocketRequest)
                {
                    throw AwsServiceError.InvalidArgument("This endpoint only accepts WebSocket upgrades.");
                }

                await _upgrades.HandleAsync(context, role, channelId).ConfigureAwait(false);
                return;
            }

            _counters.RestRequest();
            if (!HttpMethods.IsPost(context.Request.Method) || context.WebSockets.IsWebSocketRequest)
            {
                throw new AwsServiceError(AwsErrorTypes.UnknownOperation, HttpStatusCode.NotFound, "Unknown operation.");
            }

            var body = await ReadBodyAsync(context).ConfigureAwait(false);
            if (_verifySignatures)
            {
                Authenticate(context, body, now);
            }

            if (_faults.TryConsumeRequestFailure(out var status, out var errorType))
            {
                Log.InjectedFailure(_logger, path, (int)status, errorType);
                throw new AwsServiceError(errorType, status, "Request failed by fault injection.");
            }

            byte[] response;
            if (ControlPlaneHandler.IsOperation(path))
            {
                response = _controlPlane.Handle(path, body);
            }
            else if (path == IceServerConfigHandler.Path)
            {
                response = _iceServers.Handle(body);
            }
            else if (_storage is not null && StorageSessionHandler.IsOperation(path))
            {
                response = await _storage.HandleAsync(path, body).ConfigureAwait(false);
            }
            else
            {
                throw new AwsServiceError(AwsErrorTypes.UnknownOperation, HttpStatusCode.NotFound, "Unknown operation.");
            }

            Log.Handled(_logger, path, response.Length);
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = response.Length;
            await context.Response.Body.WriteAsync(response, context.RequestAborted).ConfigureAwait(false);
        }
        catch (AwsServiceError error)
        {
            Log.Failed(_logger, context.Request.Method, path, (int)error.StatusCode, error.ErrorType, error.Message);
            if (!context.Response.HasStarted)
            {
                await AwsResponseWriter.WriteErrorAsync(context.Response, error, errorNamespace, context.RequestAborted).ConfigureAwait(false);
            }
        }
    }

    private static bool TryParseSignalingPath(string path, out KvsEmulatorRole role, out string? channelId)
    {
        role = KvsEmulatorRole.Master;
        channelId = null;
        if (path.Length < 2 || path[0] != '/' || (path[1] != 'm' && path[1] != 'v'))
        {
            return false;
        }

        var rest = path.AsSpan(2);
        if (!rest.IsEmpty && rest[0] != '/')
        {
            return false;
        }

        rest = rest.TrimStart('/').TrimEnd('/');
        if (rest.Contains('/'))
        {
            return false;
        }

        role = path[1] == 'm' ? KvsEmulatorRole.Master : KvsEmulatorRole.Viewer;
        channelId = rest.IsEmpty ? null : rest.ToString();
        return true;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBodySize)
        {
            throw new AwsServiceError(AwsErrorTypes.InvalidArgument, HttpStatusCode.RequestEntityTooLarge, "The request body is too large.");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (true)
        {
            int read;
            try
            {
                read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false);
            }
            catch (BadHttpRequestException)
            {
                throw AwsServiceError.InvalidArgument("The request body could not be read.");
            }

            if (read == 0)
            {
                return buffer.ToArray();
            }

            if (buffer.Length + read > MaxBodySize)
            {
                throw new AwsServiceError(AwsErrorTypes.InvalidArgument, HttpStatusCode.RequestEntityTooLarge, "The request body is too large.");
            }

            buffer.Write(chunk, 0, read);
        }
    }

    private void Authenticate(HttpContext context, byte[] body, DateTimeOffset now)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "/";
        var question = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = question < 0 ? rawTarget : rawTarget[..question];
        var rawQuery = question < 0 ? string.Empty : rawTarget[(question + 1)..];
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in context.Request.Headers)
        {
            headers[header.Key] = header.Value.ToString();
        }

        var result = _authenticator.VerifyHeaderSigned(context.Request.Method, rawPath, rawQuery, headers, body, now);
        if (!result.Succeeded)
        {
            _counters.RestAuthenticationFailure();
            Log.SignatureRejected(_logger, rawPath, result.Failure.ToString(), result.AccessKeyId ?? "-", result.Message ?? "-");
            throw RequestAuthenticator.ToError(result);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8010, Level = LogLevel.Debug, Message = "POST {Path}: 200 ({Length} bytes)")]
        public static partial void Handled(ILogger logger, string path, int length);

        [LoggerMessage(EventId = 8011, Level = LogLevel.Information, Message = "{Method} {Path}: HTTP {StatusCode} {ErrorType}: {Reason}")]
        public static partial void Failed(ILogger logger, string method, string path, int statusCode, string errorType, string reason);

        [LoggerMessage(EventId = 8012, Level = LogLevel.Warning, Message = "POST {Path}: signature check failed ({Failure}, access key {AccessKeyId}): {Reason}")]
        public static partial void SignatureRejected(ILogger logger, string path, string failure, string accessKeyId, string reason);

        [LoggerMessage(EventId = 8013, Level = LogLevel.Information, Message = "Fault injection: POST {Path} fails with HTTP {StatusCode} {ErrorType}")]
        public static partial void InjectedFailure(ILogger logger, string path, int statusCode, string errorType);
    }
}
