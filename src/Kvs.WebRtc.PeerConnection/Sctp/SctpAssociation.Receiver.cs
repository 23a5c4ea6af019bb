using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>Receive side: TSN tracking, SACK generation, reassembly and ordered/unordered delivery, FORWARD-TSN.</summary>
internal sealed partial class SctpAssociation
{
    /// <summary>TSNs accepted beyond the cumulative TSN (gap ack offsets are 16-bit, RFC 9260 §3.3.4).</summary>
    private const int TsnWindow = 65536;
    private const int MaxDuplicateReports = 32;
    private const int MaxPooledFragments = 4096;

    private readonly ulong[] _receivedBits = new ulong[TsnWindow / 64];
    private readonly Dictionary<ushort, SctpInboundStream> _inboundStreams = [];
    private readonly Stack<SctpInboundFragment> _fragmentPool = new();
    private readonly List<uint> _duplicates = [];

    private uint _peerCumTsn;
    private uint _highestReceivedTsn;
    private long _receiveBuffered;
    private int _packetsSinceSack;
    private bool _sackNeeded;
    private TimeSpan? _delayedAckDeadline;
    private uint _lastAdvertisedRwnd;

    /// <summary>Bytes held for the application: fragments in reassembly plus delivered messages not yet polled.</summary>
    public long ReceiveBufferedAmount => _receiveBuffered;

    private uint CurrentReceiveWindow => (uint)Math.Max(0L, _options.ReceiveWindow - _receiveBuffered);

    private bool CanReceiveData => _state is SctpAssociationState.Established or SctpAssociationState.ShutdownPending
        or SctpAssociationState.ShutdownSent or SctpAssociationState.CookieEchoed;

    private void InitReceiver(uint peerInitialTsn)
    {
        _peerCumTsn = peerInitialTsn - 1;
        _highestReceivedTsn = _peerCumTsn;
        Array.Clear(_receivedBits);
        ReleaseReceiver();
        _lastAdvertisedRwnd = (uint)_options.ReceiveWindow;
    }

    private bool IsReceived(uint tsn) => (_receivedBits[(tsn & 0xFFFF) >> 6] & (1UL << (int)(tsn & 63))) != 0;

    private void SetReceived(uint tsn) => _receivedBits[(tsn & 0xFFFF) >> 6] |= 1UL << (int)(tsn & 63);

    private void ClearReceived(uint tsn) => _receivedBits[(tsn & 0xFFFF) >> 6] &= ~(1UL << (int)(tsn & 63));

    /// <summary>Handles one DATA chunk; true when a SACK must account for it.</summary>
    private bool HandleData(in SctpChunk chunk)
    {
        if (!CanReceiveData)
        {
            return false;
        }

        if (!DataChunk.TryParse(chunk, out var data))
        {
            // RFC 9260 §6.2: a DATA chunk without user data gets the association aborted ("No User Data").
            Statistics.DataChunksDropped++;
            if (chunk.Value.Length >= 4)
            {
                SendAbort(SctpErrorCause.NoUserData, null);
                Terminate("DATA chunk without user data", aborted: true);
            }

            return false;
        }

        Statistics.DataChunksReceived++;
        var tsn = data.Tsn;
        var offset = tsn - _peerCumTsn;
        if (offset == 0 || offset > 0x80000000u || (offset < TsnWindow && IsReceived(tsn)))
        {
            Statistics.DuplicateDataChunks++;
            if (_duplicates.Count < MaxDuplicateReports)
            {
                _duplicates.Add(tsn);
            }

            _sackNeeded = true;
            return true;
        }

        if (offset >= TsnWindow)
        {
            Statistics.DataChunksDropped++;
            Log.DataDropped(_logger, "TSN outside the receive window");
            _sackNeeded = true;
            return true;
        }

        var length = data.Payload.Length;
        if (_receiveBuffered + length > _options.ReceiveWindow && (offset != 1 || _receiveBuffered + length > 2L * _options.ReceiveWindow))
        {
            // RFC 9260 §6.2: no buffer space; the peer retransmits once the window opens.
            Statistics.DataChunksDropped++;
            Log.DataDropped(_logger, "receive buffer full");
            _sackNeeded = true;
            return true;
        }

        SetReceived(tsn);
        if (SctpSerial.Gt(tsn, _highestReceivedTsn))
        {
            _highestReceivedTsn = tsn;
        }

        if (offset == 1)
        {
            AdvanceCumulativeTsn();
        }

        if (data.StreamId >= _inboundStreamCount)
        {
            // RFC 9260 §6.5: acknowledge the TSN but discard the data of an invalid stream.
            Log.DataDropped(_logger, "invalid stream identifier");
            return true;
        }

        Reassemble(data);
        return true;
    }

    private void AdvanceCumulativeTsn()
    {
        while (IsReceived(_peerCumTsn + 1))
        {
            _peerCumTsn++;
            ClearReceived(_peerCumTsn);
        }

        if (SctpSerial.Lt(_highestReceivedTsn, _peerCumTsn))
        {
            _highestReceivedTsn = _peerCumTsn;
        }
    }

    private SctpInboundStream GetInboundStream(ushort streamId)
    {
        if (!_inboundStreams.TryGetValue(streamId, out var stream))
        {
            stream = new SctpInboundStream();
            _inboundStreams.Add(streamId, stream);
        }

        return stream;
    }

    private void Reassemble(in DataChunk data)
    {
        var stream = GetInboundStream(data.StreamId);
        var complete = data.Beginning && data.Ending;
        if (data.Unordered)
        {
            if (complete)
            {
                DeliverDirect(data.StreamId, data.Ppid, data.Payload);
                return;
            }

            var index = InsertSorted(stream.Unordered, NewFragment(data));
            TryDeliverUnordered(stream, data.StreamId, index);
            return;
        }

        if (SctpSerial.Lt(data.Ssn, stream.NextSsn))
        {
            Log.DataDropped(_logger, "stale stream sequence number");
            return;
        }

        if (complete && data.Ssn == stream.NextSsn && stream.Ordered.Count == 0)
        {
            stream.NextSsn++;
            DeliverDirect(data.StreamId, data.Ppid, data.Payload);
            return;
        }

        InsertSorted(stream.Ordered, NewFragment(data));
        if (data.Ssn == stream.NextSsn)
        {
            TryDeliverOrdered(stream, data.StreamId);
        }
    }

    private void DeliverDirect(ushort streamId, uint ppid, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > _options.MaxReceiveMessageSize)
        {
            ProtocolViolation("message too large");
            return;
        }

        _receiveBuffered += payload.Length;
        Statistics.MessagesReceived++;
        _events.Enqueue(new SctpEvent(SctpEventKind.MessageReceived, streamId, ppid, payload.ToArray()));
    }

    private void TryDeliverOrdered(SctpInboundStream stream, ushort streamId)
    {
        var list = stream.Ordered;
        while (list.Count > 0 && !_terminated)
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
                return;
            }

            var end = start;
            while (!list[end].Ending)
            {
                if (end + 1 >= list.Count || list[end + 1].Tsn != list[end].Tsn + 1 || list[end + 1].Ssn != stream.NextSsn)
                {
                    return;
                }

                end++;
            }

            stream.NextSsn++;
            DeliverFragments(list, start, end, streamId);
        }
    }

    private void TryDeliverUnordered(SctpInboundStream stream, ushort streamId, int index)
    {
        var list = stream.Unordered;
        var start = index;
        while (!list[start].Beginning)
        {
            if (start == 0 || list[start - 1].Tsn != list[start].Tsn - 1 || list[start - 1].Ending)
            {
                return;
            }

            start--;
        }

        var end = index;
        while (!list[end].Ending)
        {
            if (end + 1 >= list.Count || list[end + 1].Tsn != list[end].Tsn + 1 || list[end + 1].Beginning)
            {
                return;
            }

            end++;
        }

        DeliverFragments(list, start, end, streamId);
    }

    private void DeliverFragments(List<SctpInboundFragment> list, int start, int end, ushort streamId)
    {
        long total = 0;
        for (var i = start; i <= end; i++)
        {
            total += list[i].Length;
        }

        if (total > _options.MaxReceiveMessageSize)
        {
            ProtocolViolation("message too large");
            return;
        }

        var message = new byte[total];
        var position = 0;
        var ppid = list[start].Ppid;
        for (var i = start; i <= end; i++)
        {
            var fragment = list[i];
            fragment.Buffer.AsSpan(0, fragment.Length).CopyTo(message.AsSpan(position));
            position += fragment.Length;
            FreeFragment(fragment, countBuffered: false);
        }

        list.RemoveRange(start, end - start + 1);
        Statistics.MessagesReceived++;
        _events.Enqueue(new SctpEvent(SctpEventKind.MessageReceived, streamId, ppid, message));
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

    private SctpInboundFragment NewFragment(in DataChunk data)
    {
        var fragment = _fragmentPool.Count > 0 ? _fragmentPool.Pop() : new SctpInboundFragment();
        fragment.Tsn = data.Tsn;
        fragment.Ssn = data.Ssn;
        fragment.Ppid = data.Ppid;
        fragment.Flags = data.Flags;
        fragment.Length = data.Payload.Length;
        fragment.Buffer = RentBuffer(data.Payload.Length);
        data.Payload.CopyTo(fragment.Buffer);
        _receiveBuffered += fragment.Length;
        return fragment;
    }

    /// <summary>Returns a fragment to the pool; its bytes leave the receive buffer unless they move into a delivered message.</summary>
    private void FreeFragment(SctpInboundFragment fragment, bool countBuffered)
    {
        if (countBuffered)
        {
            _receiveBuffered -= fragment.Length;
        }

        ReturnBuffer(fragment.Buffer);
        fragment.Buffer = [];
        if (_fragmentPool.Count < MaxPooledFragments)
        {
            _fragmentPool.Push(fragment);
        }
    }

    /// <summary>
    /// Counts <paramref name="bytes"/> more against the receive window (with <see cref="SctpAssociationOptions.HoldPolledMessages"/>:
    /// the driver's own per-message bookkeeping of a message waiting for the application); give them back with
    /// <see cref="ReleaseReceived"/>.
    /// </summary>
    public void ChargeReceived(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        _receiveBuffered += bytes;
    }

    /// <summary>
    /// Gives back receive-window bytes held for the application (<see cref="SctpAssociationOptions.HoldPolledMessages"/>
    /// messages once consumed, and what <see cref="ChargeReceived"/> added).
    /// </summary>
    /// <returns>True when the window opened enough that a window-update SACK is now due: drain <see cref="TryPollTransmit"/>.</returns>
    public bool ReleaseReceived(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        var before = _sackNeeded;
        ReleaseDeliveredBytes(bytes);
        return _sackNeeded && !before;
    }

    private void ReleaseDeliveredBytes(long length)
    {
        _receiveBuffered = Math.Max(0L, _receiveBuffered - length);
        if (_terminated || !IsPeerKnown)
        {
            return;
        }

        // Window update (RFC 9260 §6.2, SWS avoidance): tell the peer once the window has opened noticeably.
        var window = CurrentReceiveWindow;
        if (_lastAdvertisedRwnd < (uint)_options.ReceiveWindow / 2 && window >= _lastAdvertisedRwnd + ((uint)_options.ReceiveWindow / 4))
        {
            _sackNeeded = true;
        }
    }

    private void AfterDataReceived(bool immediate)
    {
        _packetsSinceSack++;
        CheckDeferredIncomingReset();

        // RFC 9260 §6.2: SACK at least every second packet, at once when there are gaps or duplicates, else within 200 ms.
        if (immediate || _duplicates.Count > 0 || _highestReceivedTsn != _peerCumTsn || _packetsSinceSack >= 2 || _state != SctpAssociationState.Established)
        {
            _sackNeeded = true;
        }
        else
        {
            // Like dcsctp: never delay longer than half our RTO, so a short RTO on both sides does not fire T3 before the SACK.
            var halfRto = _rto / 2;
            _delayedAckDeadline ??= _now + (halfRto < _options.DelayedAckTimeout ? halfRto : _options.DelayedAckTimeout);
        }
    }

    /// <summary>FORWARD-TSN (RFC 3758 §3.6): move the cumulative TSN, skip abandoned SSNs, drop dead fragments.</summary>
    private bool HandleForwardTsn(ReadOnlySpan<byte> value)
    {
        if (!CanReceiveData)
        {
            return false;
        }

        if (!ForwardTsnChunk.TryParse(value, out var forward))
        {
            DropPacket("malformed FORWARD-TSN");
            return false;
        }

        var newCum = forward.NewCumulativeTsn;
        if (SctpSerial.Le(newCum, _peerCumTsn))
        {
            return true;
        }

        var distance = newCum - _peerCumTsn;
        if (distance >= TsnWindow)
        {
            Array.Clear(_receivedBits);
        }
        else
        {
            for (var t = _peerCumTsn + 1; t != newCum + 1; t++)
            {
                ClearReceived(t);
            }
        }

        _peerCumTsn = newCum;
        if (SctpSerial.Lt(_highestReceivedTsn, newCum))
        {
            _highestReceivedTsn = newCum;
        }

        AdvanceCumulativeTsn();

        for (var i = 0; i < forward.StreamCount; i++)
        {
            var (streamId, ssn) = forward.GetStream(i);
            if (streamId >= _inboundStreamCount)
            {
                continue;
            }

            var stream = GetInboundStream(streamId);
            if (SctpSerial.Le(stream.NextSsn, ssn))
            {
                stream.NextSsn = (ushort)(ssn + 1);
            }

            RemoveFragments(stream.Ordered, f => SctpSerial.Le(f.Ssn, ssn) && SctpSerial.Le(f.Tsn, newCum));
            TryDeliverOrdered(stream, streamId);
        }

        // Whatever is still waiting with a TSN at or below the new cumulative TSN can never complete.
        foreach (var stream in _inboundStreams.Values)
        {
            RemoveFragments(stream.Unordered, f => SctpSerial.Le(f.Tsn, newCum));
            RemoveFragments(stream.Ordered, f => SctpSerial.Le(f.Tsn, newCum) && SctpSerial.Lt(f.Ssn, stream.NextSsn));
        }

        return true;
    }

    private void RemoveFragments(List<SctpInboundFragment> list, Func<SctpInboundFragment, bool> predicate)
    {
        var kept = 0;
        for (var i = 0; i < list.Count; i++)
        {
            var fragment = list[i];
            if (predicate(fragment))
            {
                FreeFragment(fragment, countBuffered: true);
            }
            else
            {
                list[kept++] = fragment;
            }
        }

        list.RemoveRange(kept, list.Count - kept);
    }

    /// <summary>Writes a SACK (RFC 9260 §3.3.4) with as many gap blocks and duplicates as fit.</summary>
    private void WriteSack(ref SctpPacketWriter writer)
    {
        if (writer.Remaining < 16)
        {
            return;
        }

        var window = CurrentReceiveWindow;
        writer.BeginChunk(SctpChunkType.Sack, 0);
        writer.WriteUInt32(_peerCumTsn);
        writer.WriteUInt32(window);
        var counts = writer.Reserve(4);
        var dups = Math.Min(_duplicates.Count, (writer.Remaining - 4) / 4 / 2);
        var maxBlocks = Math.Min(ushort.MaxValue, (writer.Remaining - (dups * 4)) / 4);
        var blocks = 0;
        if (_highestReceivedTsn != _peerCumTsn)
        {
            var span = _highestReceivedTsn - _peerCumTsn;
            uint runStart = 0;
            for (uint off = 1; off <= span && blocks < maxBlocks; off++)
            {
                var received = IsReceived(_peerCumTsn + off);
                if (received && runStart == 0)
                {
                    runStart = off;
                }
                else if (!received && runStart != 0)
                {
                    writer.WriteUInt16((ushort)runStart);
                    writer.WriteUInt16((ushort)(off - 1));
                    blocks++;
                    runStart = 0;
                }
            }

            if (runStart != 0 && blocks < maxBlocks)
            {
                writer.WriteUInt16((ushort)runStart);
                writer.WriteUInt16((ushort)span);
                blocks++;
            }
        }

        for (var i = 0; i < dups; i++)
        {
            writer.WriteUInt32(_duplicates[i]);
        }

        BinaryPrimitives.WriteUInt16BigEndian(counts, (ushort)blocks);
        BinaryPrimitives.WriteUInt16BigEndian(counts[2..], (ushort)dups);
        writer.EndChunk();
        _duplicates.Clear();
        _sackNeeded = false;
        _packetsSinceSack = 0;
        _delayedAckDeadline = null;
        _lastAdvertisedRwnd = window;
        Statistics.SacksSent++;
    }

    private void ReleaseReceiver()
    {
        foreach (var stream in _inboundStreams.Values)
        {
            foreach (var fragment in stream.Ordered)
            {
                FreeFragment(fragment, countBuffered: true);
            }

            foreach (var fragment in stream.Unordered)
            {
                FreeFragment(fragment, countBuffered: true);
            }

            stream.Ordered.Clear();
            stream.Unordered.Clear();
        }

        _inboundStreams.Clear();
    }
}
