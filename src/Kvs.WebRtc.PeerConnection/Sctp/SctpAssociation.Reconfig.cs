namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>
/// Stream reset glue (RFC 6525, used to close data channels, RFC 8831 §6.7): <see cref="SctpStreamReset"/> keeps the
/// RE-CONFIG state; this part ties it to the send queue's reset gate, to the reassembly and to the RTO.
/// </summary>
internal sealed partial class SctpAssociation
{
    private readonly SctpStreamReset _streamReset;
    private readonly Func<ushort, bool> _isStreamDrained;
    private readonly List<ushort> _resetScratch = [];

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
            if (_sendQueue.TryBeginReset(id))
            {
                _streamReset.Request(id);
            }
        }
    }

    private void PrepareResetRequest()
    {
        if (_streamReset.InFlightStreams is not null || _streamReset.WaitingStreams.Count == 0 || _state != SctpAssociationState.Established)
        {
            return;
        }

        if (!_peerSupportsReconfig)
        {
            _resetScratch.Clear();
            _streamReset.TakeWaiting(_resetScratch);
            foreach (var id in _resetScratch)
            {
                _sendQueue.EndReset(id, success: false);
                _events.Enqueue(new SctpEvent(SctpEventKind.StreamResetFailed, id, Reason: "peer does not support RE-CONFIG"));
            }

            return;
        }

        _streamReset.TryStartRequest(_isStreamDrained, _outstanding.NextTsn - 1, _now + _rto);
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
                    if (_streamReset.OnOutgoingResetRequest(request, _peerCumTsn) is { } streams)
                    {
                        PerformIncomingReset(streams);
                    }

                    break;
                case SctpParameterType.ReconfigurationResponse when ReconfigResponseParameter.TryParse(parameter, out var response):
                    HandleReconfigResponse(response.ResponseSequence, response.Result);
                    break;
                case SctpParameterType.IncomingSsnResetRequest or SctpParameterType.SsnTsnResetRequest
                    or SctpParameterType.AddOutgoingStreamsRequest or SctpParameterType.AddIncomingStreamsRequest
                    when ReconfigResponseParameter.TryReadRequestSequence(parameter, out var seq):
                    _streamReset.OnUnsupportedRequest(seq);
                    break;
                default:
                    DropPacket("malformed or unknown RE-CONFIG parameter");
                    break;
            }
        }
    }

    private void CheckDeferredIncomingReset()
    {
        if (_streamReset.TryCompleteDeferred(_peerCumTsn) is { } streams)
        {
            PerformIncomingReset(streams);
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
        if (!_streamReset.OnResponse(seq, result, _now + _rto, out var streams))
        {
            return;
        }

        var success = result is SctpReconfigResult.SuccessPerformed or SctpReconfigResult.SuccessNothingToDo;
        foreach (var id in streams)
        {
            _sendQueue.EndReset(id, success);
            _events.Enqueue(success
                ? new SctpEvent(SctpEventKind.OutgoingStreamReset, id)
                : new SctpEvent(SctpEventKind.StreamResetFailed, id, Reason: "reset refused: " + result));
        }
    }

    private void OnReconfigTimeout(TimeSpan now)
    {
        if (!_streamReset.HandleTimeout(now))
        {
            return;
        }

        if (++_errorCount > _options.MaxAssociationRetransmits)
        {
            Terminate("peer unreachable (RE-CONFIG)", aborted: true);
            return;
        }

        _rto = Min(_rto * 2, _options.BackoffLimit);
        _streamReset.Retransmit(_now + _rto);
    }
}
