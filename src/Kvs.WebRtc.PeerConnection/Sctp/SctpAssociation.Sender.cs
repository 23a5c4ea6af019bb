namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>
/// Send side glue: bundling into packets, SACK processing and retransmission. Queued messages are
/// <see cref="SctpSendQueue"/>, what is in flight is <see cref="SctpOutstandingData"/>, the window is
/// <see cref="ISctpCongestionControl"/>.
/// </summary>
internal sealed partial class SctpAssociation
{
    private readonly SctpSendQueue _sendQueue;
    private readonly SctpBufferPool _buffers;
    private readonly Dictionary<ushort, ushort> _forwardTsnStreams = [];
    private readonly int _maxDataPayload;
    private readonly ISctpCongestionControl _congestion;

    private readonly SctpOutstandingData _outstanding;
    private readonly List<SctpOutboundMessage> _abandonedScratch = [];
    private long _peerRwnd;
    private bool _fastRetransmitPending;
    private bool _forwardTsnPending;
    private bool _rttProbeActive;
    private uint _rttProbeTsn;
    private int _maxSendMessageSize;
    private int _burstBudget;

    /// <summary>Largest message <see cref="Send"/> accepts (the peer's SDP max-message-size, RFC 8841 §6).</summary>
    public int MaxSendMessageSize
    {
        get => _maxSendMessageSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxSendMessageSize = value;
        }
    }

    /// <summary>Bytes queued and not yet sent, over all streams.</summary>
    public long TotalBufferedAmount => _sendQueue.TotalBufferedAmount;

    /// <summary>The peer's receive window as we last computed it (its advertised a_rwnd less our bytes in flight).</summary>
    public long PeerReceiveWindow => _peerRwnd;

    /// <summary>Congestion window in bytes (RFC 9260 §7.2).</summary>
    internal long CongestionWindow => _congestion.CongestionWindow;

    /// <summary>Bytes sent and not yet acknowledged.</summary>
    internal long FlightSize => _outstanding.FlightSize;

    /// <summary>DATA chunks holding a TSN and not yet cumulatively acknowledged.</summary>
    internal int InflightChunkCount => _outstanding.Count;

    private void InitSender()
    {
        _peerRwnd = _options.ReceiveWindow;
        _maxSendMessageSize = _options.MaxSendMessageSize;
        _burstBudget = _options.MaxBurst;
    }

    /// <summary>
    /// Queues one user message on <paramref name="streamId"/>. Messages larger than a packet are fragmented; the
    /// bytes are copied, so the caller may reuse <paramref name="data"/> at once.
    /// </summary>
    /// <param name="streamId">Stream (data channel id).</param>
    /// <param name="ppid">Payload protocol identifier (RFC 8831 §8: 50 DCEP, 51 string, 53 binary, 56/57 empty).</param>
    /// <param name="data">The message; must not be empty.</param>
    /// <param name="unordered">Unordered delivery (U bit).</param>
    /// <param name="reliability">Partial reliability policy; honoured only if the peer supports FORWARD-TSN.</param>
    /// <param name="now">Current time (starts the lifetime of a timed message).</param>
    public SctpSendStatus Send(ushort streamId, uint ppid, ReadOnlySpan<byte> data, bool unordered, SctpReliability reliability, TimeSpan now)
    {
        _now = now;
        if (_terminated || _state is not (SctpAssociationState.Closed or SctpAssociationState.CookieWait or SctpAssociationState.CookieEchoed or SctpAssociationState.Established))
        {
            return SctpSendStatus.InvalidState;
        }

        if (data.IsEmpty)
        {
            return SctpSendStatus.EmptyMessage;
        }

        if (data.Length > _maxSendMessageSize)
        {
            return SctpSendStatus.MessageTooLarge;
        }

        if (streamId >= _outboundStreamCount)
        {
            return SctpSendStatus.InvalidStream;
        }

        return _sendQueue.Enqueue(streamId, ppid, data, unordered, reliability, now);
    }

    /// <summary>Bytes of <paramref name="streamId"/> queued and not yet sent once (W3C bufferedAmount).</summary>
    public long GetBufferedAmount(ushort streamId) => _sendQueue.GetBufferedAmount(streamId);

    /// <summary>Messages of <paramref name="streamId"/> queued and not yet fully cut into chunks (each holds a pooled buffer).</summary>
    public int GetQueuedMessageCount(ushort streamId) => _sendQueue.GetQueuedMessageCount(streamId);

    /// <summary>Sets the level at or below which a <see cref="SctpEventKind.BufferedAmountLow"/> event fires when crossed downwards.</summary>
    public void SetBufferedAmountLowThreshold(ushort streamId, long threshold) => _sendQueue.SetBufferedAmountLowThreshold(streamId, threshold);

    /// <summary>
    /// Produces the next packet to send into <paramref name="destination"/> (at least <see cref="SctpAssociationOptions.Mtu"/>
    /// bytes). Returns false when there is nothing to send now.
    /// </summary>
    public bool TryPollTransmit(Span<byte> destination, TimeSpan now, out int length)
    {
        _now = now;
        length = 0;
        if (_controlPackets.TryDequeue(out var control))
        {
            if (control.Length > destination.Length)
            {
                throw new ArgumentException("The destination is smaller than the packet.", nameof(destination));
            }

            control.CopyTo(destination);
            length = control.Length;
            Statistics.PacketsSent++;
            return true;
        }

        if (_terminated || _state is SctpAssociationState.Closed or SctpAssociationState.CookieWait or SctpAssociationState.CookieEchoed)
        {
            return false;
        }

        if (destination.Length < _options.Mtu)
        {
            throw new ArgumentException("The destination must hold at least one MTU.", nameof(destination));
        }

        PrepareResetRequest();
        var writer = new SctpPacketWriter(destination[.._options.Mtu], _options.LocalPort, _remotePort, _peerTag);
        if (_sackNeeded || (_delayedAckDeadline is not null && HasDataToSend()))
        {
            WriteSack(ref writer);
        }

        if (_forwardTsnPending)
        {
            WriteForwardTsn(ref writer);
        }

        if (_streamReset.HasChunkToSend)
        {
            _streamReset.TryBuildChunk(ref writer);
        }

        WriteData(ref writer);
        if (!writer.HasChunks)
        {
            return false;
        }

        length = writer.Finish();
        Statistics.PacketsSent++;
        return true;
    }

    private bool CanSendData => _state is SctpAssociationState.Established or SctpAssociationState.ShutdownPending or SctpAssociationState.ShutdownReceived;

    private bool HasDataToSend()
    {
        var cwnd = _congestion.CongestionWindow;
        var flight = _outstanding.FlightSize;
        return CanSendData &&
            ((_outstanding.RetransmitCount > 0 && (_fastRetransmitPending || flight < cwnd))
             || (_sendQueue.HasPending && flight < cwnd && (_burstBudget > 0 || flight == 0) && (_peerRwnd > 0 || flight == 0)));
    }

    private void WriteData(ref SctpPacketWriter writer)
    {
        if (!CanSendData)
        {
            return;
        }

        var sentAny = false;
        var cwnd = _congestion.CongestionWindow;
        if (_outstanding.RetransmitCount > 0)
        {
            var fast = _fastRetransmitPending;
            _fastRetransmitPending = false;
            for (var tsn = _outstanding.CumulativeTsnAck + 1; tsn != _outstanding.NextTsn && _outstanding.RetransmitCount > 0; tsn++)
            {
                var chunk = _outstanding[tsn];
                if (!chunk.MarkedForRetransmit || (fast && !chunk.FastRetransmit))
                {
                    continue;
                }

                if (!fast && _outstanding.FlightSize >= cwnd)
                {
                    break;
                }

                if (SctpOutstandingData.ShouldAbandon(chunk, _now, _peerSupportsForwardTsn))
                {
                    AbandonMessage(chunk.Message);
                    continue;
                }

                if (SctpPacket.Pad4(DataChunk.HeaderLength + chunk.Length) > writer.Remaining)
                {
                    break;
                }

                var message = chunk.Message;
                DataChunk.Write(ref writer, chunk.Flags, chunk.Tsn, message.Stream.Id, message.Ssn, message.Ppid, message.Buffer.AsSpan(chunk.Offset, chunk.Length));
                _outstanding.OnRetransmitted(chunk, _now);
                if (_rttProbeActive && _rttProbeTsn == tsn)
                {
                    _rttProbeActive = false; // Karn's rule: no RTT sample from a retransmitted chunk.
                }

                Statistics.Retransmissions++;
                Statistics.DataChunksSent++;
                sentAny = true;
            }

            if (_forwardTsnPending)
            {
                // Abandonment above moved the advanced peer ack point; the FORWARD-TSN goes in the next packet.
                UpdateAdvancedPeerAckPoint();
            }
        }

        if (_outstanding.FlightSize == 0)
        {
            _burstBudget = _options.MaxBurst; // Idle: a new burst may start.
        }

        var newData = false;
        while (_sendQueue.HasPending && _outstanding.FlightSize < cwnd && !_outstanding.IsFull && _burstBudget > 0)
        {
            if (_peerSupportsForwardTsn)
            {
                // A timed message that expired before its first byte was sent is dropped without using a TSN.
                Statistics.MessagesAbandoned += _sendQueue.DropExpiredHeads(_now);
                if (!_sendQueue.HasPending)
                {
                    break;
                }
            }

            // The chunk must fit the packet; RFC 9260 §6.1 A/B: respect the peer's window, but probe with one chunk when
            // nothing is in flight.
            long budget = (writer.Remaining & ~3) - DataChunk.HeaderLength;
            if (_outstanding.FlightSize > 0)
            {
                budget = Math.Min(budget, _peerRwnd);
            }

            if (!_sendQueue.TryTakeChunk(budget, _now, out var chunk))
            {
                break;
            }

            _outstanding.Add(chunk);
            var message = chunk.Message;
            DataChunk.Write(ref writer, chunk.Flags, chunk.Tsn, message.Stream.Id, message.Ssn, message.Ppid, message.Buffer.AsSpan(chunk.Offset, chunk.Length));
            _peerRwnd = Math.Max(0, _peerRwnd - chunk.Length);
            if ((chunk.Flags & DataChunk.FlagEnding) != 0)
            {
                Statistics.MessagesSent++;
            }

            if (!_rttProbeActive)
            {
                _rttProbeActive = true;
                _rttProbeTsn = chunk.Tsn;
            }

            Statistics.DataChunksSent++;
            sentAny = true;
            newData = true;
        }

        if (newData)
        {
            _burstBudget--;
        }

        if (sentAny && _t3Deadline is null)
        {
            _t3Deadline = _now + _rto;
        }
    }

    /// <summary>RFC 3758 §3.5: abandon every chunk of the message, including fragments not yet sent.</summary>
    private void AbandonMessage(SctpOutboundMessage message)
    {
        if (_outstanding.Abandon(message))
        {
            OnAbandoned(message);
        }
    }

    /// <summary>The send-queue half of abandoning a message whose outstanding chunks were abandoned already.</summary>
    private void OnAbandoned(SctpOutboundMessage message)
    {
        Statistics.MessagesAbandoned++;
        _sendQueue.OnMessageAbandoned(message);
        _forwardTsnPending = true;
    }

    private void HandleAbandoned()
    {
        foreach (var message in _abandonedScratch)
        {
            OnAbandoned(message);
        }

        _abandonedScratch.Clear();
    }

    private void UpdateAdvancedPeerAckPoint() => _forwardTsnPending = _outstanding.UpdateAdvancedPeerAckPoint();

    /// <summary>FORWARD-TSN (RFC 3758 §3.2) up to the advanced peer ack point, listing the last skipped SSN per ordered stream.</summary>
    private void WriteForwardTsn(ref SctpPacketWriter writer)
    {
        UpdateAdvancedPeerAckPoint();
        if (!_forwardTsnPending)
        {
            return;
        }

        _forwardTsnStreams.Clear();
        var advancedPeerAckPoint = _outstanding.AdvancedPeerAckPoint;
        for (var tsn = _outstanding.CumulativeTsnAck + 1; tsn != advancedPeerAckPoint + 1; tsn++)
        {
            var message = _outstanding[tsn].Message;
            if (message.Unordered)
            {
                continue;
            }

            if (!_forwardTsnStreams.TryGetValue(message.Stream.Id, out var ssn) || SctpSerial.Lt(ssn, message.Ssn))
            {
                _forwardTsnStreams[message.Stream.Id] = message.Ssn;
            }
        }

        var maxStreams = (writer.Remaining - ForwardTsnChunk.WrittenLength(0)) / 4;
        if (maxStreams < 0)
        {
            return;
        }

        var count = Math.Min(maxStreams, _forwardTsnStreams.Count);
        Span<(ushort StreamId, ushort Ssn)> entries = count <= 64 ? stackalloc (ushort StreamId, ushort Ssn)[count] : new (ushort StreamId, ushort Ssn)[count];
        var written = 0;
        foreach (var entry in _forwardTsnStreams)
        {
            if (written == count)
            {
                break;
            }

            entries[written++] = (entry.Key, entry.Value);
        }

        ForwardTsnChunk.Write(ref writer, advancedPeerAckPoint, entries);
        _forwardTsnPending = false;
        _t3Deadline ??= _now + _rto;
    }

    /// <summary>SACK processing (RFC 9260 §6.2.1, §7.2).</summary>
    private void HandleSack(ReadOnlySpan<byte> value)
    {
        if (!CanProcessAcks)
        {
            return;
        }

        if (!SackChunk.TryParse(value, out var sack))
        {
            DropPacket("malformed SACK");
            return;
        }

        var cum = sack.CumulativeTsnAck;
        if (SctpSerial.Lt(cum, _outstanding.CumulativeTsnAck))
        {
            return; // An older SACK arriving late (RFC 9260 §6.2.1 D.i).
        }

        if (SctpSerial.Ge(cum, _outstanding.NextTsn))
        {
            ProtocolViolation("SACK acknowledges a TSN never sent");
            return;
        }

        var flightBefore = _outstanding.FlightSize;
        _burstBudget = _options.MaxBurst;
        var cumAdvanced = SctpSerial.Gt(cum, _outstanding.CumulativeTsnAck);
        var bytesAcked = AdvanceCumulativeAck(cum);
        bytesAcked += _outstanding.ApplyGapBlocks(sack, out var highestNewlyAcked);
        var fastRetransmits = _outstanding.MarkFastRetransmits(highestNewlyAcked, _now, _peerSupportsForwardTsn, _abandonedScratch);
        HandleAbandoned();
        Statistics.FastRetransmits += fastRetransmits;
        var newFastRetransmit = fastRetransmits > 0;

        _peerRwnd = Math.Max(0L, sack.AdvertisedReceiverWindow - _outstanding.FlightSize);

        // Congestion control (RFC 9260 §7.2): growth first, then at most one reduction per window.
        _congestion.OnSack(cum, cumAdvanced, bytesAcked, flightBefore, _sendQueue.HasPending);
        if (newFastRetransmit)
        {
            _congestion.OnFastRetransmit(_outstanding.NextTsn - 1);
            _fastRetransmitPending = true;
        }

        // A SACK with a closed window answers our zero-window probe: the peer is alive, only its application is slow
        // (RFC 9260 §6.1 rule A). Probe timeouts then must not count towards the association's retransmission limit.
        if (cumAdvanced || bytesAcked > 0 || sack.AdvertisedReceiverWindow == 0)
        {
            _errorCount = 0;
        }

        if (_peerSupportsForwardTsn)
        {
            UpdateAdvancedPeerAckPoint(); // RFC 3758 §3.5 C1-C3: resend FORWARD-TSN while the peer lags behind.
        }

        if (_outstanding.FlightSize == 0 && _outstanding.RetransmitCount == 0 && !_forwardTsnPending)
        {
            _t3Deadline = null;
        }
        else if (cumAdvanced)
        {
            _t3Deadline = _now + _rto;
        }

        if (cumAdvanced)
        {
            ScheduleHeartbeat();
        }

        TryProgressShutdown();
    }

    private bool CanProcessAcks => _state is SctpAssociationState.Established or SctpAssociationState.ShutdownPending
        or SctpAssociationState.ShutdownSent or SctpAssociationState.ShutdownReceived or SctpAssociationState.ShutdownAckSent;

    /// <summary>Removes everything up to <paramref name="cum"/> from the outstanding data; returns newly acked bytes.</summary>
    private long AdvanceCumulativeAck(uint cum)
    {
        long bytesAcked = 0;
        while (_outstanding.TryRemoveAcked(cum, out var chunk, out var newlyAcked))
        {
            bytesAcked += newlyAcked;
            if (_rttProbeActive && _rttProbeTsn == chunk.Tsn)
            {
                _rttProbeActive = false;
                if (chunk.SendCount == 1)
                {
                    UpdateRto(_now - chunk.SentAt);
                }
            }

            _sendQueue.ReleaseChunk(chunk);
        }

        return bytesAcked;
    }

    /// <summary>T3-rtx expiry (RFC 9260 §6.3.3): back off, collapse cwnd, mark everything outstanding for retransmission.</summary>
    private void OnRetransmissionTimeout()
    {
        _t3Deadline = null;
        Statistics.T3Expirations++;
        if (++_errorCount > _options.MaxAssociationRetransmits)
        {
            Terminate("peer unreachable (retransmission limit)", aborted: true);
            return;
        }

        _congestion.OnRetransmissionTimeout();
        _rto = Min(_rto * 2, _options.BackoffLimit);
        _rttProbeActive = false;
        _outstanding.MarkAllForRetransmit(_now, _peerSupportsForwardTsn, _abandonedScratch);
        HandleAbandoned();

        if (_peerSupportsForwardTsn)
        {
            UpdateAdvancedPeerAckPoint();
        }

        if (_outstanding.RetransmitCount > 0 || _forwardTsnPending || _outstanding.FlightSize > 0)
        {
            _t3Deadline = _now + _rto;
        }
    }

    private void TryProgressShutdown()
    {
        if (_sendQueue.HasPending || _outstanding.Count != 0)
        {
            return;
        }

        if (_state == SctpAssociationState.ShutdownPending)
        {
            SendShutdown();
            SetState(SctpAssociationState.ShutdownSent);
            _t2Deadline = _now + _rto;
        }
        else if (_state == SctpAssociationState.ShutdownReceived)
        {
            SendSimpleChunk(SctpChunkType.ShutdownAck, 0);
            SetState(SctpAssociationState.ShutdownAckSent);
            _t2Deadline = _now + _rto;
        }
    }

    private void SendShutdown()
    {
        var writer = new SctpPacketWriter(_scratch, _options.LocalPort, _remotePort, _peerTag);
        ShutdownChunk.Write(ref writer, _peerCumTsn);
        EnqueueControl(ref writer);
    }

    private void HandleShutdown(ReadOnlySpan<byte> value)
    {
        if (!ShutdownChunk.TryParse(value, out var shutdown) || _state is not (SctpAssociationState.Established or SctpAssociationState.ShutdownPending or SctpAssociationState.ShutdownSent or SctpAssociationState.ShutdownReceived))
        {
            return;
        }

        var cum = shutdown.CumulativeTsnAck;
        if (SctpSerial.Gt(cum, _outstanding.CumulativeTsnAck) && SctpSerial.Lt(cum, _outstanding.NextTsn))
        {
            AdvanceCumulativeAck(cum);
            if (_outstanding.FlightSize == 0 && _outstanding.RetransmitCount == 0)
            {
                _t3Deadline = null;
            }
        }

        if (_state == SctpAssociationState.ShutdownSent)
        {
            // RFC 9260 §9.2: both sides shut down at once: answer with SHUTDOWN-ACK.
            SendSimpleChunk(SctpChunkType.ShutdownAck, 0);
            SetState(SctpAssociationState.ShutdownAckSent);
            _t2Deadline = _now + _rto;
            return;
        }

        if (_state != SctpAssociationState.ShutdownReceived)
        {
            SetState(SctpAssociationState.ShutdownReceived);
            _sackNeeded = true;
        }

        TryProgressShutdown();
    }

    private void HandleShutdownAck()
    {
        if (_state is SctpAssociationState.ShutdownSent or SctpAssociationState.ShutdownAckSent)
        {
            SendSimpleChunk(SctpChunkType.ShutdownComplete, 0);
            Terminate("shutdown complete", aborted: false);
        }
    }

    private void ReleaseSender()
    {
        while (_outstanding.TryRemoveAny(out var chunk))
        {
            _sendQueue.ReleaseChunk(chunk);
        }

        _sendQueue.Clear();
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
