using System.Net;
using Kvs.WebRtc.Emulator.Auth;
using Kvs.WebRtc.Emulator.ControlPlane;
using Kvs.WebRtc.Emulator.Http;
using Kvs.WebRtc.Signaling;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Emulator.Signaling;

/// <summary>
/// ConnectAsMaster / ConnectAsViewer (spec 5.1, 7.4): verifies the presigned URL, then the channel, role and client id,
/// refuses replays and the viewer limit, accepts the upgrade and serves the socket.
/// </summary>
/// <remarks>
/// Order of checks and answers: signature (403, <c>{"message": ...}</c> with the C-SDK-compatible texts), injected
/// rejections (<see cref="KvsEmulatorFaults.RejectNextConnects"/>), <c>X-Amz-ChannelARN</c> missing or malformed (400),
/// unknown channel (404), endpoint path of another channel (400), client id rules (400: a master must send none; a
/// viewer needs 1–256 of <c>[a-zA-Z0-9_.-]</c>, not starting with <c>AWS_</c>), replayed signature (403), viewer limit
/// (400 ClientLimitExceededException).
/// </remarks>
internal sealed partial class WebSocketUpgradeHandler
{
    private readonly ChannelStore _store;
    private readonly SignalingHub _hub;
    private readonly RequestAuthenticator _authenticator;
    private readonly FaultState _faults;
    private readonly EmulatorCounters _counters;
    private readonly TimeProvider _timeProvider;
    private readonly bool _verifySignatures;
    private readonly bool _rejectReplays;
    private readonly ILogger _logger;

    public WebSocketUpgradeHandler(ChannelStore store, SignalingHub hub, RequestAuthenticator authenticator, FaultState faults, EmulatorCounters counters, KvsEmulatorOptions options)
    {
        _store = store;
        _hub = hub;
        _authenticator = authenticator;
        _faults = faults;
        _counters = counters;
        _timeProvider = options.TimeProvider;
        _verifySignatures = options.VerifySignatures;
        _rejectReplays = options.VerifySignatures && options.RejectReplayedPresignedUrls;
        _logger = options.LoggerFactory.CreateLogger<WebSocketUpgradeHandler>();
    }

    /// <summary>Handles an upgrade request whose path is <c>/m[/{id}]</c> or <c>/v[/{id}]</c>.</summary>
    public async Task HandleAsync(HttpContext context, KvsEmulatorRole role, string? pathChannelId)
    {
        var now = _timeProvider.GetUtcNow();
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path + context.Request.QueryString;
        var host = context.Request.Headers.Host.ToString();
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            var redactedTarget = RequestTargetRedactor.Redact(rawTarget);
            Log.UpgradeRequest(_logger, context.Request.Method, redactedTarget, context.Request.Protocol, host);
        }

        var question = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var query = RawQueryString.Parse(question < 0 ? string.Empty : rawTarget[(question + 1)..]);
        if (query is null)
        {
            await RefuseAsync(context, AwsServiceError.InvalidArgument("The query string has a malformed percent escape.")).ConfigureAwait(false);
            return;
        }

        if (_verifySignatures)
        {
            var result = _authenticator.VerifyPresigned(host, rawTarget, now);
            if (!result.Succeeded)
            {
                Log.SignatureRejected(_logger, result.Failure.ToString(), result.AccessKeyId ?? "-", result.Message ?? "-");
                await RefuseAsync(context, RequestAuthenticator.ToError(result)).ConfigureAwait(false);
                return;
            }
        }

        if (_faults.TryConsumeConnectRejection(out var injectedStatus))
        {
            Log.InjectedRejection(_logger, (int)injectedStatus);
            await RefuseAsync(context, new AwsServiceError(AwsErrorTypes.ForStatus((int)injectedStatus), injectedStatus, "Connection refused by fault injection.")).ConfigureAwait(false);
            return;
        }

        var arn = RawQueryString.Get(query, "X-Amz-ChannelARN");
        if (string.IsNullOrEmpty(arn) || !ChannelValidation.IsWellFormedArn(arn))
        {
            await RefuseAsync(context, AwsServiceError.InvalidArgument("X-Amz-ChannelARN is missing or not a channel ARN.")).ConfigureAwait(false);
            return;
        }

        var channel = _store.FindByArn(arn);
        if (channel is null)
        {
            await RefuseAsync(context, AwsServiceError.NotFound("The requested channel is not found or not active.")).ConfigureAwait(false);
            return;
        }

        if (pathChannelId is not null && !string.Equals(pathChannelId, channel.ChannelId, StringComparison.Ordinal))
        {
            await RefuseAsync(context, AwsServiceError.InvalidArgument("This endpoint belongs to another channel; use the endpoint from GetSignalingChannelEndpoint.")).ConfigureAwait(false);
            return;
        }

        var clientId = RawQueryString.Get(query, "X-Amz-ClientId");
        clientId = string.IsNullOrEmpty(clientId) ? null : clientId;
        var clientIdError = role == KvsEmulatorRole.Master
            ? clientId is null ? null : "ConnectAsMaster must not send X-Amz-ClientId."
            : clientId is null ? "ConnectAsViewer requires X-Amz-ClientId."
            : SignalingIdentifiers.IsValidViewerClientId(clientId) ? null
            : "X-Amz-ClientId must be 1 to 256 characters of [a-zA-Z0-9_.-] and must not start with AWS_.";
        if (clientIdError is not null)
        {
            await RefuseAsync(context, AwsServiceError.InvalidArgument(clientIdError)).ConfigureAwait(false);
            return;
        }

        if (_rejectReplays && !_authenticator.TryRecordPresignedUse(query, now))
        {
            Log.Replay(_logger, channel.Name);
            await RefuseAsync(context, new AwsServiceError(AwsErrorTypes.AccessDenied, HttpStatusCode.Forbidden, "This presigned URL has already been used; sign a new one for every connection.", lowerCaseMessageMember: true)).ConfigureAwait(false);
            return;
        }

        var connection = _hub.CreateConnection(channel, role, clientId);
        var registrationError = _hub.TryRegister(connection);
        if (registrationError is not null)
        {
            await RefuseAsync(context, registrationError).ConfigureAwait(false);
            return;
        }

        connection.StartTimers(_hub.MaxConnectionDuration);
        System.Net.WebSockets.WebSocket socket;
        try
        {
            socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { DangerousEnableCompression = false }).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or OperationCanceledException)
        {
            Log.AcceptFailed(_logger, connection.Id, ex.GetType().Name);
            await connection.AbandonAsync().ConfigureAwait(false);
            return;
        }

        _counters.ConnectionAccepted();
        Log.Accepted(_logger, connection.Id, connection.DisplayName, channel.Name);
        await connection.RunAsync(socket, context).ConfigureAwait(false);
    }

    private async Task RefuseAsync(HttpContext context, AwsServiceError error)
    {
        _counters.ConnectionRejected();
        Log.Refused(_logger, (int)error.StatusCode, error.ErrorType, error.Message);
        await AwsResponseWriter.WriteErrorAsync(context.Response, error, AwsResponseWriter.SignalingErrorNamespace, context.RequestAborted).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8030, Level = LogLevel.Debug, Message = "Upgrade request line: {Method} {RequestTarget} {Protocol} (Host: {Host})")]
        public static partial void UpgradeRequest(ILogger logger, string method, string requestTarget, string protocol, string host);

        [LoggerMessage(EventId = 8031, Level = LogLevel.Warning, Message = "Upgrade refused: signature check failed ({Failure}, access key {AccessKeyId}): {Reason}")]
        public static partial void SignatureRejected(ILogger logger, string failure, string accessKeyId, string reason);

        [LoggerMessage(EventId = 8032, Level = LogLevel.Information, Message = "Upgrade refused with HTTP {StatusCode} {ErrorType}: {Reason}")]
        public static partial void Refused(ILogger logger, int statusCode, string errorType, string reason);

        [LoggerMessage(EventId = 8033, Level = LogLevel.Warning, Message = "Upgrade refused: replayed presigned URL for channel {ChannelName}")]
        public static partial void Replay(ILogger logger, string channelName);

        [LoggerMessage(EventId = 8034, Level = LogLevel.Information, Message = "Connection #{ConnectionId} ({Identity}) accepted on {ChannelName}")]
        public static partial void Accepted(ILogger logger, long connectionId, string identity, string channelName);

        [LoggerMessage(EventId = 8035, Level = LogLevel.Information, Message = "Fault injection: upgrade refused with HTTP {StatusCode}")]
        public static partial void InjectedRejection(ILogger logger, int statusCode);

        [LoggerMessage(EventId = 8036, Level = LogLevel.Warning, Message = "Connection #{ConnectionId}: the WebSocket handshake failed ({Reason})")]
        public static partial void AcceptFailed(ILogger logger, long connectionId, string reason);
    }
}
