namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>Stream reset (RFC 6525): outgoing SSN reset requests and responses, used to close data channels (RFC 8831 §6.7).</summary>
internal sealed partial class SctpAssociation
{
    private const int MaxStreamsPerRequest = 256;

    private readonly List<ushort> _streamsToReset = [];
    private ushort[]? _reconfigInFlightStreams;
    private uint _reconfigRequestSeq;
    private uint _reconfigInFlightLastTsn;
    private bool _reconfigRequestToSend;
    private TimeSpan? _reconfigDeadline;
    private uint _peerReconfigExpectedSeq;
    private (uint Seq, SctpReconfigResult Result)? _reconfigResponseToSend;
    private SctpReconfigResult _lastReconfigResult = SctpReconfigResult.SuccessNothingToDo;
    private (uint Seq, uint LastTsn, ushort[] Streams)? _deferredIncomingReset;

    /// <summary>
    /// Requests a reset of our outgoing <paramref name="streamIds"/> (RFC 6525 §5.1.2) once their queued data has been
    /// sent; no new message is accepted on them meanwhile. <see cref="SctpEventKind.OutgoingStreamReset"/> reports completion.
    /// </summary>
    public void ResetStreams(ReadOnlySpan<ushort> streamIds, TimeSpan now)
    {
        _now = now;
        if (_terminated)
        {
            return;
        }

        foreach (var id in streamIds)
        {
            var stream = GetOutboundStream(id);
            if (!stream.Resetting)
            {
                stream.Resetting = true;
                _streamsToReset.Add(id);
            }
        }
    }

    private void PrepareResetRequest()
    {
        if (_reconfigInFlightStreams is not null || _streamsToReset.Count == 0 || _state != SctpAssociationState.Established)
        {
            return;
        }

        if (!_peerSupportsReconfig)
        {
            foreach (var id in _streamsToReset)
            {
                _outboundStreams[id].Resetting = false;
                _events.Enqueue(new SctpEvent(SctpEventKind.StreamResetFailed, id, Reason: "peer does not support RE-CONFIG"));
            }

            _streamsToReset.Clear();
            return;
        }

        var ready = new List<ushort>();
        for (var i = 0; i < _streamsToReset.Count && ready.Count < MaxStreamsPerRequest; i++)
        {
            var id = _streamsToReset[i];
            if (_outboundStreams[id].PendingMessages == 0)
            {
                ready.Add(id);
            }
        }

        if (ready.Count == 0)
        {
            return;
        }

        foreach (var id in ready)
        {
            _streamsToReset.Remove(id);
        }

        _reconfigInFlightStreams = [.. ready];
        _reconfigInFlightLastTsn = _outstanding.NextTsn - 1;
        _reconfigRequestToSend = true;
        _reconfigDeadline = _now + _rto;
    }

    private void WriteReconfig(ref SctpPacketWriter writer)
    {
        var need = SctpPacket.ChunkHeaderLength + (_reconfigResponseToSend is not null ? ReconfigResponseParameter.WrittenLength : 0)
            + (_reconfigRequestToSend && _reconfigInFlightStreams is { } s ? OutgoingSsnResetRequestParameter.WrittenLength(s.Length) : 0);
        if (need > writer.Remaining)
        {
            return;
        }

        writer.BeginChunk(SctpChunkType.ReConfig, 0);
        if (_reconfigResponseToSend is { } response)
        {
            ReconfigResponseParameter.Write(ref writer, response.Seq, response.Result);
            _reconfigResponseToSend = null;
        }

        if (_reconfigRequestToSend && _reconfigInFlightStreams is { } streams)
        {
            OutgoingSsnResetRequestParameter.Write(ref writer, _reconfigRequestSeq, _peerReconfigExpectedSeq - 1, _reconfigInFlightLastTsn, streams);
            _reconfigRequestToSend = false;
        }

        writer.EndChunk();
    }

    private void HandleReconfig(ReadOnlySpan<byte> value)
    {
        if (!CanProcessAcks)
        {
            return;
        }

        var reader = new SctpParameterReader(value);
        while (reader.TryReadNext(out var type, out var parameter))
        {
            switch ((SctpParameterType)type)
            {
                case SctpParameterType.OutgoingSsnResetRequest when OutgoingSsnResetRequestParameter.TryParse(parameter, out var request):
                    HandleOutgoingResetRequest(request);
                    break;
                case SctpParameterType.ReconfigurationResponse when ReconfigResponseParameter.TryParse(parameter, out var response):
                    HandleReconfigResponse(response.ResponseSequence, response.Result);
                    break;
                case SctpParameterType.IncomingSsnResetRequest or SctpParameterType.SsnTsnResetRequest
                    or SctpParameterType.AddOutgoingStreamsRequest or SctpParameterType.AddIncomingStreamsRequest
                    when ReconfigResponseParameter.TryReadRequestSequence(parameter, out var seq):
                    // Not used by WebRTC: deny (RFC 6525 §5.2).
                    if (seq == _peerReconfigExpectedSeq)
                    {
                        _peerReconfigExpectedSeq++;
                        Respond(seq, SctpReconfigResult.Denied);
                    }
                    else
                    {
                        Respond(seq, seq == _peerReconfigExpectedSeq - 1 ? _lastReconfigResult : SctpReconfigResult.ErrorBadSequenceNumber);
                    }

                    break;
                default:
                    DropPacket("malformed or unknown RE-CONFIG parameter");
                    break;
            }
        }
    }

    private void Respond(uint seq, SctpReconfigResult result)
    {
        _reconfigResponseToSend = (seq, result);
        _lastReconfigResult = result;
    }

    /// <summary>RFC 6525 §5.2.2: the peer resets its outgoing streams (our incoming ones).</summary>
    private void HandleOutgoingResetRequest(in OutgoingSsnResetRequestParameter request)
    {
        var seq = request.RequestSequence;
        var lastTsn = request.LastAssignedTsn;
        if (seq != _peerReconfigExpectedSeq)
        {
            var result = seq == _peerReconfigExpectedSeq - 1 ? _lastReconfigResult : SctpReconfigResult.ErrorBadSequenceNumber;
            if (_deferredIncomingReset is { } d && d.Seq == seq)
            {
                result = SctpReconfigResult.InProgress;
            }

            _reconfigResponseToSend = (seq, result);
            return;
        }

        var count = Math.Min(request.StreamCount, MaxStreamsPerRequest * 4);
        var streams = new ushort[count];
        for (var i = 0; i < count; i++)
        {
            streams[i] = request.GetStream(i);
        }

        if (SctpSerial.Le(lastTsn, _peerCumTsn))
        {
            PerformIncomingReset(streams);
            _peerReconfigExpectedSeq++;
            _deferredIncomingReset = null;
            Respond(seq, SctpReconfigResult.SuccessPerformed);
        }
        else
        {
            // Data sent before the reset is still missing: finish it first (performed by CheckDeferredIncomingReset).
            _deferredIncomingReset = (seq, lastTsn, streams);
            _reconfigResponseToSend = (seq, SctpReconfigResult.InProgress);
        }
    }

    private void CheckDeferredIncomingReset()
    {
        if (_deferredIncomingReset is { } d && SctpSerial.Le(d.LastTsn, _peerCumTsn))
        {
            _deferredIncomingReset = null;
            PerformIncomingReset(d.Streams);
            _peerReconfigExpectedSeq++;
            Respond(d.Seq, SctpReconfigResult.SuccessPerformed);
        }
    }

    private void PerformIncomingReset(ushort[] streams)
    {
        if (streams.Length == 0)
        {
            // An empty list means every stream.
            foreach (var id in _reassembly.StreamIds)
            {
                _reassembly.TryResetStream(id);
                _events.Enqueue(new SctpEvent(SctpEventKind.IncomingStreamReset, id));
            }

            return;
        }

        foreach (var id in streams)
        {
            _reassembly.TryResetStream(id);
            _events.Enqueue(new SctpEvent(SctpEventKind.IncomingStreamReset, id));
        }
    }

    private void HandleReconfigResponse(uint seq, SctpReconfigResult result)
    {
        if (_reconfigInFlightStreams is not { } streams || seq != _reconfigRequestSeq)
        {
            return;
        }

        if (result == SctpReconfigResult.InProgress)
        {
            _reconfigDeadline = _now + _rto;
            return;
        }

        _reconfigInFlightStreams = null;
        _reconfigRequestToSend = false;
        _reconfigDeadline = null;
        _reconfigRequestSeq++;
        var success = result is SctpReconfigResult.SuccessPerformed or SctpReconfigResult.SuccessNothingToDo;
        foreach (var id in streams)
        {
            var stream = _outboundStreams[id];
            stream.Resetting = false;
            if (success)
            {
                stream.NextSsn = 0;
                _events.Enqueue(new SctpEvent(SctpEventKind.OutgoingStreamReset, id));
            }
            else
            {
                _events.Enqueue(new SctpEvent(SctpEventKind.StreamResetFailed, id, Reason: "reset refused: " + result));
            }
        }
    }

    private void OnReconfigTimeout()
    {
        _reconfigDeadline = null;
        if (_reconfigInFlightStreams is null)
        {
            return;
        }

        if (++_errorCount > _options.MaxAssociationRetransmits)
        {
            Terminate("peer unreachable (RE-CONFIG)", aborted: true);
            return;
        }

        _rto = Min(_rto * 2, _options.BackoffLimit);
        _reconfigRequestToSend = true;
        _reconfigDeadline = _now + _rto;
    }
}
