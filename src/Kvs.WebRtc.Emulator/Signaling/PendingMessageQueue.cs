namespace Kvs.WebRtc.Emulator.Signaling;

/// <summary>
/// Messages waiting for one offline recipient (spec 5.5): kept in order until they expire; a newer offer or answer from
/// the same sender replaces a pending one in place, ICE candidates are all kept. Bounded: the oldest message is
/// discarded when full.
/// </summary>
/// <remarks>Not thread-safe: used under the channel lock.</remarks>
internal sealed class PendingMessageQueue
{
    private readonly List<RoutedMessage> _items = [];

    public int Count => _items.Count;

    /// <summary>Adds a message; returns how many messages were discarded (an overwritten offer/answer, or overflow).</summary>
    public int Add(RoutedMessage message, int capacity)
    {
        if (message.IsOverwritable)
        {
            for (var i = 0; i < _items.Count; i++)
            {
                var pending = _items[i];
                if (pending.MessageType == message.MessageType && string.Equals(pending.SenderClientId, message.SenderClientId, StringComparison.Ordinal))
                {
                    _items[i] = message;
                    return 1;
                }
            }
        }

        _items.Add(message);
        var discarded = 0;
        while (_items.Count > capacity)
        {
            _items.RemoveAt(0);
            discarded++;
        }

        return discarded;
    }

    /// <summary>Removes expired messages; returns how many.</summary>
    public int Prune(DateTimeOffset now) => _items.RemoveAll(m => m.ExpiresAt <= now);

    /// <summary>Removes and returns every unexpired message in order; <paramref name="expired"/> counts the dropped ones.</summary>
    public List<RoutedMessage> TakeAll(DateTimeOffset now, out int expired)
    {
        expired = Prune(now);
        var result = new List<RoutedMessage>(_items);
        _items.Clear();
        return result;
    }
}
