namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>
/// Receive side of the streams (RFC 9260 §6.5, §6.6, §6.9): per-stream expected SSN, fragments waiting in TSN order,
/// ordered and unordered delivery of whole messages, FORWARD-TSN skipping (RFC 3758 §3.6) and stream resets.
/// </summary>
/// <remarks>
/// Memory is bounded by the association's receive window: <see cref="HeldBytes"/> counts fragment bytes plus bytes of
/// delivered messages the application has not released, and the association refuses DATA beyond its window. TSN
/// tracking and acknowledgement are not its business. See <c>docs/architecture.md</c>, "SCTP pieces".
/// </remarks>
internal sealed class SctpReassemblyQueue
{
    private const int MaxPooledFragments = 4096;

    private readonly Dictionary<ushort, SctpInboundStream> _streams = [];
    private readonly Stack<SctpInboundFragment> _fragmentPool = new();
    private readonly SctpBufferPool _buffers;
    private readonly Queue<SctpEvent> _delivered;
    private readonly long _maxMessageSize;

    /// <param name="buffers">Where fragment payloads are copied.</param>
    /// <param name="delivered">Receives a <see cref="SctpEventKind.MessageReceived"/> event per complete message.</param>
    /// <param name="maxMessageSize">Largest message accepted.</param>
    public SctpReassemblyQueue(SctpBufferPool buffers, Queue<SctpEvent> delivered, long maxMessageSize)
    {
        _buffers = buffers;
        _delivered = delivered;
        _maxMessageSize = maxMessageSize;
    }

    /// <summary>Fragment bytes plus delivered bytes not yet released.</summary>
    public long HeldBytes { get; private set; }

    /// <summary>Messages delivered so far.</summary>
    public long MessagesDelivered { get; private set; }

    /// <summary>Fragments waiting over all streams.</summary>
    public int FragmentCount
    {
        get
        {
            var count = 0;
            foreach (var stream in _streams.Values)
            {
                count += stream.Ordered.Count + stream.Unordered.Count;
            }

            return count;
        }
    }

    /// <summary>Streams that have received data (or a FORWARD-TSN entry) since the association started.</summary>
    public Dictionary<ushort, SctpInboundStream>.KeyCollection StreamIds => _streams.Keys;

    /// <summary>Counts <paramref name="bytes"/> more as held for the application.</summary>
    public void Charge(long bytes) => HeldBytes += bytes;

    /// <summary>The application consumed <paramref name="bytes"/> of delivered messages.</summary>
    public void Release(long bytes) => HeldBytes = Math.Max(0L, HeldBytes - bytes);

    /// <summary>Takes one DATA chunk whose TSN is new and whose stream is valid.</summary>
    public SctpReassemblyOutcome Add(in DataChunk data)
    {
        var stream = GetStream(data.StreamId);
        var complete = data.Beginning && data.Ending;
        if (data.Unordered)
        {
            if (complete)
            {
                return DeliverDirect(data.StreamId, data.Ppid, data.Payload);
            }

            var index = InsertSorted(stream.Unordered, NewFragment(data));
            return TryDeliverUnordered(stream, data.StreamId, index);
        }

        if (SctpSerial.Lt(data.Ssn, stream.NextSsn))
        {
            return SctpReassemblyOutcome.StaleSsn;
        }

        if (complete && data.Ssn == stream.NextSsn && stream.Ordered.Count == 0)
        {
            stream.NextSsn++;
            return DeliverDirect(data.StreamId, data.Ppid, data.Payload);
        }

        InsertSorted(stream.Ordered, NewFragment(data));
        return data.Ssn == stream.NextSsn ? TryDeliverOrdered(stream, data.StreamId) : SctpReassemblyOutcome.Accepted;
    }

    /// <summary>
    /// FORWARD-TSN entry (RFC 3758 §3.6): ordered messages of <paramref name="streamId"/> up to <paramref name="ssn"/> were
    /// abandoned by the sender; drops their fragments and delivers what now comes next.
    /// </summary>
    public SctpReassemblyOutcome SkipTo(ushort streamId, ushort ssn, uint newCumulativeTsn)
    {
        var stream = GetStream(streamId);
        if (SctpSerial.Le(stream.NextSsn, ssn))
        {
            stream.NextSsn = (ushort)(ssn + 1);
        }

        RemoveFragments(stream.Ordered, f => SctpSerial.Le(f.Ssn, ssn) && SctpSerial.Le(f.Tsn, newCumulativeTsn));
        return TryDeliverOrdered(stream, streamId);
    }

    /// <summary>After a FORWARD-TSN: drops every fragment at or below <paramref name="newCumulativeTsn"/> that can never complete.</summary>
    public void DropAbandoned(uint newCumulativeTsn)
    {
        foreach (var stream in _streams.Values)
        {
            RemoveFragments(stream.Unordered, f => SctpSerial.Le(f.Tsn, newCumulativeTsn));
            RemoveFragments(stream.Ordered, f => SctpSerial.Le(f.Tsn, newCumulativeTsn) && SctpSerial.Lt(f.Ssn, stream.NextSsn));
        }
    }

    /// <summary>The peer reset its outgoing stream (RFC 6525 §5.2.2): the next SSN is 0 again. False when the stream is unknown.</summary>
    public bool TryResetStream(ushort streamId)
    {
        if (!_streams.TryGetValue(streamId, out var stream))
        {
            return false;
        }

        stream.NextSsn = 0;
        return true;
    }

    /// <summary>Frees every fragment and forgets every stream (the peer restarted its TSNs or the association ended).</summary>
    public void Clear()
    {
        foreach (var stream in _streams.Values)
        {
            foreach (var fragment in stream.Ordered)
            {
                FreeFragment(fragment, countHeld: true);
            }

            foreach (var fragment in stream.Unordered)
            {
                FreeFragment(fragment, countHeld: true);
            }

            stream.Ordered.Clear();
            stream.Unordered.Clear();
        }

        _streams.Clear();
    }

    private static int InsertSorted(List<SctpInboundFragment> list, SctpInboundFragment fragment)
    {
        var i = list.Count;
        while (i > 0 && SctpSerial.Gt(list[i - 1].Tsn, fragment.Tsn))
        {
            i--;
        }

        list.Insert(i, fragment);
        return i;
    }

    private SctpInboundStream GetStream(ushort streamId)
    {
        if (!_streams.TryGetValue(streamId, out var stream))
        {
            stream = new SctpInboundStream();
            _streams.Add(streamId, stream);
        }

        return stream;
    }

    private SctpReassemblyOutcome DeliverDirect(ushort streamId, uint ppid, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > _maxMessageSize)
        {
            return SctpReassemblyOutcome.MessageTooLarge;
        }

        HeldBytes += payload.Length;
        MessagesDelivered++;
        _delivered.Enqueue(new SctpEvent(SctpEventKind.MessageReceived, streamId, ppid, payload.ToArray()));
        return SctpReassemblyOutcome.Accepted;
    }

    private SctpReassemblyOutcome TryDeliverOrdered(SctpInboundStream stream, ushort streamId)
    {
        var list = stream.Ordered;
        while (list.Count > 0)
        {
            var start = -1;
            for (var i = 0; i < list.Count; i++)
            {
                if (list[i].Ssn == stream.NextSsn)
                {
                    start = i;
                    break;
                }
            }

            if (start < 0 || !list[start].Beginning)
            {
                return SctpReassemblyOutcome.Accepted;
            }

            var end = start;
            while (!list[end].Ending)
            {
                if (end + 1 >= list.Count || list[end + 1].Tsn != list[end].Tsn + 1 || list[end + 1].Ssn != stream.NextSsn)
                {
                    return SctpReassemblyOutcome.Accepted;
                }

                end++;
            }

            stream.NextSsn++;
            if (DeliverFragments(list, start, end, streamId) != SctpReassemblyOutcome.Accepted)
            {
                return SctpReassemblyOutcome.MessageTooLarge;
            }
        }

        return SctpReassemblyOutcome.Accepted;
    }

    private SctpReassemblyOutcome TryDeliverUnordered(SctpInboundStream stream, ushort streamId, int index)
    {
        var list = stream.Unordered;
        var start = index;
        while (!list[start].Beginning)
        {
            if (start == 0 || list[start - 1].Tsn != list[start].Tsn - 1 || list[start - 1].Ending)
            {
                return SctpReassemblyOutcome.Accepted;
            }

            start--;
        }

        var end = index;
        while (!list[end].Ending)
        {
            if (end + 1 >= list.Count || list[end + 1].Tsn != list[end].Tsn + 1 || list[end + 1].Beginning)
            {
                return SctpReassemblyOutcome.Accepted;
            }

            end++;
        }

        return DeliverFragments(list, start, end, streamId);
    }

    private SctpReassemblyOutcome DeliverFragments(List<SctpInboundFragment> list, int start, int end, ushort streamId)
    {
        long total = 0;
        for (var i = start; i <= end; i++)
        {
            total += list[i].Length;
        }

        if (total > _maxMessageSize)
        {
            return SctpReassemblyOutcome.MessageTooLarge;
        }

        var message = new byte[total];
        var position = 0;
        var ppid = list[start].Ppid;
        for (var i = start; i <= end; i++)
        {
            var fragment = list[i];
            fragment.Buffer.AsSpan(0, fragment.Length).CopyTo(message.AsSpan(position));
            position += fragment.Length;
            FreeFragment(fragment, countHeld: false);
        }

        list.RemoveRange(start, end - start + 1);
        MessagesDelivered++;
        _delivered.Enqueue(new SctpEvent(SctpEventKind.MessageReceived, streamId, ppid, message));
        return SctpReassemblyOutcome.Accepted;
    }

    private SctpInboundFragment NewFragment(in DataChunk data)
    {
        var fragment = _fragmentPool.Count > 0 ? _fragmentPool.Pop() : new SctpInboundFragment();
        fragment.Tsn = data.Tsn;
        fragment.Ssn = data.Ssn;
        fragment.Ppid = data.Ppid;
        fragment.Flags = data.Flags;
        fragment.Length = data.Payload.Length;
        fragment.Buffer = _buffers.Rent(data.Payload.Length);
        data.Payload.CopyTo(fragment.Buffer);
        HeldBytes += fragment.Length;
        return fragment;
    }

    /// <summary>Returns a fragment to the pool; its bytes stop being held unless they moved into a delivered message.</summary>
    private void FreeFragment(SctpInboundFragment fragment, bool countHeld)
    {
        if (countHeld)
        {
            HeldBytes -= fragment.Length;
        }

        _buffers.Return(fragment.Buffer);
        fragment.Buffer = [];
        if (_fragmentPool.Count < MaxPooledFragments)
        {
            _fragmentPool.Push(fragment);
        }
    }

    private void RemoveFragments(List<SctpInboundFragment> list, Func<SctpInboundFragment, bool> predicate)
    {
        var kept = 0;
        for (var i = 0; i < list.Count; i++)
        {
            var fragment = list[i];
            if (predicate(fragment))
            {
                FreeFragment(fragment, countHeld: true);
            }
            else
            {
                list[kept++] = fragment;
            }
        }

        list.RemoveRange(kept, list.Count - kept);
    }
}
