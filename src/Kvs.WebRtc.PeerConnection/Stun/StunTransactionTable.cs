namespace Kvs.WebRtc.PeerConnection.Stun;

/// <summary>
/// The pending client transactions of one agent, keyed by transaction id, with a cap. Sans-IO and single-threaded:
/// the owner starts transactions, polls datagrams to send and timed-out transactions, and completes transactions
/// when a response with a matching id arrives.
/// </summary>
/// <typeparam name="TContext">What the owner wants back with each transaction (e.g. the candidate pair it checks).</typeparam>
internal sealed class StunTransactionTable<TContext> : IAddressedCore<ReadOnlyMemory<byte>>
{
    private readonly Dictionary<TransactionId, Entry> _pending = [];
    private readonly Queue<Entry> _timedOut = new();

    /// <summary>Creates a table that holds at most <paramref name="capacity"/> pending transactions.</summary>
    public StunTransactionTable(int capacity = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    /// <summary>The cap on pending transactions.</summary>
    public int Capacity { get; }

    /// <summary>Pending transactions.</summary>
    public int Count => _pending.Count;

    /// <summary>True when no further transaction can start.</summary>
    public bool IsFull => _pending.Count >= Capacity;

    /// <summary>Starts <paramref name="transaction"/> and tracks it; false (nothing started) when full or the id is taken.</summary>
    public bool TryStart(StunClientTransaction transaction, TContext context, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        if (IsFull || _pending.ContainsKey(transaction.Id))
        {
            return false;
        }

        transaction.Start(now);
        _pending.Add(transaction.Id, new Entry(transaction, context));
        return true;
    }

    /// <summary>True when <paramref name="id"/> is pending.</summary>
    public bool Contains(TransactionId id) => _pending.ContainsKey(id);

    /// <summary>
    /// Completes and removes the transaction a response belongs to. False for a response that matches nothing
    /// (late retransmission answer, or forged): the caller drops it.
    /// </summary>
    public bool TryComplete(TransactionId id, out StunClientTransaction transaction, out TContext context)
    {
        if (_pending.Remove(id, out var entry))
        {
            entry.Transaction.Complete();
            transaction = entry.Transaction;
            context = entry.Context;
            return true;
        }

        transaction = null!;
        context = default!;
        return false;
    }

    /// <summary>Looks a pending transaction up without completing it.</summary>
    public bool TryGet(TransactionId id, out StunClientTransaction transaction, out TContext context)
    {
        if (_pending.TryGetValue(id, out var entry))
        {
            transaction = entry.Transaction;
            context = entry.Context;
            return true;
        }

        transaction = null!;
        context = default!;
        return false;
    }

    /// <summary>Cancels and removes a pending transaction.</summary>
    public bool Cancel(TransactionId id)
    {
        if (_pending.Remove(id, out var entry))
        {
            entry.Transaction.Cancel();
            return true;
        }

        return false;
    }

    /// <summary>Cancels everything.</summary>
    public void Clear()
    {
        foreach (var entry in _pending.Values)
        {
            entry.Transaction.Cancel();
        }

        _pending.Clear();
        _timedOut.Clear();
    }

    /// <summary>The earliest deadline among pending transactions.</summary>
    public TimeSpan? NextTimeout
    {
        get
        {
            TimeSpan? earliest = null;
            foreach (var entry in _pending.Values)
            {
                if (entry.Transaction.NextTimeout is { } deadline && (earliest is null || deadline < earliest))
                {
                    earliest = deadline;
                }
            }

            return earliest;
        }
    }

    /// <summary>Advances every transaction's timers; timed-out ones move to <see cref="TryPollTimedOut"/>.</summary>
    public void HandleTimeout(TimeSpan now)
    {
        List<TransactionId>? expired = null;
        foreach (var (id, entry) in _pending)
        {
            entry.Transaction.HandleTimeout(now);
            if (entry.Transaction.State == StunTransactionState.TimedOut)
            {
                (expired ??= []).Add(id);
            }
        }

        if (expired is null)
        {
            return;
        }

        foreach (var id in expired)
        {
            if (_pending.Remove(id, out var entry))
            {
                _timedOut.Enqueue(entry);
            }
        }
    }

    /// <summary>The next datagram to send.</summary>
    public bool TryPollTransmit(out ReadOnlyMemory<byte> transmit) => TryPollTransmit(out transmit, out _);

    /// <summary>The next datagram to send, with the context of its transaction.</summary>
    public bool TryPollTransmit(out ReadOnlyMemory<byte> datagram, out TContext context)
    {
        foreach (var entry in _pending.Values)
        {
            if (entry.Transaction.TryPollTransmit(out datagram))
            {
                context = entry.Context;
                return true;
            }
        }

        datagram = default;
        context = default!;
        return false;
    }

    /// <summary>A transaction that timed out since the last poll.</summary>
    public bool TryPollTimedOut(out StunClientTransaction transaction, out TContext context)
    {
        if (_timedOut.TryDequeue(out var entry))
        {
            transaction = entry.Transaction;
            context = entry.Context;
            return true;
        }

        transaction = null!;
        context = default!;
        return false;
    }

    private readonly record struct Entry(StunClientTransaction Transaction, TContext Context);
}
