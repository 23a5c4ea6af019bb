using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using Kvs.WebRtc.Emulator.ControlPlane;
using Kvs.WebRtc.Emulator.Http;
using Kvs.WebRtc.Signaling;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Emulator.Signaling;

/// <summary>
/// Routes signaling messages between the connections of each channel (spec 5.5) and buffers them for offline
/// recipients.
/// </summary>
/// <remarks>
/// <para>Routing: the master must name a viewer in <c>recipientClientId</c>; a viewer's message always goes to the
/// master and gets <c>senderClientId</c> added; the master's messages carry none. <c>messagePayload</c> is forwarded
/// untouched.</para>
/// <para>Buffering: a message for a recipient that is not connected is kept for the channel's MessageTtlSeconds
/// (read when the message is sent). A newer SDP offer (or answer) from the same sender replaces a pending one; ICE
/// candidates are kept in order. When the recipient connects, pending messages are delivered first, in order.</para>
/// <para>Errors (each answered with a STATUS_RESPONSE, <c>statusCode</c> as a string, only when the frame carried a
/// valid correlation id; otherwise logged and counted): frame that is not a JSON object or lacks
/// <c>action</c>/<c>messagePayload</c> (400 InvalidArgumentException); an action other than SDP_OFFER, SDP_ANSWER,
/// ICE_CANDIDATE (400); a payload longer than MaxMessagePayloadLength or not base64 (400); a master message without a
/// valid <c>recipientClientId</c> (400); a viewer naming another connected viewer as recipient (400); a deleted
/// channel (404 ResourceNotFoundException). A recipient that is not connected is not an error: the message is buffered.</para>
/// <para>Newest connection wins: a new master (or a viewer reusing a client id) takes over routing at once; the older
/// socket is closed with 1000 after <see cref="KvsEmulatorOptions.SupersededConnectionGracePeriod"/>.</para>
/// <para>Thread-safe: one lock per channel.</para>
/// </remarks>
internal sealed partial class SignalingHub
{
    private readonly ConcurrentDictionary<string, ChannelSignalingState> _channels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, SignalingConnection> _connections = new();
    private readonly ChannelStore _store;
    private readonly KvsEmulatorOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly int _queueCapacity;
    private long _nextConnectionId;
    private long _maxDurationTicks;

    public SignalingHub(ChannelStore store, KvsEmulatorOptions options, FaultState faults, EmulatorCounters counters)
    {
        _store = store;
        _options = options;
        Faults = faults;
        Counters = counters;
        TimeProvider = options.TimeProvider;
        _loggerFactory = options.LoggerFactory;
        _logger = options.LoggerFactory.CreateLogger<SignalingHub>();
        _queueCapacity = Math.Max(4096, options.MaxPendingMessagesPerRecipient * 2);
        _maxDurationTicks = options.MaxConnectionDuration.Ticks;
    }

    /// <summary>
    /// Takes a master's message that names no recipient (channel ARN, message type, payload): the storage session's
    /// answer and candidates. Returns false when the channel has no storage session (the frame is then refused).
    /// </summary>
    public Func<string, string, string, bool>? UnaddressedMasterMessage { get; set; }

    /// <summary>
    /// Takes a viewer's message for the storage session when that viewer joined it (channel ARN, viewer client id,
    /// message type, payload): the viewer's answer and candidates go to the storage session's peer, not to the master.
    /// Returns false when the viewer has no storage-session peer (the message then goes to the master as usual).
    /// </summary>
    public Func<string, string, string, string, bool>? StorageViewerMessage { get; set; }

    /// <summary>Raised after every client frame is handled, outside any lock (test hook).</summary>
    public event Action<FrameProcessedEvent>? FrameProcessed;

    public TimeProvider TimeProvider { get; }

    public FaultState Faults { get; }

    public EmulatorCounters Counters { get; }

    /// <summary>The maximum connection age applied to current and future connections.</summary>
    public TimeSpan MaxConnectionDuration
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _maxDurationTicks));
        set
        {
            Interlocked.Exchange(ref _maxDurationTicks, value.Ticks);
            foreach (var connection in _connections.Values)
            {
                connection.SetMaxDuration(value);
            }
        }
    }

    /// <summary>Creates (but does not register) a connection object for an upgrade being accepted.</summary>
    public SignalingConnection CreateConnection(EmulatedChannel channel, KvsEmulatorRole role, string? clientId) =>
        new(this, Interlocked.Increment(ref _nextConnectionId), channel.Arn, channel.Name, role, clientId, TimeProvider.GetUtcNow(),
            _options.MaxFrameSize, _options.IdleTimeout, _queueCapacity, _loggerFactory.CreateLogger<SignalingConnection>());

    /// <summary>
    /// Makes <paramref name="connection"/> the routing target for its identity and queues its pending messages; the
    /// superseded connection (if any) is closed after the grace period. Returns an error when the viewer limit is hit.
    /// </summary>
    public AwsServiceError? TryRegister(SignalingConnection connection)
    {
        var state = _channels.GetOrAdd(connection.ChannelArn, static arn => new ChannelSignalingState(arn));
        SignalingConnection? superseded;
        List<RoutedMessage> pending;
        int expired;
        lock (state.Gate)
        {
            if (connection.Role == KvsEmulatorRole.Viewer)
            {
                var clientId = connection.ClientId!;
                superseded = state.Viewers.GetValueOrDefault(clientId);
                if (superseded is null && state.Viewers.Count >= _options.MaxViewersPerChannel)
                {
                    return new AwsServiceError(AwsErrorTypes.ClientLimitExceeded, HttpStatusCode.BadRequest,
                        string.Create(CultureInfo.InvariantCulture, $"Viewer limit reached: the channel already has {_options.MaxViewersPerChannel} connected viewers."));
                }

                state.Viewers[clientId] = connection;
                if (state.ViewerPending.Remove(clientId, out var queue))
                {
                    pending = queue.TakeAll(TimeProvider.GetUtcNow(), out expired);
                }
                else
                {
                    pending = [];
                    expired = 0;
                }
            }
            else
            {
                superseded = state.Master;
                state.Master = connection;
                pending = state.MasterPending.TakeAll(TimeProvider.GetUtcNow(), out expired);
            }

            if (superseded is not null)
            {
                superseded.IsCurrent = false;
            }

            connection.IsCurrent = true;
            _connections[connection.Id] = connection;
            foreach (var message in pending)
            {
                if (!connection.TryEnqueueRouted(message))
                {
                    Counters.MessagesDiscarded(1);
                }
            }
        }

        RecordExpired(expired, connection.ChannelName);
        Log.Registered(_logger, connection.Id, connection.DisplayName, connection.ChannelName, pending.Count);
        if (superseded is not null)
        {
            Log.Superseded(_logger, superseded.Id, superseded.DisplayName, connection.ChannelName, connection.Id);
            superseded.ScheduleClose(_options.SupersededConnectionGracePeriod, WebSocketCloseStatus.NormalClosure, "Superseded by a newer connection with the same identity.");
        }

        return null;
    }

    /// <summary>Stops routing to <paramref name="connection"/> (if it is still the current one for its identity).</summary>
    public void OnDisconnected(SignalingConnection connection)
    {
        _connections.TryRemove(connection.Id, out _);
        if (!_channels.TryGetValue(connection.ChannelArn, out var state))
        {
            return;
        }

        lock (state.Gate)
        {
            if (connection.Role == KvsEmulatorRole.Master)
            {
                if (ReferenceEquals(state.Master, connection))
                {
                    state.Master = null;
                }
            }
            else if (state.Viewers.TryGetValue(connection.ClientId!, out var current) && ReferenceEquals(current, connection))
            {
                state.Viewers.Remove(connection.ClientId!);
            }

            connection.IsCurrent = false;
        }
    }

    /// <summary>Routes messages that a closed connection could not send to the identity's current connection or buffer.</summary>
    public void Reroute(SignalingConnection connection, List<RoutedMessage> messages)
    {
        var channel = _store.FindByArn(connection.ChannelArn);
        if (channel is null)
        {
            Counters.MessagesDiscarded(messages.Count);
            return;
        }

        var now = TimeProvider.GetUtcNow();
        foreach (var message in messages)
        {
            if (message.ExpiresAt <= now)
            {
                RecordExpired(1, channel.Name);
                continue;
            }

            Deliver(channel, connection.Role, connection.ClientId, message);
        }

        Log.Rerouted(_logger, messages.Count, connection.Id, connection.DisplayName);
    }

    /// <summary>Handles one complete text frame from a client.</summary>
    public void HandleClientFrame(SignalingConnection sender, ReadOnlySpan<byte> utf8)
    {
        Counters.FrameReceived();
        if (!SignalingServiceCodec.TryDecodeFrame(utf8, out var frame, out var decodeError))
        {
            Counters.MalformedFrame();
            Reject(sender, frame, HttpStatusCode.BadRequest, AwsErrorTypes.InvalidArgument, decodeError ?? "The frame is not a signaling frame.");
            return;
        }

        var messageType = SignalingWireNames.Parse(frame.Action) switch
        {
            SignalingMessageType.SdpOffer => SignalingWireNames.SdpOffer,
            SignalingMessageType.SdpAnswer => SignalingWireNames.SdpAnswer,
            SignalingMessageType.IceCandidate => SignalingWireNames.IceCandidate,
            _ => null,
        };
        if (messageType is null)
        {
            Reject(sender, frame, HttpStatusCode.BadRequest, AwsErrorTypes.InvalidArgument, "Unsupported action; use SDP_OFFER, SDP_ANSWER or ICE_CANDIDATE.");
            return;
        }

        if (frame.MessagePayload.Length > _options.MaxMessagePayloadLength)
        {
            Reject(sender, frame, HttpStatusCode.BadRequest, AwsErrorTypes.InvalidArgument,
                string.Create(CultureInfo.InvariantCulture, $"messagePayload is {frame.MessagePayload.Length} characters; the limit is {_options.MaxMessagePayloadLength}."));
            return;
        }

        var decoded = LenientBase64.DecodeRented(frame.MessagePayload, out _);
        if (decoded is null)
        {
            Reject(sender, frame, HttpStatusCode.BadRequest, AwsErrorTypes.InvalidArgument, "messagePayload is not base64.");
            return;
        }

        ArrayPool<byte>.Shared.Return(decoded);
        var channel = _store.FindByArn(sender.ChannelArn);
        if (channel is null)
        {
            Reject(sender, frame, HttpStatusCode.NotFound, AwsErrorTypes.ResourceNotFound, "The channel no longer exists.");
            return;
        }

        var expiresAt = TimeProvider.GetUtcNow() + TimeSpan.FromSeconds(channel.MessageTtlSeconds);
        FrameOutcome outcome;
        if (sender.Role == KvsEmulatorRole.Master)
        {
            if (string.IsNullOrEmpty(frame.RecipientClientId) && UnaddressedMasterMessage is { } storage
                && storage(channel.Arn, messageType, frame.MessagePayload))
            {
                // For the storage session (WebRTC ingestion): its offer carried no sender id, so the answer names no recipient.
                Log.FrameRouted(_logger, messageType, sender.DisplayName, channel.Name, FrameOutcome.Routed);
                FrameProcessed?.Invoke(new FrameProcessedEvent(sender.Id, frame.Action, FrameOutcome.Routed, null));
                return;
            }

            if (frame.RecipientClientId is null || !SignalingIdentifiers.IsValidRecipientClientId(frame.RecipientClientId))
            {
                Reject(sender, frame, HttpStatusCode.BadRequest, AwsErrorTypes.InvalidArgument,
                    "The master must name the viewer in recipientClientId (1 to 256 characters of [a-zA-Z0-9_.-]).");
                return;
            }

            outcome = Deliver(channel, KvsEmulatorRole.Viewer, frame.RecipientClientId, new RoutedMessage(messageType, null, frame.MessagePayload, expiresAt));
        }
        else
        {
            if (frame.RecipientClientId is { } recipient
                && !string.Equals(recipient, sender.ClientId, StringComparison.Ordinal)
                && IsConnectedViewer(channel.Arn, recipient))
            {
                Reject(sender, frame, HttpStatusCode.BadRequest, AwsErrorTypes.InvalidArgument, "A viewer can only send messages to the master.");
                return;
            }

            if (string.IsNullOrEmpty(frame.RecipientClientId) && sender.ClientId is { } viewerId && StorageViewerMessage is { } storageViewer
                && storageViewer(channel.Arn, viewerId, messageType, frame.MessagePayload))
            {
                // The viewer joined the storage session (JoinStorageSessionAsViewer): its answer and candidates are for
                // the storage session's peer, which sent it the offer.
                Log.FrameRouted(_logger, messageType, sender.DisplayName, channel.Name, FrameOutcome.Routed);
                FrameProcessed?.Invoke(new FrameProcessedEvent(sender.Id, frame.Action, FrameOutcome.Routed, null));
                return;
            }

            outcome = Deliver(channel, KvsEmulatorRole.Master, null, new RoutedMessage(messageType, sender.ClientId, frame.MessagePayload, expiresAt));
        }

        Log.FrameRouted(_logger, messageType, sender.DisplayName, channel.Name, outcome);
        FrameProcessed?.Invoke(new FrameProcessedEvent(sender.Id, frame.Action, outcome, null));
    }

    /// <summary>
    /// Sends a message from the emulated storage session to the channel's master, without <c>senderClientId</c> (buffered
    /// for the channel's TTL while no master is connected).
    /// </summary>
    public FrameOutcome SendToMaster(string channelArn, string messageType, string payload)
    {
        var channel = _store.FindByArn(channelArn);
        if (channel is null)
        {
            return FrameOutcome.Rejected;
        }

        var expiresAt = TimeProvider.GetUtcNow() + TimeSpan.FromSeconds(channel.MessageTtlSeconds);
        return Deliver(channel, KvsEmulatorRole.Master, null, new RoutedMessage(messageType, null, payload, expiresAt));
    }

    /// <summary>
    /// Sends a message from the emulated storage session to a viewer that joined it, without <c>senderClientId</c>
    /// (buffered for the channel's TTL while that viewer is not connected).
    /// </summary>
    public FrameOutcome SendToViewer(string channelArn, string clientId, string messageType, string payload)
    {
        var channel = _store.FindByArn(channelArn);
        if (channel is null)
        {
            return FrameOutcome.Rejected;
        }

        var expiresAt = TimeProvider.GetUtcNow() + TimeSpan.FromSeconds(channel.MessageTtlSeconds);
        return Deliver(channel, KvsEmulatorRole.Viewer, clientId, new RoutedMessage(messageType, null, payload, expiresAt));
    }

    /// <summary>Forgets a deleted channel: its pending messages are dropped and its sockets closed with 1001.</summary>
    public void OnChannelDeleted(EmulatedChannel channel)
    {
        if (_channels.TryRemove(channel.Arn, out var state))
        {
            lock (state.Gate)
            {
                var dropped = state.MasterPending.Count + state.ViewerPending.Values.Sum(q => q.Count);
                Counters.MessagesDiscarded(dropped);
            }
        }

        foreach (var connection in _connections.Values.Where(c => c.ChannelArn == channel.Arn))
        {
            connection.IsCurrent = false;
            connection.RequestClose(WebSocketCloseStatus.EndpointUnavailable, "The channel was deleted.");
        }
    }

    /// <summary>The number of open connections.</summary>
    public int ConnectionCount => _connections.Count;

    public List<KvsEmulatorConnectionInfo> GetConnections() =>
        _connections.Values.OrderBy(c => c.Id).Select(c => c.ToInfo()).ToList();

    /// <summary>Runs <paramref name="action"/> on every open connection that matches; returns how many matched.</summary>
    public int ForEach(Func<KvsEmulatorConnectionInfo, bool>? filter, Action<SignalingConnection> action)
    {
        var count = 0;
        foreach (var connection in _connections.Values.OrderBy(c => c.Id))
        {
            if (filter is null || filter(connection.ToInfo()))
            {
                action(connection);
                count++;
            }
        }

        return count;
    }

    /// <summary>Number of messages currently buffered for offline recipients of a channel.</summary>
    public int GetPendingCount(string channelArn)
    {
        if (!_channels.TryGetValue(channelArn, out var state))
        {
            return 0;
        }

        lock (state.Gate)
        {
            RecordExpired(state.PruneAll(TimeProvider.GetUtcNow()), channelArn);
            return state.MasterPending.Count + state.ViewerPending.Values.Sum(q => q.Count);
        }
    }

    /// <summary>Sends GO_AWAY to every socket, closes them with 1001, and waits (bounded) until they have ended.</summary>
    public async Task ShutdownAsync(TimeSpan timeout)
    {
        var goAway = SignalingServiceCodec.EncodeFrame(SignalingWireNames.GoAway, null, null, null);
        var connections = _connections.Values.ToList();
        foreach (var connection in connections)
        {
            connection.IsCurrent = false;
            connection.TryEnqueueControl(goAway);
            connection.RequestClose(WebSocketCloseStatus.EndpointUnavailable, "The emulator is shutting down.");
        }

        var all = Task.WhenAll(connections.Select(c => c.Completion));
        try
        {
            await all.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            foreach (var connection in connections)
            {
                connection.Abort();
            }

            await all.WaitAsync(timeout).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    private bool IsConnectedViewer(string channelArn, string clientId)
    {
        if (!_channels.TryGetValue(channelArn, out var state))
        {
            return false;
        }

        lock (state.Gate)
        {
            return state.Viewers.ContainsKey(clientId);
        }
    }

    private FrameOutcome Deliver(EmulatedChannel channel, KvsEmulatorRole recipientRole, string? recipientClientId, RoutedMessage message)
    {
        var state = _channels.GetOrAdd(channel.Arn, static arn => new ChannelSignalingState(arn));
        SignalingConnection? slowConsumer = null;
        int expired;
        FrameOutcome outcome;
        lock (state.Gate)
        {
            var connection = recipientRole == KvsEmulatorRole.Master ? state.Master : state.Viewers.GetValueOrDefault(recipientClientId!);
            if (connection is { IsCurrent: true } && connection.TryEnqueueRouted(message))
            {
                return FrameOutcome.Routed;
            }

            if (connection is { IsCurrent: true })
            {
                // Its send queue is full: the client is not reading. Drop it; the message waits for a reconnect.
                slowConsumer = connection;
            }

            expired = state.PruneAll(TimeProvider.GetUtcNow());
            PendingMessageQueue queue;
            if (recipientRole == KvsEmulatorRole.Master)
            {
                queue = state.MasterPending;
            }
            else if (!state.ViewerPending.TryGetValue(recipientClientId!, out queue!))
            {
                queue = new PendingMessageQueue();
                state.ViewerPending[recipientClientId!] = queue;
            }

            var discarded = queue.Add(message, _options.MaxPendingMessagesPerRecipient);
            Counters.MessageBuffered();
            Counters.MessagesDiscarded(discarded);
            outcome = FrameOutcome.Buffered;
        }

        RecordExpired(expired, channel.Name);
        if (slowConsumer is not null)
        {
            Log.SlowConsumer(_logger, slowConsumer.Id, slowConsumer.DisplayName);
            slowConsumer.Abort();
        }

        return outcome;
    }

    private void Reject(SignalingConnection sender, ClientFrame frame, HttpStatusCode status, string errorType, string description)
    {
        Counters.MessageRejected();
        var correlationId = frame.CorrelationId;
        if (correlationId is not null && SignalingIdentifiers.IsValidCorrelationId(correlationId))
        {
            var statusFrame = SignalingServiceCodec.EncodeFrame(SignalingWireNames.StatusResponse, null, null, new StatusResponse
            {
                CorrelationId = correlationId,
                ErrorType = errorType,
                StatusCode = ((int)status).ToString(CultureInfo.InvariantCulture),
                Description = description,
                Success = false,
            });
            if (sender.TryEnqueueControl(statusFrame))
            {
                Counters.StatusResponseSent();
            }

            Log.Rejected(_logger, sender.Id, sender.DisplayName, errorType, description, correlationId);
        }
        else
        {
            Counters.RejectionWithoutCorrelationId();
            Log.RejectedSilently(_logger, sender.Id, sender.DisplayName, errorType, description);
        }

        FrameProcessed?.Invoke(new FrameProcessedEvent(sender.Id, frame.Action.Length == 0 ? null : frame.Action, FrameOutcome.Rejected, errorType));
    }

    private void RecordExpired(int count, string channel)
    {
        if (count > 0)
        {
            Counters.MessagesExpired(count);
            Log.Expired(_logger, count, channel);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8050, Level = LogLevel.Information, Message = "Connection #{ConnectionId} ({Identity}) registered on {ChannelName}; {PendingCount} buffered message(s) queued to it")]
        public static partial void Registered(ILogger logger, long connectionId, string identity, string channelName, int pendingCount);

        [LoggerMessage(EventId = 8051, Level = LogLevel.Information, Message = "Connection #{ConnectionId} ({Identity}) on {ChannelName} superseded by #{NewConnectionId}")]
        public static partial void Superseded(ILogger logger, long connectionId, string identity, string channelName, long newConnectionId);

        [LoggerMessage(EventId = 8052, Level = LogLevel.Debug, Message = "{MessageType} from {Sender} on {ChannelName}: {Outcome}")]
        public static partial void FrameRouted(ILogger logger, string messageType, string sender, string channelName, FrameOutcome outcome);

        [LoggerMessage(EventId = 8053, Level = LogLevel.Warning, Message = "Connection #{ConnectionId} ({Identity}): frame refused with {ErrorType}: {Description}; STATUS_RESPONSE sent for correlation id {CorrelationId}")]
        public static partial void Rejected(ILogger logger, long connectionId, string identity, string errorType, string description, string correlationId);

        [LoggerMessage(EventId = 8054, Level = LogLevel.Warning, Message = "Connection #{ConnectionId} ({Identity}): frame refused with {ErrorType}: {Description}; no usable correlation id, so no STATUS_RESPONSE")]
        public static partial void RejectedSilently(ILogger logger, long connectionId, string identity, string errorType, string description);

        [LoggerMessage(EventId = 8055, Level = LogLevel.Information, Message = "{Count} buffered message(s) on {ChannelName} expired undelivered")]
        public static partial void Expired(ILogger logger, int count, string channelName);

        [LoggerMessage(EventId = 8056, Level = LogLevel.Debug, Message = "{Count} unsent message(s) of connection #{ConnectionId} ({Identity}) re-routed")]
        public static partial void Rerouted(ILogger logger, int count, long connectionId, string identity);

        [LoggerMessage(EventId = 8057, Level = LogLevel.Warning, Message = "Connection #{ConnectionId} ({Identity}) does not read its messages (send queue full); dropping it")]
        public static partial void SlowConsumer(ILogger logger, long connectionId, string identity);
    }
}
