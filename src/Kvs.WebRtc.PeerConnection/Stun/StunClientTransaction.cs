namespace Kvs.WebRtc.PeerConnection.Stun;

/// <summary>
/// Sans-IO STUN client transaction: decides when a request is (re)sent and when it times out. Single-threaded.
/// </summary>
/// <remarks>
/// RFC 8489 §6.2.1: over UDP, sends at 0, RTO, 3 RTO, 7 RTO … (the interval doubles), Rc sends in all, then fails
/// after Rm × RTO more. §6.2.2: over TCP/TLS, one send and a Ti timeout. Time is the caller's monotonic
/// <c>now</c>. The transaction does not parse responses: the owner matches the transaction id and calls
/// <see cref="Complete"/>.
/// </remarks>
internal sealed class StunClientTransaction : IAddressedCore<ReadOnlyMemory<byte>>
{
    private readonly StunRetransmissionOptions _options;
    private TimeSpan _rto;
    private TimeSpan? _deadline;
    private bool _transmitPending;

    /// <summary>Creates a transaction for an encoded request.</summary>
    /// <param name="id">The request's transaction id.</param>
    /// <param name="request">The encoded request; kept (not copied) and re-sent as is, so it must not change.</param>
    /// <param name="reliable">True over TCP/TLS (no retransmissions).</param>
    /// <param name="options">Timing; <see cref="StunRetransmissionOptions.Default"/> when null.</param>
    public StunClientTransaction(TransactionId id, ReadOnlyMemory<byte> request, bool reliable, StunRetransmissionOptions? options = null)
    {
        _options = options ?? StunRetransmissionOptions.Default;
        _options.Validate();
        Id = id;
        Request = request;
        IsReliable = reliable;
        _rto = _options.InitialRto;
    }

    /// <summary>The transaction id.</summary>
    public TransactionId Id { get; }

    /// <summary>The encoded request.</summary>
    public ReadOnlyMemory<byte> Request { get; }

    /// <summary>True over reliable transports.</summary>
    public bool IsReliable { get; }

    /// <summary>The state.</summary>
    public StunTransactionState State { get; private set; } = StunTransactionState.Created;

    /// <summary>How many times the request has been handed out for sending.</summary>
    public int SendCount { get; private set; }

    /// <summary>When the transaction started (first send).</summary>
    public TimeSpan StartedAt { get; private set; }

    /// <summary>True while waiting for a response.</summary>
    public bool IsPending => State == StunTransactionState.Pending;

    /// <summary>Starts: the first send is queued for <see cref="TryPollTransmit"/>.</summary>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    public void Start(TimeSpan now)
    {
        if (State != StunTransactionState.Created)
        {
            throw new InvalidOperationException("The transaction was already started.");
        }

        State = StunTransactionState.Pending;
        StartedAt = now;
        QueueSend(now);
    }

    /// <summary>The request to send, when a (re)transmission is due.</summary>
    public bool TryPollTransmit(out ReadOnlyMemory<byte> datagram)
    {
        if (_transmitPending && State == StunTransactionState.Pending)
        {
            _transmitPending = false;
            datagram = Request;
            return true;
        }

        datagram = default;
        return false;
    }

    /// <summary>The next deadline (retransmission or final timeout), or null when finished.</summary>
    public TimeSpan? NextTimeout => State == StunTransactionState.Pending ? _deadline : null;

    /// <summary>
    /// Advances the timers: queues a retransmission or times out (<see cref="State"/> becomes
    /// <see cref="StunTransactionState.TimedOut"/>).
    /// </summary>
    public void HandleTimeout(TimeSpan now)
    {
        if (State != StunTransactionState.Pending || _deadline is not { } deadline || now < deadline)
        {
            return;
        }

        if (IsReliable || SendCount >= _options.MaxSends)
        {
            State = StunTransactionState.TimedOut;
            _deadline = null;
            _transmitPending = false;
            return;
        }

        // The interval doubles after each send (§6.2.1); the next one is scheduled from now so a late wake-up
        // does not cause a burst.
        _rto = _rto >= _options.MaxRto / 2 ? _options.MaxRto : _rto * 2;
        QueueSend(now);
    }

    /// <summary>Marks the transaction answered (success or error response). No further sends or timeouts.</summary>
    public void Complete()
    {
        if (State == StunTransactionState.Pending || State == StunTransactionState.Created)
        {
            State = StunTransactionState.Completed;
            _deadline = null;
            _transmitPending = false;
        }
    }

    /// <summary>Abandons the transaction.</summary>
    public void Cancel()
    {
        if (State == StunTransactionState.Pending || State == StunTransactionState.Created)
        {
            State = StunTransactionState.Cancelled;
            _deadline = null;
            _transmitPending = false;
        }
    }

    private void QueueSend(TimeSpan now)
    {
        SendCount++;
        _transmitPending = true;
        if (IsReliable)
        {
            _deadline = now + _options.ReliableTimeout;
        }
        else if (SendCount >= _options.MaxSends)
        {
            _deadline = now + (_options.InitialRto * _options.LastWaitMultiplier);
        }
        else
        {
            _deadline = now + _rto;
        }
    }
}
