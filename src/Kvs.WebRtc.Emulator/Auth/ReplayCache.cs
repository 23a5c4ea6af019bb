namespace Kvs.WebRtc.Emulator.Auth;

/// <summary>
/// Remembers the signatures of accepted presigned URLs until those URLs expire, so that a second upgrade with the same
/// <c>X-Amz-Signature</c> is refused. Bounded: when full, the entry closest to expiry is forgotten first.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class ReplayCache
{
    private readonly object _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _entries = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, DateTimeOffset> _byExpiry = new();
    private readonly int _capacity;

    public ReplayCache(int capacity) => _capacity = capacity;

    /// <summary>The number of remembered signatures.</summary>
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

    /// <summary>Records <paramref name="signature"/>; false when it is already recorded and not yet expired (a replay).</summary>
    public bool TryAdd(string signature, DateTimeOffset expiresAt, DateTimeOffset now)
    {
        lock (_gate)
        {
            Prune(now);
            if (_entries.ContainsKey(signature))
            {
                return false;
            }

            while (_entries.Count >= _capacity && _byExpiry.TryDequeue(out var oldest, out var oldestExpiry))
            {
                if (_entries.TryGetValue(oldest, out var stored) && stored == oldestExpiry)
                {
                    _entries.Remove(oldest);
                }
            }

            _entries[signature] = expiresAt;
            _byExpiry.Enqueue(signature, expiresAt);
            return true;
        }
    }

    private void Prune(DateTimeOffset now)
    {
        while (_byExpiry.TryPeek(out var signature, out var expiresAt) && expiresAt < now)
        {
            _byExpiry.Dequeue();
            if (_entries.TryGetValue(signature, out var stored) && stored == expiresAt)
            {
                _entries.Remove(signature);
            }
        }
    }
}
