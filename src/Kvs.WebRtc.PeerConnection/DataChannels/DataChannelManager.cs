using System.Buffers;
using System.Globalization;
using System.Text;
using Kvs.WebRtc.PeerConnection.Sctp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kvs.WebRtc.PeerConnection.DataChannels;

/// <summary>
/// The data channels of one peer connection over one <see cref="SctpAssociation"/>: DCEP (RFC 8832), stream id
/// allocation, PPID mapping, close by stream reset (RFC 8831 §6.7), bufferedAmount back-pressure.
/// </summary>
/// <remarks>
/// <para>Threading: every member is thread-safe. The association is touched only under an internal lock, so the
/// connection loop (<see cref="HandleInput"/>, <see cref="TryPollTransmit"/>, <see cref="HandleTimeout"/>) and user
/// threads (<see cref="RTCDataChannel.Send(string)"/>, <see cref="CreateDataChannel"/>, <see cref="RTCDataChannel.Close"/>)
/// may call concurrently. When a user thread queues something to send, <see cref="TransmitReady"/> is raised so the
/// loop drains <see cref="TryPollTransmit"/> and re-reads <see cref="NextTimeout"/>.</para>
/// <para>User-facing events (channel and <see cref="ChannelAnnounced"/>) are raised outside the lock, serialized and
/// in order, through the dispatcher given to the constructor (inline on the calling thread when none is given).</para>
/// </remarks>
internal sealed partial class DataChannelManager : IDatagramCore
{
    private readonly object _sync = new();
    private readonly List<RTCDataChannel> _unassigned = [];
    private SctpAssociation? _association;
    private bool _isDtlsClient;
    private readonly Func<TimeSpan> _clock;
    private readonly ILogger _logger;
    private readonly Action<Action>? _dispatcher;
    private readonly Dictionary<ushort, RTCDataChannel> _channels = [];
    private const int MaxPooledPendingSends = 1024;

    /// <summary>
    /// What a received message costs against the SCTP receive window on top of its bytes while it waits for the
    /// application (its array, event arguments and queue slot), when the association holds polled messages
    /// (<see cref="SctpAssociationOptions.HoldPolledMessages"/>): a flood of tiny messages fills the window too.
    /// </summary>
    internal const int ReceiveChargePerMessage = 256;

    /// <summary>Consumed bytes handed back to the association in batches of this size (or when the queue empties).</summary>
    private const int ReleaseBatchBytes = 32 * 1024;

    /// <summary>The least a message counts against a channel's cap and high-water mark (its buffer and bookkeeping).</summary>
    internal const int MinMessageCharge = 1024;

    private readonly List<RTCDataChannel> _waiting = [];
    private readonly Stack<DataChannelPendingSend> _pool = new();
    private readonly Queue<UserEvent> _userEvents = new();
    private bool _dispatching;
    private bool _flushAgain;
    private long _queuedDeliveryBytes;
    private long _peakQueuedDeliveryBytes;
    private int _queuedDeliveries;
    private long _releasePending;
    private long _messagesSent;
    private long _bytesSent;
    private long _messagesReceived;
    private long _bytesReceived;
    private bool _openRequested;
    private bool _connected;
    private bool _closed;

    /// <summary>Creates a manager with no association yet: channels can be created, and open once <see cref="Attach"/> and <see cref="Connect"/> ran.</summary>
    /// <param name="clock">Monotonic time source for calls made from user threads (the driver's clock).</param>
    /// <param name="logger">Optional logger.</param>
    /// <param name="dispatcher">Runs user callbacks (e.g. posts them to a queue); null runs them inline.</param>
    public DataChannelManager(Func<TimeSpan> clock, ILogger? logger = null, Action<Action>? dispatcher = null)
    {
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
        _logger = logger ?? NullLogger.Instance;
        _dispatcher = dispatcher;
    }

    /// <summary>Creates a manager and attaches <paramref name="association"/> at once (see <see cref="Attach"/>).</summary>
    public DataChannelManager(SctpAssociation association, bool isDtlsClient, Func<TimeSpan> clock, ILogger? logger = null, Action<Action>? dispatcher = null)
        : this(clock, logger, dispatcher) => Attach(association, isDtlsClient);

    /// <summary>A channel opened by the peer with DATA_CHANNEL_OPEN (W3C <c>ondatachannel</c>); raised before its <c>Opened</c>.</summary>
    public event Action<RTCDataChannel>? ChannelAnnounced;

    /// <summary>Raised (on the caller's thread, outside the lock) when a user call queued packets or changed timers.</summary>
    public event Action? TransmitReady;

    /// <summary>Raised (as a user event) when the association is established; the argument is how many channels it can carry.</summary>
    public event Action<int>? AssociationConnected;

    /// <summary>Raised once when the association has ended; the argument tells why.</summary>
    public event Action<string>? AssociationClosed;

    /// <summary>Wait threshold of <see cref="RTCDataChannel.SendAsync(ReadOnlyMemory{byte}, CancellationToken)"/> per channel; default 1 MiB.</summary>
    public long SendAsyncHighWaterMark { get; set; } = 1024 * 1024;

    /// <summary>
    /// Posts flow-controlled work (received messages) to the user-event task; false when that queue is full. Null: every
    /// event goes through the constructor's dispatcher. After a refusal the messages wait here, in order with the
    /// channel events behind them, until <see cref="ResumeDelivery"/>.
    /// </summary>
    public Func<Action, bool>? FlowControlledDispatcher { get; set; }

    /// <summary>Bytes of received messages (plus <see cref="ReceiveChargePerMessage"/> each) queued for the application and not yet consumed.</summary>
    public long QueuedDeliveryBytes => Interlocked.Read(ref _queuedDeliveryBytes);

    /// <summary>The most <see cref="QueuedDeliveryBytes"/> ever reached: a diagnostic of the receive-side bound.</summary>
    public long PeakQueuedDeliveryBytes => Interlocked.Read(ref _peakQueuedDeliveryBytes);

    /// <summary>Received messages queued for the application and not yet consumed.</summary>
    public int QueuedDeliveries => Volatile.Read(ref _queuedDeliveries);

    /// <summary>The user-event queue has room again (see <see cref="FlowControlledDispatcher"/>): hand it what waits here.</summary>
    public void ResumeDelivery() => FlushUserEvents();

    /// <summary>The attached association (for statistics and settings such as MaxSendMessageSize; drive it only through this manager).</summary>
    /// <exception cref="InvalidOperationException">No association is attached yet.</exception>
    public SctpAssociation Association => _association ?? throw new InvalidOperationException("No SCTP association is attached.");

    /// <summary>True once <see cref="Attach"/> (or the attaching constructor) has run.</summary>
    public bool IsAttached
    {
        get
        {
            lock (_sync)
            {
                return _association is not null;
            }
        }
    }

    /// <summary>
    /// Attaches the association once the DTLS role is known (DTLS client: even stream ids, server: odd; RFC 8832 §6)
    /// and gives ids to channels created before. Call once, then <see cref="Connect"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">An association is already attached.</exception>
    public void Attach(SctpAssociation association, bool isDtlsClient)
    {
        ArgumentNullException.ThrowIfNull(association);
        lock (_sync)
        {
            if (_association is not null)
            {
                throw new InvalidOperationException("An SCTP association is already attached.");
            }

            _association = association;
            _isDtlsClient = isDtlsClient;
            foreach (var channel in _unassigned)
            {
                channel.Id = AllocateId();
                _channels.Add(channel.StreamId, channel);
            }

            _unassigned.Clear();
        }
    }

    /// <summary>The channels not yet closed.</summary>
    public IReadOnlyList<RTCDataChannel> Channels
    {
        get
        {
            lock (_sync)
            {
                return [.. _unassigned, .. _channels.Values];
            }
        }
    }

    /// <summary>
    /// Creates a channel (W3C <c>createDataChannel</c>) in the Connecting state. In-band channels get the next free id of
    /// our parity and send DATA_CHANNEL_OPEN once the association is up; negotiated channels just open then. The channel
    /// opens during a later loop call (<see cref="TryPollTransmit"/> etc.), never inside this one.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid options, or the requested id is in use.</exception>
    /// <exception cref="InvalidOperationException">The association is closed, or no stream id is free.</exception>
    public RTCDataChannel CreateDataChannel(string label, RTCDataChannelInit? init = null)
    {
        ArgumentNullException.ThrowIfNull(label);
        init ??= new RTCDataChannelInit();
        init.Validate();
        if (Encoding.UTF8.GetByteCount(label) > ushort.MaxValue)
        {
            throw new ArgumentException("The label is longer than 65535 bytes.", nameof(label));
        }

        RTCDataChannel channel;
        lock (_sync)
        {
            if (_closed || _association?.IsTerminated == true)
            {
                throw new InvalidOperationException("The SCTP association is closed.");
            }

            ushort? id;
            if (init.Id is { } requested)
            {
                if (_channels.ContainsKey(requested))
                {
                    throw new ArgumentException($"Stream id {requested} is already in use.", nameof(init));
                }

                id = requested;
            }
            else
            {
                id = _association is null ? null : AllocateId();
            }

            channel = new RTCDataChannel(this, label, init.Protocol, init.Ordered, init.MaxRetransmits, init.MaxPacketLifeTime, init.Negotiated, id)
            {
                LocallyCreated = true,
                AckReceived = init.Negotiated,
            };
            if (id is { } assigned)
            {
                _channels.Add(assigned, channel);
            }
            else
            {
                _unassigned.Add(channel);
            }

            // Opened on the next loop turn (never inside this call), so the caller can attach handlers first.
            _openRequested = _connected;
        }

        AfterUserCall();
        return channel;
    }

    private ushort AllocateId()
    {
        var limit = Math.Min(_association!.OutboundStreamCount, (ushort)65535);
        for (int id = _isDtlsClient ? 0 : 1; id < limit; id += 2)
        {
            if (!_channels.ContainsKey((ushort)id))
            {
                return (ushort)id;
            }
        }

        throw new InvalidOperationException("No SCTP stream id is free.");
    }

    private void OpenLocalChannel(RTCDataChannel channel)
    {
        if (!channel.Negotiated)
        {
            var open = new DcepOpenMessage(
                DcepOpenMessage.ToChannelType(channel.Ordered, channel.MaxRetransmits, channel.MaxPacketLifeTime),
                0,
                (uint)(channel.MaxRetransmits ?? channel.MaxPacketLifeTime ?? 0),
                channel.Label,
                channel.Protocol);

            // RFC 8832 §6: DATA_CHANNEL_OPEN goes reliably and in order.
            var status = _association!.Send(channel.StreamId, DataChannelPpid.Dcep, open.ToArray(), false, SctpReliability.Reliable, _clock());
            if (status != SctpSendStatus.Queued)
            {
                FailChannel(channel, "could not send DATA_CHANNEL_OPEN: " + status);
                return;
            }
        }

        channel.SetState(RTCDataChannelState.Open);
        _association!.SetBufferedAmountLowThreshold(channel.StreamId, channel.BufferedAmountLowThreshold);
        EnqueueLifecycle(channel.RaiseOpened);
    }

    /// <summary>Starts the association (both WebRTC peers call this once DTLS is connected).</summary>
    /// <exception cref="InvalidOperationException">No association is attached.</exception>
    public void Connect(TimeSpan now)
    {
        lock (_sync)
        {
            if (_association is null)
            {
                throw new InvalidOperationException("Attach an SCTP association first.");
            }

            _association.Connect(now);
            ProcessAssociationEvents();
        }

        FlushUserEvents();
    }

    /// <summary>Feeds one SCTP packet (the payload of one DTLS record).</summary>
    public void HandleInput(ReadOnlySpan<byte> datagram, TimeSpan now)
    {
        lock (_sync)
        {
            if (_association is null)
            {
                return;
            }

            _association.HandleInput(datagram, now);
            ProcessAssociationEvents();
            DrainPending();
        }

        FlushUserEvents();
    }

    /// <summary>Produces the next SCTP packet to send in one DTLS record; false when there is nothing to send.</summary>
    public bool TryPollTransmit(Span<byte> destination, TimeSpan now, out int length)
    {
        bool produced;
        lock (_sync)
        {
            if (_association is null)
            {
                length = 0;
                return false;
            }

            produced = _association.TryPollTransmit(destination, now, out length);
            ProcessAssociationEvents();
            if (DrainPending() && !produced)
            {
                // Waiting messages just went into an idle buffer: send them now, not at the next SACK or timer.
                produced = _association.TryPollTransmit(destination, now, out length);
                ProcessAssociationEvents();
            }
        }

        FlushUserEvents();
        return produced;
    }

    /// <summary>Deadline of the association's next timer, or null.</summary>
    public TimeSpan? NextTimeout
    {
        get
        {
            lock (_sync)
            {
                return _association?.NextTimeout;
            }
        }
    }

    /// <summary>Runs due timers.</summary>
    public void HandleTimeout(TimeSpan now)
    {
        lock (_sync)
        {
            if (_association is null)
            {
                return;
            }

            _association.HandleTimeout(now);
            ProcessAssociationEvents();
        }

        FlushUserEvents();
    }

    /// <summary>Closes all channels and shuts the association down gracefully (RFC 9260 §9.2).</summary>
    public void Shutdown()
    {
        lock (_sync)
        {
            if (_association is null)
            {
                CloseAllWithoutAssociation();
            }
            else
            {
                _association.Shutdown(_clock());
                ProcessAssociationEvents();
            }
        }

        AfterUserCall();
    }

    /// <summary>Aborts the association (RFC 9260 §9.1); every channel closes.</summary>
    public void Abort(string reason)
    {
        lock (_sync)
        {
            if (_association is null)
            {
                CloseAllWithoutAssociation();
            }
            else
            {
                _association.Abort(reason, _clock());
                ProcessAssociationEvents();
            }
        }

        AfterUserCall();
    }

    private void CloseAllWithoutAssociation()
    {
        _closed = true;
        foreach (var channel in _unassigned.ToArray())
        {
            FinishClose(channel);
        }

        foreach (var channel in _channels.Values.ToArray())
        {
            FinishClose(channel);
        }
    }

    internal long GetBufferedAmount(RTCDataChannel channel)
    {
        lock (_sync)
        {
            return BufferedLocked(channel);
        }
    }

    /// <summary>
    /// What the channel's SCTP queue costs against the cap and the high-water mark: its bytes, but at least
    /// <see cref="MinMessageCharge"/> per message, since every queued message holds a pooled buffer of about one packet.
    /// Without the floor a flood of tiny messages would stay "small" in bytes while holding ~1.2 KB each.
    /// </summary>
    private static long SctpCharge(SctpAssociation association, ushort streamId) =>
        Math.Max(association.GetBufferedAmount(streamId), (long)association.GetQueuedMessageCount(streamId) * MinMessageCharge);

    /// <summary>Bytes in the SCTP send buffer for the channel plus the bytes of its waiting sends.</summary>
    private long BufferedLocked(RTCDataChannel channel) =>
        (_association is not null && channel.Id is { } id ? _association.GetBufferedAmount(id) : 0) + channel.PendingBytes;

    internal void SetBufferedAmountLowThreshold(RTCDataChannel channel, long value)
    {
        lock (_sync)
        {
            if (channel.ReadyState is RTCDataChannelState.Open or RTCDataChannelState.Closing)
            {
                _association!.SetBufferedAmountLowThreshold(channel.StreamId, value);
            }
        }
    }

    internal void Send(RTCDataChannel channel, RTCDataChannelMessageType type, ReadOnlySpan<byte> data)
    {
        lock (_sync)
        {
            ValidateLocked(channel, data.Length);
            var cost = Math.Max(data.Length, MinMessageCharge);
            var queued = SctpCharge(_association!, channel.StreamId);
            if (!FitsUnderCap(channel, queued + channel.PendingCharge, cost))
            {
                throw BufferFull(channel, data.Length);
            }

            if (channel.PendingHead is null)
            {
                SendLocked(channel, type, data);
            }
            else
            {
                // Earlier SendAsync calls are waiting: queue behind them (a copy) so the wire order is the call order.
                var node = RentPendingSend(channel, type, data.Length, cost);
                var copy = ArrayPool<byte>.Shared.Rent(data.Length);
                data.CopyTo(copy);
                node.Owned = copy;
                node.Data = copy.AsMemory(0, data.Length);
                Enqueue(channel, node);
            }
        }

        AfterUserCall();
    }

    internal ValueTask SendAsync(RTCDataChannel channel, RTCDataChannelMessageType type, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        DataChannelPendingSend? node = null;
        try
        {
            lock (_sync)
            {
                ValidateLocked(channel, data.Length);
                var cost = Math.Max(data.Length, MinMessageCharge);
                var association = _association!;
                var queued = SctpCharge(association, channel.StreamId);
                if (channel.PendingHead is null && HasRoom(association, channel, queued, cost))
                {
                    SendLocked(channel, type, data.Span);
                }
                else if (FitsUnderCap(channel, queued + channel.PendingCharge, cost))
                {
                    node = RentPendingSend(channel, type, data.Length, cost);
                    node.Data = data;
                    node.CancellationToken = cancellationToken;
                    Enqueue(channel, node);
                    if (cancellationToken.CanBeCanceled)
                    {
                        node.Poolable = false; // until the registration is known to be undone
                        node.Registration = cancellationToken.UnsafeRegister(static state => CancelPending((DataChannelPendingSend)state!), node);
                    }
                }
                else
                {
                    throw BufferFull(channel, data.Length);
                }
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or WebRtcException)
        {
            return ValueTask.FromException(ex);
        }

        if (node is null)
        {
            AfterUserCall();
            return default;
        }

        return node.AsValueTask();
    }

    /// <summary>
    /// Default SendAsync admission: the SCTP buffer of the channel stays under <see cref="SendAsyncHighWaterMark"/> (a
    /// message always goes when that buffer is empty), and the association-wide cap is respected.
    /// </summary>
    private bool HasRoom(SctpAssociation association, RTCDataChannel channel, long queued, int cost)
    {
        var highWater = Math.Min(SendAsyncHighWaterMark, channel.MaxBufferedAmount);
        var roomInChannel = queued == 0 || queued + cost <= highWater;
        var total = association.TotalBufferedAmount;
        var roomInAssociation = total == 0 || total + cost <= association.Options.MaxBufferedAmount;
        return roomInChannel && roomInAssociation;
    }

    /// <summary>The channel's cap: everything accepted and not yet sent stays at or below it (one oversized message may go alone).</summary>
    private static bool FitsUnderCap(RTCDataChannel channel, long buffered, int cost) =>
        buffered == 0 || buffered + cost <= channel.MaxBufferedAmount;

    private static WebRtcException BufferFull(RTCDataChannel channel, int length) =>
        new(WebRtcError.SendBufferFull, string.Create(CultureInfo.InvariantCulture,
            $"The send buffer of data channel {channel.Id} is full ({length} more bytes would pass its MaxBufferedAmount of {channel.MaxBufferedAmount}); await SendAsync or wait for BufferedAmountLow."));

    private void ValidateLocked(RTCDataChannel channel, int length, string paramName = "data")
    {
        if (channel.ReadyState != RTCDataChannelState.Open || _association is null)
        {
            throw new InvalidOperationException($"The data channel is {channel.ReadyState}, not Open.");
        }

        if (length > _association.MaxSendMessageSize)
        {
            throw new ArgumentException($"The message ({length} bytes) exceeds the maximum message size ({_association.MaxSendMessageSize} bytes).", paramName);
        }
    }

    private void SendLocked(RTCDataChannel channel, RTCDataChannelMessageType type, ReadOnlySpan<byte> data)
    {
        uint ppid;
        if (data.IsEmpty)
        {
            // RFC 8831 §6.6: an empty message is one zero byte with the "empty" PPID.
            ppid = type == RTCDataChannelMessageType.Text ? DataChannelPpid.StringEmpty : DataChannelPpid.BinaryEmpty;
            data = [0];
        }
        else
        {
            ppid = type == RTCDataChannelMessageType.Text ? DataChannelPpid.String : DataChannelPpid.Binary;
        }

        // RFC 8832 §6: until the DATA_CHANNEL_ACK arrives, messages go ordered so they cannot overtake the OPEN.
        var unordered = !channel.Ordered && channel.AckReceived;
        var reliability = channel.MaxRetransmits is { } rexmit ? SctpReliability.WithMaxRetransmits(rexmit)
            : channel.MaxPacketLifeTime is { } lifetime ? SctpReliability.WithLifetime(TimeSpan.FromMilliseconds(lifetime))
            : SctpReliability.Reliable;
        var status = _association!.Send(channel.StreamId, ppid, data, unordered, reliability, _clock());
        switch (status)
        {
            case SctpSendStatus.Queued:
                channel.CountSent(ppid is DataChannelPpid.StringEmpty or DataChannelPpid.BinaryEmpty ? 0 : data.Length);
                Interlocked.Increment(ref _messagesSent);
                Interlocked.Add(ref _bytesSent, ppid is DataChannelPpid.StringEmpty or DataChannelPpid.BinaryEmpty ? 0 : data.Length);
                return;
            case SctpSendStatus.BufferFull:
                throw new WebRtcException(WebRtcError.SendBufferFull, "The association's send buffer is full; await SendAsync or wait for BufferedAmountLow.");
            case SctpSendStatus.MessageTooLarge:
                throw new ArgumentException("The message exceeds the maximum message size.", nameof(data));
            default:
                throw new InvalidOperationException("The message cannot be sent: " + status);
        }
    }

    /// <summary>Messages and bytes sent and received on every channel of the association so far (for the meter).</summary>
    internal (long MessagesSent, long BytesSent, long MessagesReceived, long BytesReceived) Counters =>
        (Interlocked.Read(ref _messagesSent), Interlocked.Read(ref _bytesSent), Interlocked.Read(ref _messagesReceived), Interlocked.Read(ref _bytesReceived));

    internal void CloseChannel(RTCDataChannel channel)
    {
        lock (_sync)
        {
            if (channel.ReadyState is RTCDataChannelState.Closing or RTCDataChannelState.Closed)
            {
                return;
            }

            if (channel.ReadyState == RTCDataChannelState.Connecting || _association is null || _association.IsTerminated)
            {
                FinishClose(channel);
            }
            else
            {
                BeginClose(channel);
            }
        }

        AfterUserCall();
    }

    private void BeginClose(RTCDataChannel channel)
    {
        channel.SetState(RTCDataChannelState.Closing);
        EnqueueLifecycle(channel.RaiseClosing);
        if (!channel.OutgoingResetDone)
        {
            // Waiting sends go first (they are within the cap), then the stream reset after them.
            SettlePending(channel, send: true);
            _association!.ResetStreams([channel.StreamId], _clock());
        }
        else
        {
            SettlePending(channel, send: false);
        }
    }

    private void FinishClose(RTCDataChannel channel)
    {
        if (channel.ReadyState == RTCDataChannelState.Closed)
        {
            return;
        }

        channel.SetState(RTCDataChannelState.Closed);
        if (channel.Id is { } id && _channels.TryGetValue(id, out var current) && current == channel)
        {
            _channels.Remove(id);
        }

        _unassigned.Remove(channel);

        SettlePending(channel, send: false);
        EnqueueLifecycle(channel.RaiseClosed);
    }

    private void FailChannel(RTCDataChannel channel, string message)
    {
        Log.ChannelFailed(_logger, channel.Id ?? 0, message);
        EnqueueLifecycle(() => channel.RaiseError(message));
        FinishClose(channel);
    }

    private void ProcessAssociationEvents()
    {
        if (_association is null)
        {
            return;
        }

        if (_openRequested && _connected && !_closed)
        {
            _openRequested = false;
            foreach (var channel in _channels.Values.ToArray())
            {
                if (channel.ReadyState == RTCDataChannelState.Connecting && channel.LocallyCreated)
                {
                    OpenLocalChannel(channel);
                }
            }
        }

        while (_association.TryPollEvent(out var e))
        {
            switch (e.Kind)
            {
                case SctpEventKind.Connected:
                    _connected = true;
                    var streams = Math.Min(_association.OutboundStreamCount, _association.InboundStreamCount);
                    EnqueueLifecycle(() => AssociationConnected?.Invoke(streams));
                    foreach (var channel in _channels.Values.ToArray())
                    {
                        if (channel.ReadyState == RTCDataChannelState.Connecting)
                        {
                            OpenLocalChannel(channel);
                        }
                    }

                    break;
                case SctpEventKind.MessageReceived:
                    OnMessage(e.StreamId, e.Ppid, e.Data!);
                    break;
                case SctpEventKind.IncomingStreamReset:
                    if (_channels.TryGetValue(e.StreamId, out var reset))
                    {
                        reset.IncomingResetDone = true;
                        if (reset.ReadyState == RTCDataChannelState.Open)
                        {
                            // RFC 8831 §6.7: the peer closed; reset our side too.
                            BeginClose(reset);
                        }

                        if (reset.OutgoingResetDone)
                        {
                            FinishClose(reset);
                        }
                    }

                    break;
                case SctpEventKind.OutgoingStreamReset:
                case SctpEventKind.StreamResetFailed:
                    if (_channels.TryGetValue(e.StreamId, out var closing))
                    {
                        closing.OutgoingResetDone = true;
                        if (closing.IncomingResetDone || e.Kind == SctpEventKind.StreamResetFailed)
                        {
                            FinishClose(closing);
                        }
                    }

                    break;
                case SctpEventKind.BufferedAmountLow:
                    if (_channels.TryGetValue(e.StreamId, out var low) && low.ReadyState is RTCDataChannelState.Open or RTCDataChannelState.Closing)
                    {
                        // The SCTP buffer crossed the threshold; waiting sends still count in bufferedAmount, so the event
                        // may have to wait until they went out too.
                        low.LowEventDeferred = true;
                        RaiseDeferredLow(low);
                    }

                    break;
                case SctpEventKind.Closed:
                    OnAssociationClosed(e);
                    break;
                default:
                    break;
            }
        }
    }

    private void OnAssociationClosed(SctpEvent e)
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        foreach (var channel in _channels.Values.ToArray())
        {
            if (e.Aborted && channel.ReadyState != RTCDataChannelState.Closing)
            {
                var message = e.Reason ?? "SCTP association aborted";
                EnqueueLifecycle(() => channel.RaiseError(message));
            }

            FinishClose(channel);
        }

        var reason = e.Reason ?? "closed";
        EnqueueLifecycle(() => AssociationClosed?.Invoke(reason));
    }

    private void OnMessage(ushort streamId, uint ppid, byte[] data)
    {
        if (ppid == DataChannelPpid.Dcep)
        {
            ReleaseHeldLocked(data.Length);
            OnDcep(streamId, data);
            return;
        }

        if (!_channels.TryGetValue(streamId, out var channel) || channel.ReadyState is not (RTCDataChannelState.Open or RTCDataChannelState.Closing))
        {
            ReleaseHeldLocked(data.Length);
            Log.MessageDropped(_logger, streamId, "no open channel");
            return;
        }

        RTCDataChannelMessageEventArgs args;
        switch (ppid)
        {
            case DataChannelPpid.String:
            case DataChannelPpid.StringPartial:
                args = new RTCDataChannelMessageEventArgs(RTCDataChannelMessageType.Text, data);
                break;
            case DataChannelPpid.Binary:
            case DataChannelPpid.BinaryPartial:
                args = new RTCDataChannelMessageEventArgs(RTCDataChannelMessageType.Binary, data);
                break;
            case DataChannelPpid.StringEmpty:
                args = new RTCDataChannelMessageEventArgs(RTCDataChannelMessageType.Text, []);
                break;
            case DataChannelPpid.BinaryEmpty:
                args = new RTCDataChannelMessageEventArgs(RTCDataChannelMessageType.Binary, []);
                break;
            default:
                ReleaseHeldLocked(data.Length);
                Log.UnknownPpid(_logger, streamId, ppid);
                return;
        }

        // Any data from the peer on this stream implies it has seen our OPEN (RFC 8832 §6).
        channel.AckReceived = true;
        channel.CountReceived(args.Data.Length);
        Interlocked.Increment(ref _messagesReceived);
        Interlocked.Add(ref _bytesReceived, args.Data.Length);
        long charge = data.Length;
        if (_association!.Options.HoldPolledMessages)
        {
            // The message's bytes stay in the receive window until the handler has run; its bookkeeping counts too.
            _association.ChargeReceived(ReceiveChargePerMessage);
            charge += ReceiveChargePerMessage;
        }

        var queued = Interlocked.Add(ref _queuedDeliveryBytes, charge);
        if (queued > Interlocked.Read(ref _peakQueuedDeliveryBytes))
        {
            Interlocked.Exchange(ref _peakQueuedDeliveryBytes, queued);
        }

        Interlocked.Increment(ref _queuedDeliveries);
        _userEvents.Enqueue(new UserEvent(() => Deliver(channel, args, charge), FlowControlled: true));
    }

    /// <summary>Raises one message on the user-event task, then gives its window bytes back (in batches).</summary>
    private void Deliver(RTCDataChannel channel, RTCDataChannelMessageEventArgs args, long charge)
    {
        try
        {
            channel.RaiseMessage(args);
        }
        finally
        {
            Interlocked.Add(ref _queuedDeliveryBytes, -charge);
            var left = Interlocked.Decrement(ref _queuedDeliveries);
            if (Interlocked.Add(ref _releasePending, charge) >= ReleaseBatchBytes || left == 0)
            {
                ReleaseConsumed();
            }
        }
    }

    /// <summary>Hands consumed bytes back to the association; a window update goes out when the window opened enough.</summary>
    private void ReleaseConsumed()
    {
        bool windowUpdate;
        lock (_sync)
        {
            var bytes = Interlocked.Exchange(ref _releasePending, 0);
            if (bytes == 0 || _association is not { Options.HoldPolledMessages: true } association || association.IsTerminated)
            {
                return;
            }

            windowUpdate = association.ReleaseReceived(bytes);
        }

        if (windowUpdate)
        {
            TransmitReady?.Invoke();
        }
    }

    /// <summary>A polled message that never reaches the application leaves the receive window at once.</summary>
    private void ReleaseHeldLocked(int length)
    {
        if (_association is { Options.HoldPolledMessages: true } association)
        {
            association.ReleaseReceived(length);
        }
    }

    private void OnDcep(ushort streamId, byte[] data)
    {
        if (data.Length == 0)
        {
            return;
        }

        if (data[0] == (byte)DcepMessageType.DataChannelAck)
        {
            if (_channels.TryGetValue(streamId, out var acked))
            {
                acked.AckReceived = true;
            }

            return;
        }

        if (!DcepOpenMessage.TryParse(data, out var open) || open is null)
        {
            Log.MessageDropped(_logger, streamId, "malformed DCEP message");
            return;
        }

        if (_channels.ContainsKey(streamId))
        {
            // An OPEN for a stream we already use (collision or repeat) is ignored.
            Log.MessageDropped(_logger, streamId, "DATA_CHANNEL_OPEN for a stream in use");
            return;
        }

        var channel = new RTCDataChannel(this, open.Label, open.Protocol, open.Ordered, open.MaxRetransmits, open.MaxPacketLifeTime, negotiated: false, streamId)
        {
            AckReceived = true,
        };
        _channels.Add(streamId, channel);
        ReadOnlySpan<byte> ack = [(byte)DcepMessageType.DataChannelAck];
        _association!.Send(streamId, DataChannelPpid.Dcep, ack, false, SctpReliability.Reliable, _clock());
        channel.SetState(RTCDataChannelState.Open);
        EnqueueLifecycle(() => ChannelAnnounced?.Invoke(channel));
        EnqueueLifecycle(channel.RaiseOpened);
    }

    /// <summary>
    /// Moves waiting sends into the SCTP buffer, oldest first, as long as they fit: a channel is served once its SCTP
    /// buffer has drained to half the high-water mark (so an awaiting sender is woken once per half buffer, not once per
    /// packet), then filled up to the mark. Only the sends that went are completed; the rest keep waiting, in order.
    /// </summary>
    /// <returns>True when a waiting message was handed to SCTP.</returns>
    private bool DrainPending()
    {
        if (_waiting.Count == 0 || _association is not { } association)
        {
            return false;
        }

        var moved = false;
        for (var i = _waiting.Count - 1; i >= 0; i--)
        {
            var channel = _waiting[i];
            if (channel.ReadyState != RTCDataChannelState.Open)
            {
                continue; // closing and closed channels are settled by BeginClose / FinishClose
            }

            RaiseDeferredLow(channel);
            var queued = SctpCharge(association, channel.StreamId);
            if (queued > Math.Min(SendAsyncHighWaterMark, channel.MaxBufferedAmount) / 2)
            {
                continue;
            }

            while (channel.PendingHead is { } head && HasRoom(association, channel, queued, head.Cost))
            {
                Dequeue(channel, head);
                SendPendingLocked(channel, head);
                moved = true;
                queued = SctpCharge(association, channel.StreamId);
            }

            if (channel.PendingHead is null)
            {
                _waiting.RemoveAt(i);
            }
        }

        return moved;
    }

    /// <summary>Raises BufferedAmountLow once the channel's bufferedAmount (SCTP plus waiting sends) is at or below the threshold.</summary>
    private void RaiseDeferredLow(RTCDataChannel channel)
    {
        if (channel.LowEventDeferred && BufferedLocked(channel) <= channel.BufferedAmountLowThreshold)
        {
            channel.LowEventDeferred = false;
            EnqueueLifecycle(channel.RaiseBufferedAmountLow);
        }
    }

    /// <summary>Hands a dequeued send to SCTP and settles it (completes or fails the caller; recycles a sync copy).</summary>
    private void SendPendingLocked(RTCDataChannel channel, DataChannelPendingSend node)
    {
        Exception? failure = null;
        try
        {
            SendLocked(channel, node.Type, node.Data.Span);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or WebRtcException)
        {
            failure = ex;
        }

        Settle(node, failure);
    }

    private void Settle(DataChannelPendingSend node, Exception? failure)
    {
        if (node.Owned is { } owned)
        {
            // A synchronous Send accepted earlier: nobody awaits it.
            ArrayPool<byte>.Shared.Return(owned);
            node.Owned = null;
            if (failure is not null)
            {
                Log.MessageDropped(_logger, node.Channel.Id ?? 0, failure.Message);
            }

            ReturnPendingSend(node);
            return;
        }

        if (!node.Registration.Unregister() && node.CancellationToken.CanBeCanceled)
        {
            node.Poolable = false; // the cancellation callback may be running: never reuse this node
        }
        else
        {
            node.Poolable = true;
        }

        if (failure is null)
        {
            node.Complete();
        }
        else
        {
            node.Fail(failure);
        }
    }

    /// <summary>
    /// Settles every waiting send of a channel that stops being open. When it starts closing, the waiting messages are
    /// queued to SCTP first (W3C close(): what was queued is still sent; they are within the cap already); when it is
    /// closed, they fail.
    /// </summary>
    private void SettlePending(RTCDataChannel channel, bool send)
    {
        while (channel.PendingHead is { } head)
        {
            Dequeue(channel, head);
            if (send)
            {
                SendPendingLocked(channel, head);
            }
            else
            {
                Settle(head, new InvalidOperationException($"The data channel is {channel.ReadyState}; the message was not sent."));
            }
        }

        _waiting.Remove(channel);
    }

    private static void CancelPending(DataChannelPendingSend node)
    {
        var manager = node.Manager;
        lock (manager._sync)
        {
            if (!node.Queued)
            {
                return; // already sent or settled
            }

            Dequeue(node.Channel, node);
            if (node.Channel.PendingHead is null)
            {
                manager._waiting.Remove(node.Channel);
            }

            manager.RaiseDeferredLow(node.Channel);

            node.Poolable = false; // this callback is the registration: do not reuse the node while it unwinds
            node.Fail(new OperationCanceledException(node.CancellationToken));
        }
    }

    private void Enqueue(RTCDataChannel channel, DataChannelPendingSend node)
    {
        node.Queued = true;
        node.Previous = channel.PendingTail;
        node.Next = null;
        if (channel.PendingTail is { } tail)
        {
            tail.Next = node;
        }
        else
        {
            channel.PendingHead = node;
            _waiting.Add(channel);
        }

        channel.PendingTail = node;
        channel.PendingBytes += node.Length;
        channel.PendingCharge += node.Cost;
    }

    private static void Dequeue(RTCDataChannel channel, DataChannelPendingSend node)
    {
        if (node.Previous is { } previous)
        {
            previous.Next = node.Next;
        }
        else
        {
            channel.PendingHead = node.Next;
        }

        if (node.Next is { } next)
        {
            next.Previous = node.Previous;
        }
        else
        {
            channel.PendingTail = node.Previous;
        }

        node.Previous = null;
        node.Next = null;
        node.Queued = false;
        channel.PendingBytes -= node.Length;
        channel.PendingCharge -= node.Cost;
    }

    private DataChannelPendingSend RentPendingSend(RTCDataChannel channel, RTCDataChannelMessageType type, int length, int cost)
    {
        DataChannelPendingSend? node = null;
        lock (_pool)
        {
            _pool.TryPop(out node);
        }

        node ??= new DataChannelPendingSend { Manager = this };
        node.Channel = channel;
        node.Type = type;
        node.Length = Math.Max(length, 1);
        node.Cost = cost;
        node.Poolable = true;
        return node;
    }

    /// <summary>Recycles a settled node (after its awaiter read the result); nodes a cancellation callback may touch are dropped.</summary>
    internal void ReturnPendingSend(DataChannelPendingSend node)
    {
        if (!node.Poolable)
        {
            return;
        }

        node.Reset();
        lock (_pool)
        {
            if (_pool.Count < MaxPooledPendingSends)
            {
                _pool.Push(node);
            }
        }
    }

    private void AfterUserCall()
    {
        FlushUserEvents();
        TransmitReady?.Invoke();
    }

    /// <summary>
    /// Hands queued user callbacks to the dispatcher (or runs them) one at a time and in order, never under the lock.
    /// A received message the dispatcher refuses (its queue is full) stops the flush: it and everything behind it wait
    /// here until <see cref="ResumeDelivery"/>, holding their receive-window bytes.
    /// </summary>
    private void FlushUserEvents()
    {
        lock (_sync)
        {
            if (_dispatching)
            {
                _flushAgain = true;
                return;
            }

            if (_userEvents.Count == 0)
            {
                return;
            }

            _dispatching = true;
            _flushAgain = false;
        }

        try
        {
            while (true)
            {
                UserEvent next;
                lock (_sync)
                {
                    if (!_userEvents.TryPeek(out next))
                    {
                        if (_flushAgain)
                        {
                            _flushAgain = false;
                            continue;
                        }

                        _dispatching = false;
                        return;
                    }
                }

                if (next.FlowControlled && FlowControlledDispatcher is { } tryPost)
                {
                    if (!tryPost(next.Action))
                    {
                        lock (_sync)
                        {
                            if (!_flushAgain)
                            {
                                _dispatching = false;
                                return;
                            }

                            _flushAgain = false;
                        }

                        continue; // a resume raced with the refusal: try again
                    }
                }
                else if (_dispatcher is not null)
                {
                    _dispatcher(next.Action);
                }
                else
                {
                    Invoke(next.Action);
                }

                lock (_sync)
                {
                    _userEvents.Dequeue();
                }
            }
        }
        catch
        {
            lock (_sync)
            {
                _dispatching = false;
            }

            throw;
        }
    }

    private void EnqueueLifecycle(Action action) => _userEvents.Enqueue(new UserEvent(action, FlowControlled: false));

    internal void ReportHandlerException(Exception exception) => Log.HandlerFailed(_logger, exception);

    private void Invoke(Action action)
    {
        try
        {
            action();
        }
#pragma warning disable CA1031 // A throwing user handler must not break the connection loop.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.HandlerFailed(_logger, ex);
        }
    }

    private readonly record struct UserEvent(Action Action, bool FlowControlled);

    private static partial class Log
    {
        [LoggerMessage(EventId = 4101, Level = LogLevel.Debug, Message = "Data channel message on stream {StreamId} dropped: {Reason}")]
        public static partial void MessageDropped(ILogger logger, ushort streamId, string reason);

        [LoggerMessage(EventId = 4104, Level = LogLevel.Debug, Message = "Data channel message on stream {StreamId} dropped: unknown PPID {Ppid}")]
        public static partial void UnknownPpid(ILogger logger, ushort streamId, uint ppid);

        [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Data channel {StreamId} failed: {Reason}")]
        public static partial void ChannelFailed(ILogger logger, ushort streamId, string reason);

        [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "A data channel event handler threw")]
        public static partial void HandlerFailed(ILogger logger, Exception exception);
    }
}
