namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>
/// RE-CONFIG state of an association (RFC 6525), as WebRTC uses it to close data channels (RFC 8831 §6.7): our
/// outgoing SSN reset requests (streams waiting, the request in flight, its sequence number and retransmission
/// deadline) and the peer's requests (expected sequence number, the response to send, a reset deferred until the data
/// sent before it has arrived).
/// </summary>
/// <remarks>
/// Sans-IO and time as input. The association glues it to the send queue (a stream is offered for reset only once
/// its queued data is sent) and to the receiver (an incoming reset is performed once the peer's last TSN arrived),
/// and owns the RTO and the error count. See <c>docs/architecture.md</c>, "SCTP pieces".
/// </remarks>
internal sealed class SctpStreamReset
{
    /// <summary>Most streams named in one of our requests.</summary>
    public const int MaxStreamsPerRequest = 256;

    /// <summary>Most streams taken from one peer request.</summary>
    public const int MaxIncomingStreams = MaxStreamsPerRequest * 4;

    private readonly List<ushort> _waiting = [];
    private readonly List<ushort> _ready = [];
    private ushort[]? _inFlight;
    private uint _inFlightLastTsn;
    private bool _requestToSend;
    private (uint Seq, SctpReconfigResult Result)? _responseToSend;
    private SctpReconfigResult _lastResult = SctpReconfigResult.SuccessNothingToDo;
    private (uint Seq, uint LastTsn, ushort[] Streams)? _deferredIncoming;

    /// <param name="initialRequestSequence">Sequence number of our first request (our initial TSN, RFC 6525 §5.1.1).</param>
    public SctpStreamReset(uint initialRequestSequence) => RequestSequence = initialRequestSequence;

    /// <summary>Sequence number of our current (or next) request.</summary>
    public uint RequestSequence { get; private set; }

    /// <summary>Sequence number the peer's next request must carry.</summary>
    public uint PeerExpectedSequence { get; private set; }

    /// <summary>Streams of our request in flight; null when none is.</summary>
    public IReadOnlyList<ushort>? InFlightStreams => _inFlight;

    /// <summary>Streams requested and not yet in a request.</summary>
    public IReadOnlyList<ushort> WaitingStreams => _waiting;

    /// <summary>When the request in flight is resent; null when no timer runs.</summary>
    public TimeSpan? NextTimeout { get; private set; }

    /// <summary>True when a RE-CONFIG chunk (request or response) waits to be written.</summary>
    public bool HasChunkToSend => _requestToSend || _responseToSend is not null;

    /// <summary>Wire length of the RE-CONFIG chunk waiting, 0 when none.</summary>
    public int PendingChunkLength =>
        !HasChunkToSend ? 0 : SctpPacket.ChunkHeaderLength + (_responseToSend is not null ? ReconfigResponseParameter.WrittenLength : 0)
            + (_requestToSend && _inFlight is { } s ? OutgoingSsnResetRequestParameter.WrittenLength(s.Length) : 0);

    /// <summary>Sets the peer's first request sequence number (its initial TSN), learnt from its INIT or INIT-ACK.</summary>
    public void SetPeerInitialSequence(uint sequence) => PeerExpectedSequence = sequence;

    /// <summary>Asks for a reset of our outgoing <paramref name="streamId"/>; the caller closed its gate already.</summary>
    public void Request(ushort streamId) => _waiting.Add(streamId);

    /// <summary>Removes every waiting stream (the peer cannot reset streams) into <paramref name="streams"/>.</summary>
    public void TakeWaiting(List<ushort> streams)
    {
        streams.AddRange(_waiting);
        _waiting.Clear();
    }

    /// <summary>
    /// Starts a request with the waiting streams <paramref name="isDrained"/> accepts (their queued data is all sent),
    /// when no request is in flight. Returns true when a request was started.
    /// </summary>
    /// <param name="isDrained">Whether a stream's queued data has all been cut into chunks.</param>
    /// <param name="lastAssignedTsn">Our last TSN assigned: the peer resets once it has everything up to it.</param>
    /// <param name="deadline">When to resend the request if no response came.</param>
    public bool TryStartRequest(Func<ushort, bool> isDrained, uint lastAssignedTsn, TimeSpan deadline)
    {
        if (_inFlight is not null || _waiting.Count == 0)
        {
            return false;
        }

        _ready.Clear();
        for (var i = 0; i < _waiting.Count && _ready.Count < MaxStreamsPerRequest; i++)
        {
            if (isDrained(_waiting[i]))
            {
                _ready.Add(_waiting[i]);
            }
        }

        if (_ready.Count == 0)
        {
            return false;
        }

        foreach (var id in _ready)
        {
            _waiting.Remove(id);
        }

        _inFlight = [.. _ready];
        _inFlightLastTsn = lastAssignedTsn;
        _requestToSend = true;
        NextTimeout = deadline;
        return true;
    }

    /// <summary>Writes the waiting response and request as one RE-CONFIG chunk if it fits; false when nothing was written.</summary>
    public bool TryBuildChunk(ref SctpPacketWriter writer)
    {
        var need = PendingChunkLength;
        if (need == 0 || need > writer.Remaining)
        {
            return false;
        }

        writer.BeginChunk(SctpChunkType.ReConfig, 0);
        if (_responseToSend is { } response)
        {
            ReconfigResponseParameter.Write(ref writer, response.Seq, response.Result);
            _responseToSend = null;
        }

        if (_requestToSend && _inFlight is { } streams)
        {
            OutgoingSsnResetRequestParameter.Write(ref writer, RequestSequence, PeerExpectedSequence - 1, _inFlightLastTsn, streams);
            _requestToSend = false;
        }

        writer.EndChunk();
        return true;
    }

    /// <summary>
    /// RFC 6525 §5.2.2: the peer resets its outgoing streams (our incoming ones). Returns the streams to reset now
    /// (empty means every stream), or null when nothing is to be done now (a retransmission, a bad sequence number, or
    /// a reset deferred until <paramref name="cumulativeTsnReceived"/> reaches the peer's last TSN).
    /// </summary>
    /// <param name="request">The parsed request.</param>
    /// <param name="cumulativeTsnReceived">Our cumulative TSN of the peer's data.</param>
    public ushort[]? OnOutgoingResetRequest(in OutgoingSsnResetRequestParameter request, uint cumulativeTsnReceived)
    {
        var seq = request.RequestSequence;
        if (seq != PeerExpectedSequence)
        {
            var result = seq == PeerExpectedSequence - 1 ? _lastResult : SctpReconfigResult.ErrorBadSequenceNumber;
            if (_deferredIncoming is { } d && d.Seq == seq)
            {
                result = SctpReconfigResult.InProgress;
            }

            _responseToSend = (seq, result);
            return null;
        }

        var count = Math.Min(request.StreamCount, MaxIncomingStreams);
        var streams = new ushort[count];
        for (var i = 0; i < count; i++)
        {
            streams[i] = request.GetStream(i);
        }

        if (SctpSerial.Le(request.LastAssignedTsn, cumulativeTsnReceived))
        {
            PeerExpectedSequence++;
            _deferredIncoming = null;
            Respond(seq, SctpReconfigResult.SuccessPerformed);
            return streams;
        }

        // Data sent before the reset is still missing: finish it first (performed by TryCompleteDeferred).
        _deferredIncoming = (seq, request.LastAssignedTsn, streams);
        _responseToSend = (seq, SctpReconfigResult.InProgress);
        return null;
    }

    /// <summary>
    /// Performs a deferred incoming reset once <paramref name="cumulativeTsnReceived"/> covers the peer's last TSN:
    /// returns its streams (empty means every stream), else null.
    /// </summary>
    public ushort[]? TryCompleteDeferred(uint cumulativeTsnReceived)
    {
        if (_deferredIncoming is not { } d || !SctpSerial.Le(d.LastTsn, cumulativeTsnReceived))
        {
            return null;
        }

        _deferredIncoming = null;
        PeerExpectedSequence++;
        Respond(d.Seq, SctpReconfigResult.SuccessPerformed);
        return d.Streams;
    }

    /// <summary>A peer request WebRTC does not use (incoming, SSN/TSN, add streams): denied (RFC 6525 §5.2).</summary>
    public void OnUnsupportedRequest(uint seq)
    {
        if (seq == PeerExpectedSequence)
        {
            PeerExpectedSequence++;
            Respond(seq, SctpReconfigResult.Denied);
        }
        else
        {
            Respond(seq, seq == PeerExpectedSequence - 1 ? _lastResult : SctpReconfigResult.ErrorBadSequenceNumber);
        }
    }

    /// <summary>
    /// The peer answered a request. Returns true when our request in flight is finished (<paramref name="streams"/> are
    /// its streams, <paramref name="result"/> says whether they were reset); false when the response is not for it or
    /// says "in progress" (the timer then restarts at <paramref name="retryDeadline"/>).
    /// </summary>
    public bool OnResponse(uint seq, SctpReconfigResult result, TimeSpan retryDeadline, out ushort[] streams)
    {
        streams = [];
        if (_inFlight is not { } inFlight || seq != RequestSequence)
        {
            return false;
        }

        if (result == SctpReconfigResult.InProgress)
        {
            NextTimeout = retryDeadline;
            return false;
        }

        streams = inFlight;
        _inFlight = null;
        _requestToSend = false;
        NextTimeout = null;
        RequestSequence++;
        return true;
    }

    /// <summary>
    /// Runs the timer if due at <paramref name="now"/>. Returns true when the request in flight must be resent: the
    /// caller counts the error, backs off and calls <see cref="Retransmit"/>.
    /// </summary>
    public bool HandleTimeout(TimeSpan now)
    {
        if (NextTimeout is not { } deadline || deadline > now)
        {
            return false;
        }

        NextTimeout = null;
        return _inFlight is not null;
    }

    /// <summary>Queues the request in flight again and restarts the timer at <paramref name="deadline"/>.</summary>
    public void Retransmit(TimeSpan deadline)
    {
        if (_inFlight is null)
        {
            return;
        }

        _requestToSend = true;
        NextTimeout = deadline;
    }

    /// <summary>Stops the timer (the association ended).</summary>
    public void Stop() => NextTimeout = null;

    private void Respond(uint seq, SctpReconfigResult result)
    {
        _responseToSend = (seq, result);
        _lastResult = result;
    }
}
