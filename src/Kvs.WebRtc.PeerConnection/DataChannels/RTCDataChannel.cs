using System.Text;

namespace Kvs.WebRtc.PeerConnection.DataChannels;

/// <summary>
/// A bidirectional message channel to the remote peer over SCTP (W3C <c>RTCDataChannel</c>,
/// https://www.w3.org/TR/webrtc/#rtcdatachannel; RFC 8831, RFC 8832).
/// </summary>
/// <remarks>
/// <para>Thread-safe: <see cref="Send(string)"/>, <see cref="SendAsync(ReadOnlyMemory{byte}, CancellationToken)"/>,
/// <see cref="Close"/> and the properties may be used from any thread.</para>
/// <para>Events are raised one at a time, in order, never on the connection's network loop when the owner
/// supplies a dispatcher; handlers should return quickly. An exception thrown by a handler is caught and logged.</para>
/// </remarks>
public sealed class RTCDataChannel
{
    private readonly DataChannelManager _manager;
    private Action<Exception>? _reportHandlerFailure;
    /// <summary>Default of <see cref="MaxBufferedAmount"/>: 4 MiB.</summary>
    internal const long DefaultMaxBufferedAmount = 4L * 1024 * 1024;

    private long _bufferedAmountLowThreshold;
    private long _maxBufferedAmount = DefaultMaxBufferedAmount;
    private volatile RTCDataChannelState _readyState = RTCDataChannelState.Connecting;
    private long _messagesSent;
    private long _bytesSent;
    private long _messagesReceived;
    private long _bytesReceived;

    internal RTCDataChannel(DataChannelManager manager, string label, string protocol, bool ordered, int? maxRetransmits, int? maxPacketLifeTime, bool negotiated, ushort? id)
    {
        _manager = manager;
        Label = label;
        Protocol = protocol;
        Ordered = ordered;
        MaxRetransmits = maxRetransmits;
        MaxPacketLifeTime = maxPacketLifeTime;
        Negotiated = negotiated;
        Id = id;
    }

    /// <summary>Raised when the channel becomes <see cref="RTCDataChannelState.Open"/> (W3C <c>onopen</c>).</summary>
    public event EventHandler? Opened;

    /// <summary>Raised for every received message (W3C <c>onmessage</c>).</summary>
    public event EventHandler<RTCDataChannelMessageEventArgs>? MessageReceived;

    /// <summary>Raised when <see cref="BufferedAmount"/> falls to or below <see cref="BufferedAmountLowThreshold"/> (W3C <c>onbufferedamountlow</c>).</summary>
    public event EventHandler? BufferedAmountLow;

    /// <summary>Raised when the channel starts closing (W3C <c>onclosing</c>).</summary>
    public event EventHandler? Closing;

    /// <summary>Raised once when the channel is closed (W3C <c>onclose</c>).</summary>
    public event EventHandler? Closed;

    /// <summary>Raised when the channel fails, e.g. the association was aborted (W3C <c>onerror</c>).</summary>
    public event EventHandler<RTCDataChannelErrorEventArgs>? ErrorOccurred;

    /// <summary>The label given at creation (W3C <c>label</c>).</summary>
    public string Label { get; }

    /// <summary>The sub-protocol (W3C <c>protocol</c>).</summary>
    public string Protocol { get; }

    /// <summary>
    /// The SCTP stream id (W3C <c>id</c>); null until the DTLS role is known for a channel created before the
    /// connection was set up (the DTLS client uses even ids, the server odd ones).
    /// </summary>
    public ushort? Id { get; internal set; }

    /// <summary>Whether messages are delivered in order (W3C <c>ordered</c>).</summary>
    public bool Ordered { get; }

    /// <summary>Retransmissions before a message is abandoned; null when not limited (W3C <c>maxRetransmits</c>).</summary>
    public int? MaxRetransmits { get; }

    /// <summary>Milliseconds after which a message is abandoned; null when not limited (W3C <c>maxPacketLifeTime</c>).</summary>
    public int? MaxPacketLifeTime { get; }

    /// <summary>True when negotiated out of band by the application (W3C <c>negotiated</c>).</summary>
    public bool Negotiated { get; }

    /// <summary>The current state (W3C <c>readyState</c>).</summary>
    public RTCDataChannelState ReadyState => _readyState;

    /// <summary>
    /// Bytes accepted by <c>Send</c>/<c>SendAsync</c> and not yet handed to the network (W3C <c>bufferedAmount</c>),
    /// including messages of <c>SendAsync</c> calls still waiting for room. Never more than <see cref="MaxBufferedAmount"/>.
    /// </summary>
    public long BufferedAmount => _manager.GetBufferedAmount(this);

    /// <summary>
    /// The cap on <see cref="BufferedAmount"/> for this channel; default 4 MiB (<c>4 * 1024 * 1024</c>). A synchronous
    /// <c>Send</c> that would pass it throws a <see cref="WebRtcException"/> with <see cref="WebRtcError.SendBufferFull"/>;
    /// <c>SendAsync</c> waits (back-pressure) while the SCTP send buffer is above the owner's high-water mark (1 MiB) and
    /// fails the same way only when even its waiting room (the cap minus what is buffered) is exhausted, e.g. when a
    /// caller fires sends without awaiting them. One message larger than the cap is accepted when nothing is buffered.
    /// Every message counts at least 1 KiB against the cap (what a queued message holds in memory), so a flood of tiny
    /// messages is bounded too.
    /// Memory held for a channel's outgoing messages is bounded by this value (plus the SCTP congestion window in flight).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
    public long MaxBufferedAmount
    {
        get => Interlocked.Read(ref _maxBufferedAmount);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Interlocked.Exchange(ref _maxBufferedAmount, value);
        }
    }

    /// <summary>Threshold in bytes for <see cref="BufferedAmountLow"/>; default 0 (W3C <c>bufferedAmountLowThreshold</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public long BufferedAmountLowThreshold
    {
        get => Interlocked.Read(ref _bufferedAmountLowThreshold);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Interlocked.Exchange(ref _bufferedAmountLowThreshold, value);
            _manager.SetBufferedAmountLowThreshold(this, value);
        }
    }

    /// <summary>Queues a text message (sent as UTF-8, PPID 51; an empty string uses PPID 56).</summary>
    /// <exception cref="InvalidOperationException">The channel is not open.</exception>
    /// <exception cref="WebRtcException">The message does not fit under <see cref="MaxBufferedAmount"/> (<see cref="WebRtcError.SendBufferFull"/>).</exception>
    /// <exception cref="ArgumentException">The message exceeds the peer's maximum message size.</exception>
    public void Send(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        _manager.Send(this, RTCDataChannelMessageType.Text, Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Queues a binary message (PPID 53; an empty array uses PPID 57). The bytes are copied.</summary>
    /// <exception cref="InvalidOperationException">The channel is not open.</exception>
    /// <exception cref="WebRtcException">The message does not fit under <see cref="MaxBufferedAmount"/> (<see cref="WebRtcError.SendBufferFull"/>).</exception>
    /// <exception cref="ArgumentException">The message exceeds the peer's maximum message size.</exception>
    public void Send(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        _manager.Send(this, RTCDataChannelMessageType.Binary, data);
    }

    /// <summary>Queues a binary message (PPID 53; empty uses PPID 57). The bytes are copied before this returns.</summary>
    /// <exception cref="InvalidOperationException">The channel is not open.</exception>
    /// <exception cref="WebRtcException">The message does not fit under <see cref="MaxBufferedAmount"/> (<see cref="WebRtcError.SendBufferFull"/>).</exception>
    /// <exception cref="ArgumentException">The message exceeds the peer's maximum message size.</exception>
    public void Send(ReadOnlyMemory<byte> data) => _manager.Send(this, RTCDataChannelMessageType.Binary, data.Span);

    /// <summary>
    /// Queues a binary message, first waiting while the channel's SCTP send buffer is above the owner's high-water mark
    /// (1 MiB by default): back-pressure for bulk senders. Waiting calls form a FIFO queue per channel and complete in call
    /// order, each once its message is in the send buffer (only the ones that fit are released). The bytes are read when
    /// the message is queued, so keep them unchanged until the task completes. Awaiting every call keeps memory flat; a
    /// caller that does not await gets <see cref="WebRtcError.SendBufferFull"/> once <see cref="MaxBufferedAmount"/> is
    /// reached, never unbounded queues.
    /// </summary>
    /// <exception cref="InvalidOperationException">The channel is not open or closed while waiting.</exception>
    /// <exception cref="ArgumentException">The message exceeds the peer's maximum message size.</exception>
    /// <exception cref="WebRtcException">The waiting room is full too (<see cref="WebRtcError.SendBufferFull"/>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the message was queued.</exception>
    public ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        _manager.SendAsync(this, RTCDataChannelMessageType.Binary, data, cancellationToken);

    /// <summary>Queues a text message (UTF-8) once there is buffer room; see <see cref="SendAsync(ReadOnlyMemory{byte}, CancellationToken)"/>.</summary>
    public ValueTask SendAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _manager.SendAsync(this, RTCDataChannelMessageType.Text, Encoding.UTF8.GetBytes(text), cancellationToken);
    }

    /// <summary>
    /// Closes the channel (W3C <c>close()</c>): queued messages are sent, then the SCTP stream is reset in both
    /// directions (RFC 8831 §6.7) and <see cref="Closed"/> is raised. Calling it again has no effect.
    /// </summary>
    public void Close() => _manager.CloseChannel(this);

    /// <inheritdoc />
    public override string ToString() => $"RTCDataChannel {Id?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} '{Label}' {ReadyState}";

    internal ushort StreamId => Id ?? throw new InvalidOperationException("The data channel has no stream id yet.");

    internal bool AckReceived { get; set; }

    internal bool LocallyCreated { get; set; }

    internal bool OutgoingResetDone { get; set; }

    internal bool IncomingResetDone { get; set; }

    /// <summary>Oldest message waiting for room (guarded by the manager's lock).</summary>
    internal DataChannelPendingSend? PendingHead { get; set; }

    /// <summary>Newest message waiting for room (guarded by the manager's lock).</summary>
    internal DataChannelPendingSend? PendingTail { get; set; }

    /// <summary>Bytes of the messages waiting for room (guarded by the manager's lock).</summary>
    internal long PendingBytes { get; set; }

    /// <summary>What the waiting messages count against the cap (at least 1 KiB each; guarded by the manager's lock).</summary>
    internal long PendingCharge { get; set; }

    /// <summary>The SCTP buffer crossed the low threshold while waiting sends kept bufferedAmount above it.</summary>
    internal bool LowEventDeferred { get; set; }

    /// <summary>Messages the application sent, and their payload bytes (W3C <c>data-channel</c> stats).</summary>
    internal (long Messages, long Bytes) Sent => (Interlocked.Read(ref _messagesSent), Interlocked.Read(ref _bytesSent));

    /// <summary>Messages received, and their payload bytes.</summary>
    internal (long Messages, long Bytes) Received => (Interlocked.Read(ref _messagesReceived), Interlocked.Read(ref _bytesReceived));

    internal void CountSent(int bytes)
    {
        Interlocked.Increment(ref _messagesSent);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    internal void CountReceived(int bytes)
    {
        Interlocked.Increment(ref _messagesReceived);
        Interlocked.Add(ref _bytesReceived, bytes);
    }

    internal void SetState(RTCDataChannelState state) => _readyState = state;

    internal void RaiseOpened() => Raise(Opened, EventArgs.Empty);

    internal void RaiseMessage(RTCDataChannelMessageEventArgs args) => Raise(MessageReceived, args);

    internal void RaiseBufferedAmountLow() => Raise(BufferedAmountLow, EventArgs.Empty);

    internal void RaiseClosing() => Raise(Closing, EventArgs.Empty);

    internal void RaiseClosed() => Raise(Closed, EventArgs.Empty);

    internal void RaiseError(string message) => Raise(ErrorOccurred, new RTCDataChannelErrorEventArgs(message));

    /// <summary>Calls every subscriber on its own, so one throwing handler cannot starve the others.</summary>
    private void Raise<TArgs>(Delegate? handlers, TArgs args)
        where TArgs : EventArgs =>
        EventRaising.Raise(handlers, this, args, _reportHandlerFailure ??= _manager.ReportHandlerException);
}
