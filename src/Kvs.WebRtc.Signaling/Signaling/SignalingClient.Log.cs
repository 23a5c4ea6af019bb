using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Signaling;

/// <summary>Source-generated log messages (event ids 1100–1199). Never logs URLs, signatures or credentials.</summary>
public sealed partial class SignalingClient
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1100, Level = LogLevel.Debug, Message = "Connecting to {Host} as {Role} (attempt {Attempt})")]
        public static partial void Connecting(ILogger logger, string host, string role, int attempt);

        [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Connected to {Host} as {Role} (connection {Generation})")]
        public static partial void Connected(ILogger logger, string host, string role, int generation);

        [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Connection attempt {Attempt} to {Host} failed: {Error} (HTTP {StatusCode})")]
        public static partial void ConnectFailed(ILogger logger, string host, int attempt, SignalingError error, int? statusCode);

        [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Connection {Generation} ended: {Reason}")]
        public static partial void ConnectionEnded(ILogger logger, int generation, ConnectionEndReason reason);

        [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "Reconnecting in {Delay} (attempt {Attempt} of {MaxAttempts})")]
        public static partial void Reconnecting(ILogger logger, TimeSpan delay, int attempt, int maxAttempts);

        [LoggerMessage(EventId = 1105, Level = LogLevel.Error, Message = "Reconnecting gave up after {MaxAttempts} attempts; queued sends fail")]
        public static partial void ReconnectGaveUp(ILogger logger, int maxAttempts);

        [LoggerMessage(EventId = 1106, Level = LogLevel.Information, Message = "GO_AWAY received; closing and reconnecting")]
        public static partial void GoAwayReceived(ILogger logger);

        [LoggerMessage(EventId = 1107, Level = LogLevel.Information, Message = "Connection {Generation} reached its maximum age {MaxAge}; reconnecting")]
        public static partial void MaxAgeReached(ILogger logger, int generation, TimeSpan maxAge);

        [LoggerMessage(EventId = 1108, Level = LogLevel.Debug, Message = "Ignored a {Length}-byte frame: {Reason}")]
        public static partial void FrameIgnored(ILogger logger, int length, string? reason);

        [LoggerMessage(EventId = 1109, Level = LogLevel.Warning, Message = "Dropped an undecodable {Length}-byte frame: {Reason}")]
        public static partial void FrameMalformed(ILogger logger, int length, string? reason);

        [LoggerMessage(EventId = 1110, Level = LogLevel.Warning, Message = "Dropped an unsupported ({Kind}) frame")]
        public static partial void UnsupportedFrame(ILogger logger, string kind);

        [LoggerMessage(EventId = 1111, Level = LogLevel.Error, Message = "A signaling subscriber threw; it stays subscribed and the connection is unaffected")]
        public static partial void SubscriberFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 1112, Level = LogLevel.Warning, Message = "Writing a {Action} frame on connection {Generation} failed (timed out: {TimedOut}); it is retried after reconnecting")]
        public static partial void SendFailed(ILogger logger, SignalingMessageType action, int generation, bool timedOut, Exception exception);

        [LoggerMessage(EventId = 1113, Level = LogLevel.Warning, Message = "{Action} payload is {Length} base64 characters, above {Threshold}: the service may reject it (use trickle ICE, filter codecs)")]
        public static partial void LargePayload(ILogger logger, SignalingMessageType action, int length, int threshold);

        [LoggerMessage(EventId = 1114, Level = LogLevel.Warning, Message = "STATUS_RESPONSE {StatusCode} {ErrorType} for correlation id {CorrelationId} (sent {Action} to {Recipient})")]
        public static partial void StatusResponseReceived(ILogger logger, string? statusCode, string? errorType, string correlationId, SignalingMessageType? action, string? recipient);

        [LoggerMessage(EventId = 1115, Level = LogLevel.Debug, Message = "Closing connection {Generation} gracefully failed; aborted it")]
        public static partial void CloseFailed(ILogger logger, int generation, Exception exception);

        [LoggerMessage(EventId = 1116, Level = LogLevel.Trace, Message = "Received {MessageType} from {Sender}")]
        public static partial void MessageReceived(ILogger logger, string messageType, string? sender);

        [LoggerMessage(EventId = 1117, Level = LogLevel.Information, Message = "Signaling client for {Host} ({Role}) closed")]
        public static partial void Disposed(ILogger logger, string host, string role);

        [LoggerMessage(EventId = 1118, Level = LogLevel.Critical, Message = "A signaling loop failed unexpectedly")]
        public static partial void LoopFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 1119, Level = LogLevel.Warning, Message = "Receiving on connection {Generation} failed")]
        public static partial void ReceiveFailed(ILogger logger, int generation, Exception exception);

        [LoggerMessage(EventId = 1120, Level = LogLevel.Warning, Message = "The signaling upgrade was refused for clock skew; signing clock offset corrected from {PreviousSeconds} s to {OffsetSeconds} s (service Date header)")]
        public static partial void ClockSkewCorrected(ILogger logger, double previousSeconds, double offsetSeconds);
    }
}
