using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>Receive side: TSN tracking, SACK generation, FORWARD-TSN; messages are put together by <see cref="SctpReassemblyQueue"/>.</summary>
internal sealed partial class SctpAssociation
{
    /// <summary>TSNs accepted beyond the cumulative TSN (gap ack offsets are 16-bit, RFC 9260 §3.3.4).</summary>
    private const int TsnWindow = 65536;
    private const int MaxDuplicateReports = 32;

    private readonly ulong[] _receivedBits = new ulong[TsnWindow / 64];
    private readonly List<uint> _duplicates = [];
    private readonly SctpReassemblyQueue _reassembly;

    private uint _peerCumTsn;
    private uint _highestReceivedTsn;
    private int _packetsSinceSack;
    private bool _sackNeeded;
    private TimeSpan? _delayedAckDeadline;
    private uint _lastAdvertisedRwnd;

    /// <summary>Bytes held for the application: fragments in reassembly plus delivered messages not yet polled.</summary>
    public long ReceiveBufferedAmount => _reassembly.HeldBytes;

    private uint CurrentReceiveWindow => (uint)Math.Max(0L, _options.ReceiveWindow - _reassembly.HeldBytes);

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
        var held = _reassembly.HeldBytes;
        if (held + length > _options.ReceiveWindow && (offset != 1 || held + length > 2L * _options.ReceiveWindow))
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

        var delivered = _reassembly.MessagesDelivered;
        OnReassembly(delivered, _reassembly.Add(data));
        return true;
    }

    private void OnReassembly(long deliveredBefore, SctpReassemblyOutcome outcome)
    {
        Statistics.MessagesReceived += _reassembly.MessagesDelivered - deliveredBefore;
        if (outcome == SctpReassemblyOutcome.StaleSsn)
        {
            Log.DataDropped(_logger, "stale stream sequence number");
        }
        else if (outcome == SctpReassemblyOutcome.MessageTooLarge)
        {
            ProtocolViolation("message too large");
        }
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

    /// <summary>
    /// Counts <paramref name="bytes"/> more against the receive window (with <see cref="SctpAssociationOptions.HoldPolledMessages"/>:
    /// the driver's own per-message bookkeeping of a message waiting for the application); give them back with
    /// <see cref="ReleaseReceived"/>.
    /// </summary>
    public void ChargeReceived(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        _reassembly.Charge(bytes);
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
        _reassembly.Release(length);
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

            var delivered = _reassembly.MessagesDelivered;
            OnReassembly(delivered, _reassembly.SkipTo(streamId, ssn, newCum));
            if (_terminated)
            {
                return false;
            }
        }

        // Whatever is still waiting with a TSN at or below the new cumulative TSN can never complete.
        _reassembly.DropAbandoned(newCum);
        return true;
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

    private void ReleaseReceiver() => _reassembly.Clear();
}
