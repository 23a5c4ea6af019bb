namespace Kvs.WebRtc.Signaling;

/// <summary>
/// Remembers recent sends that carried a correlation id so a later <c>STATUS_RESPONSE</c> can be matched to them.
/// Bounded in count and age (successful sends get no reply, so entries expire). Thread-safe.
/// </summary>
internal sealed class CorrelationTracker(int capacity, TimeSpan retention)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, SignalingSendInfo> _entries = new(StringComparer.Ordinal);
    private readonly Queue<SignalingSendInfo> _order = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    public void Record(SignalingSendInfo info)
    {
        lock (_gate)
        {
            Prune(info.SentAt);
            _entries[info.CorrelationId] = info;
            _order.Enqueue(info);
            while (_entries.Count > capacity && _order.TryDequeue(out var oldest))
            {
                RemoveIfCurrent(oldest);
            }
        }
    }

    public bool TryTake(string correlationId, DateTimeOffset now, out SignalingSendInfo? info)
    {
        lock (_gate)
        {
            Prune(now);
            return _entries.Remove(correlationId, out info);
        }
    }

    private void Prune(DateTimeOffset now)
    {
        while (_order.TryPeek(out var oldest) && (now - oldest.SentAt > retention || _order.Count > capacity * 2))
        {
            _order.Dequeue();
            RemoveIfCurrent(oldest);
        }
    }

    private void RemoveIfCurrent(SignalingSendInfo info)
    {
        if (_entries.TryGetValue(info.CorrelationId, out var current) && ReferenceEquals(current, info))
        {
            _entries.Remove(info.CorrelationId);
        }
    }
}
