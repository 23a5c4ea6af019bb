using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Emulator.Signaling;

/// <summary>
/// One accepted WebSocket: a reader loop that hands complete text messages to the <see cref="SignalingHub"/>, and a
/// writer loop that drains a bounded send queue (routed messages, control frames, the close frame) so that sends are
/// never concurrent and stay in order.
/// </summary>
/// <remarks>
/// <para>Protocol violations: a binary message closes the socket with 1003 (unsupported data), a message larger than
/// <see cref="KvsEmulatorOptions.MaxFrameSize"/> with 1009 (message too big). After the emulator sends a close frame it
/// waits a bounded real time for the client's close, then aborts.</para>
/// <para>Routed messages that could not be written when the socket ends are re-routed (buffered for the identity) so
/// that nothing is lost to a reconnect.</para>
/// <para>Thread-safe: the enqueue, close and abort methods may be called from any thread.</para>
/// </remarks>
internal sealed partial class SignalingConnection : IDisposable
{
    private static readonly TimeSpan s_closeHandshakeTimeout = TimeSpan.FromSeconds(5);

    private readonly SignalingHub _hub;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Channel<OutboundFrame> _outbound;
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<RoutedMessage> _leftovers = [];
    private readonly object _timerGate = new();
    private readonly int _maxFrameSize;
    private readonly TimeSpan _idleTimeout;
    private WebSocket? _socket;
    private HttpContext? _httpContext;
    private ITimer? _idleTimer;
    private ITimer? _lifetimeTimer;
    private ITimer? _scheduledCloseTimer;
    private int _closeRequested;
    private volatile bool _isCurrent;
    private volatile bool _disconnected;

    public SignalingConnection(SignalingHub hub, long id, string channelArn, string channelName, KvsEmulatorRole role, string? clientId, DateTimeOffset connectedAt, int maxFrameSize, TimeSpan idleTimeout, int queueCapacity, ILogger logger)
    {
        _hub = hub;
        _timeProvider = hub.TimeProvider;
        _logger = logger;
        Id = id;
        ChannelArn = channelArn;
        ChannelName = channelName;
        Role = role;
        ClientId = clientId;
        ConnectedAt = connectedAt;
        _maxFrameSize = maxFrameSize;
        _idleTimeout = idleTimeout;
        _outbound = Channel.CreateBounded<OutboundFrame>(new BoundedChannelOptions(queueCapacity) { SingleReader = true, SingleWriter = false });
    }

    public long Id { get; }

    public string ChannelArn { get; }

    public string ChannelName { get; }

    public KvsEmulatorRole Role { get; }

    /// <summary>The viewer's client id; null for the master.</summary>
    public string? ClientId { get; }

    public DateTimeOffset ConnectedAt { get; }

    /// <summary>True while the hub routes this identity's messages here. Written under the channel lock.</summary>
    public bool IsCurrent
    {
        get => _isCurrent;
        set => _isCurrent = value;
    }

    /// <summary>Completes when the socket has ended and the connection has been cleaned up.</summary>
    public Task Completion => _completion.Task;

    /// <summary>A display name for logs: <c>MASTER</c> or <c>VIEWER viewer-1</c>.</summary>
    public string DisplayName => ClientId is null ? "MASTER" : "VIEWER " + ClientId;

    public KvsEmulatorConnectionInfo ToInfo() => new(Id, ChannelArn, ChannelName, Role, ClientId, ConnectedAt, IsCurrent);

    /// <summary>Queues a routed message; false when the socket is ending or its queue is full.</summary>
    public bool TryEnqueueRouted(RoutedMessage message) =>
        !_disconnected && _outbound.Writer.TryWrite(OutboundFrame.Routed(message, _timeProvider.GetUtcNow()));

    /// <summary>Queues an encoded service frame (STATUS_RESPONSE, GO_AWAY, RECONNECT_ICE_SERVER); false when it cannot be sent.</summary>
    public bool TryEnqueueControl(string json) =>
        !_disconnected && Volatile.Read(ref _closeRequested) == 0 && _outbound.Writer.TryWrite(OutboundFrame.Control(json, _timeProvider.GetUtcNow()));

    /// <summary>Asks the writer to send a close frame after what is already queued (first request wins).</summary>
    public void RequestClose(WebSocketCloseStatus status, string reason)
    {
        if (Interlocked.Exchange(ref _closeRequested, 1) != 0)
        {
            return;
        }

        Log.CloseRequested(_logger, Id, DisplayName, ChannelName, (int)status, reason);
        if (!_outbound.Writer.TryWrite(OutboundFrame.Close(status, reason, _timeProvider.GetUtcNow())))
        {
            Abort();
        }
    }

    /// <summary>Closes with <paramref name="status"/> after <paramref name="delay"/> on the emulator clock (zero: now).</summary>
    public void ScheduleClose(TimeSpan delay, WebSocketCloseStatus status, string reason)
    {
        if (delay <= TimeSpan.Zero)
        {
            RequestClose(status, reason);
            return;
        }

        lock (_timerGate)
        {
            _scheduledCloseTimer?.Dispose();
            _scheduledCloseTimer = _timeProvider.CreateTimer(_ => RequestClose(status, reason), null, delay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Sets the maximum connection age; a connection already older is closed at once.</summary>
    public void SetMaxDuration(TimeSpan maxDuration)
    {
        lock (_timerGate)
        {
            if (maxDuration == Timeout.InfiniteTimeSpan)
            {
                _lifetimeTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                return;
            }

            var due = ConnectedAt + maxDuration - _timeProvider.GetUtcNow();
            if (due < TimeSpan.Zero)
            {
                due = TimeSpan.Zero;
            }

            _lifetimeTimer ??= _timeProvider.CreateTimer(_ => OnMaxDurationReached(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _lifetimeTimer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Drops the connection without a close handshake (the TCP connection is aborted).</summary>
    public void Abort()
    {
        try
        {
            _abort.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already finished.
        }

        try
        {
            _httpContext?.Abort();
        }
        catch (ObjectDisposedException)
        {
            // Already finished.
        }
    }

    /// <summary>
    /// Arms the lifetime and idle timers; called once registered and before the upgrade is answered, so that a test
    /// advancing a manual clock right after connecting always finds them.
    /// </summary>
    public void StartTimers(TimeSpan maxDuration)
    {
        SetMaxDuration(maxDuration);
        ResetIdleTimer();
    }

    /// <summary>Serves the accepted socket until it ends, then unregisters and re-routes unsent messages.</summary>
    public async Task RunAsync(WebSocket socket, HttpContext httpContext)
    {
        _socket = socket;
        _httpContext = httpContext;
        var writer = Task.Run(RunWriterAsync);
        try
        {
            await RunReaderAsync(socket).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                Log.ReceiveEnded(_logger, Id, DisplayName, ex);
            }
        }
        finally
        {
            await FinishAsync(writer).ConfigureAwait(false);
        }
    }

    /// <summary>Cleans up a connection that was registered but whose upgrade could not be completed.</summary>
    public Task AbandonAsync() => FinishAsync(Task.CompletedTask);

    private async Task FinishAsync(Task writer)
    {
        _hub.OnDisconnected(this);
        _disconnected = true;
        if (_socket is { State: WebSocketState.CloseReceived })
        {
            RequestClose(WebSocketCloseStatus.NormalClosure, string.Empty);
        }

        _outbound.Writer.TryComplete();
        try
        {
            await writer.WaitAsync(s_closeHandshakeTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Abort();
            await writer.WaitAsync(s_closeHandshakeTimeout).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }

        while (_outbound.Reader.TryRead(out var item))
        {
            if (item.Kind == OutboundFrameKind.Routed)
            {
                _leftovers.Add(item.Message!);
            }
        }

        lock (_timerGate)
        {
            _idleTimer?.Dispose();
            _lifetimeTimer?.Dispose();
            _scheduledCloseTimer?.Dispose();
        }

        if (_leftovers.Count > 0)
        {
            _hub.Reroute(this, _leftovers);
        }

        Dispose();
        Log.ConnectionEnded(_logger, Id, DisplayName, ChannelName, _socket?.CloseStatus is { } code ? (int)code : -1);
        _completion.TrySetResult();
    }

    /// <summary>Releases the abort token source (called once the connection has ended).</summary>
    public void Dispose() => _abort.Dispose();

    private async Task RunReaderAsync(WebSocket socket)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var message = new ArrayBufferWriter<byte>(4096);
        var discarding = false;
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), _abort.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    Log.ClientClosed(_logger, Id, DisplayName, socket.CloseStatus is { } status ? (int)status : -1);
                    return;
                }

                if (discarding)
                {
                    continue;
                }

                if (message.WrittenCount + result.Count > _maxFrameSize)
                {
                    _hub.Counters.ProtocolViolationClose();
                    Log.FrameTooLarge(_logger, Id, DisplayName, _maxFrameSize);
                    RequestClose(WebSocketCloseStatus.MessageTooBig, $"Messages are limited to {_maxFrameSize} bytes.");
                    discarding = true;
                    continue;
                }

                message.Write(buffer.AsSpan(0, result.Count));
                if (!result.EndOfMessage)
                {
                    continue;
                }

                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    _hub.Counters.ProtocolViolationClose();
                    Log.BinaryFrame(_logger, Id, DisplayName, message.WrittenCount);
                    RequestClose(WebSocketCloseStatus.InvalidMessageType, "Binary frames are not supported; send JSON text frames.");
                    discarding = true;
                    continue;
                }

                ResetIdleTimer();
                _hub.HandleClientFrame(this, message.WrittenSpan);
                message.ResetWrittenCount();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task RunWriterAsync()
    {
        var socket = _socket!;
        var reader = _outbound.Reader;
        RoutedMessage? inFlight = null;
        try
        {
            while (await reader.WaitToReadAsync(_abort.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var frame))
                {
                    switch (frame.Kind)
                    {
                        case OutboundFrameKind.Close:
                            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                            {
                                await socket.CloseOutputAsync(frame.CloseStatus, frame.CloseReason, _abort.Token).ConfigureAwait(false);
                            }

                            // Bound the wait for the client's close frame.
                            _abort.CancelAfter(s_closeHandshakeTimeout);
                            return;
                        case OutboundFrameKind.Control:
                            if (!_disconnected)
                            {
                                await SendTextAsync(socket, frame.Json!).ConfigureAwait(false);
                            }

                            break;
                        default:
                            var routed = frame.Message!;
                            if (_disconnected)
                            {
                                _leftovers.Add(routed);
                                break;
                            }

                            inFlight = routed;
                            await DeliverAsync(socket, routed, frame.EnqueuedAt).ConfigureAwait(false);
                            inFlight = null;
                            break;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
            if (inFlight is not null)
            {
                _leftovers.Add(inFlight);
            }

            if (_logger.IsEnabled(LogLevel.Debug))
            {
                Log.SendEnded(_logger, Id, DisplayName, ex);
            }
        }
    }

    private async Task DeliverAsync(WebSocket socket, RoutedMessage message, DateTimeOffset enqueuedAt)
    {
        if (_hub.Faults.TryConsumeDrop())
        {
            _hub.Counters.MessageDroppedByFault();
            Log.DroppedByFault(_logger, message.MessageType, Id, DisplayName);
            return;
        }

        var delay = _hub.Faults.DeliveryDelay;
        if (delay > TimeSpan.Zero)
        {
            var wait = enqueuedAt + delay - _timeProvider.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _timeProvider, _abort.Token).ConfigureAwait(false);
            }
        }

        var bytes = SignalingServiceCodec.EncodeFrameUtf8(message.MessageType, message.SenderClientId, message.Payload, null, out var length);
        try
        {
            await socket.SendAsync(bytes.AsMemory(0, length), WebSocketMessageType.Text, endOfMessage: true, _abort.Token).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }

        _hub.Counters.MessageDelivered();
        Log.Delivered(_logger, message.MessageType, message.SenderClientId ?? "MASTER", Id, DisplayName, message.Payload.Length);
    }

    private Task SendTextAsync(WebSocket socket, string json)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(json);
        return socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, _abort.Token);
    }

    private void ResetIdleTimer()
    {
        if (_idleTimeout == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        lock (_timerGate)
        {
            _idleTimer ??= _timeProvider.CreateTimer(_ => RequestClose(WebSocketCloseStatus.EndpointUnavailable, "Idle timeout."), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _idleTimer.Change(_idleTimeout, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnMaxDurationReached() =>
        RequestClose(WebSocketCloseStatus.EndpointUnavailable, "Maximum connection duration reached.");

    private static partial class Log
    {
        [LoggerMessage(EventId = 8080, Level = LogLevel.Debug, Message = "Connection #{ConnectionId} ({Identity}): delivered {MessageType} from {Sender} ({PayloadLength} payload chars)")]
        public static partial void Delivered(ILogger logger, string messageType, string sender, long connectionId, string identity, int payloadLength);

        [LoggerMessage(EventId = 8081, Level = LogLevel.Information, Message = "Connection #{ConnectionId} ({Identity}) on {ChannelName}: closing with {CloseStatus} ({Reason})")]
        public static partial void CloseRequested(ILogger logger, long connectionId, string identity, string channelName, int closeStatus, string reason);

        [LoggerMessage(EventId = 8082, Level = LogLevel.Information, Message = "Connection #{ConnectionId} ({Identity}) on {ChannelName} ended (close status {CloseStatus})")]
        public static partial void ConnectionEnded(ILogger logger, long connectionId, string identity, string channelName, int closeStatus);

        [LoggerMessage(EventId = 8083, Level = LogLevel.Debug, Message = "Connection #{ConnectionId} ({Identity}): client sent close {CloseStatus}")]
        public static partial void ClientClosed(ILogger logger, long connectionId, string identity, int closeStatus);

        [LoggerMessage(EventId = 8084, Level = LogLevel.Warning, Message = "Connection #{ConnectionId} ({Identity}): message larger than {MaxFrameSize} bytes; closing with 1009")]
        public static partial void FrameTooLarge(ILogger logger, long connectionId, string identity, int maxFrameSize);

        [LoggerMessage(EventId = 8085, Level = LogLevel.Warning, Message = "Connection #{ConnectionId} ({Identity}): binary message of {Length} bytes; closing with 1003")]
        public static partial void BinaryFrame(ILogger logger, long connectionId, string identity, int length);

        [LoggerMessage(EventId = 8086, Level = LogLevel.Debug, Message = "Connection #{ConnectionId} ({Identity}): receive loop ended by an exception")]
        public static partial void ReceiveEnded(ILogger logger, long connectionId, string identity, Exception exception);

        [LoggerMessage(EventId = 8087, Level = LogLevel.Debug, Message = "Connection #{ConnectionId} ({Identity}): send loop ended by an exception")]
        public static partial void SendEnded(ILogger logger, long connectionId, string identity, Exception exception);

        [LoggerMessage(EventId = 8088, Level = LogLevel.Information, Message = "Fault injection: dropped {MessageType} for connection #{ConnectionId} ({Identity})")]
        public static partial void DroppedByFault(ILogger logger, string messageType, long connectionId, string identity);
    }
}
