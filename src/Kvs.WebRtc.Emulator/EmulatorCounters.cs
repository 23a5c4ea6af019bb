namespace Kvs.WebRtc.Emulator;

/// <summary>Thread-safe counters behind <see cref="KvsEmulatorStatistics"/>.</summary>
internal sealed class EmulatorCounters
{
    private long _restRequests;
    private long _restAuthenticationFailures;
    private long _connectionsAccepted;
    private long _connectionsRejected;
    private long _framesReceived;
    private long _malformedFrames;
    private long _messagesDelivered;
    private long _messagesBuffered;
    private long _messagesExpired;
    private long _messagesDiscarded;
    private long _messagesDroppedByFault;
    private long _messagesRejected;
    private long _rejectionsWithoutCorrelationId;
    private long _statusResponsesSent;
    private long _protocolViolationCloses;

    public void RestRequest() => Interlocked.Increment(ref _restRequests);

    public void RestAuthenticationFailure() => Interlocked.Increment(ref _restAuthenticationFailures);

    public void ConnectionAccepted() => Interlocked.Increment(ref _connectionsAccepted);

    public void ConnectionRejected() => Interlocked.Increment(ref _connectionsRejected);

    public void FrameReceived() => Interlocked.Increment(ref _framesReceived);

    public void MalformedFrame() => Interlocked.Increment(ref _malformedFrames);

    public void MessageDelivered() => Interlocked.Increment(ref _messagesDelivered);

    public void MessageBuffered() => Interlocked.Increment(ref _messagesBuffered);

    public void MessagesExpired(int count) => Interlocked.Add(ref _messagesExpired, count);

    public void MessagesDiscarded(int count) => Interlocked.Add(ref _messagesDiscarded, count);

    public void MessageDroppedByFault() => Interlocked.Increment(ref _messagesDroppedByFault);

    public void MessageRejected() => Interlocked.Increment(ref _messagesRejected);

    public void RejectionWithoutCorrelationId() => Interlocked.Increment(ref _rejectionsWithoutCorrelationId);

    public void StatusResponseSent() => Interlocked.Increment(ref _statusResponsesSent);

    public void ProtocolViolationClose() => Interlocked.Increment(ref _protocolViolationCloses);

    public KvsEmulatorStatistics Snapshot() => new()
    {
        RestRequests = Interlocked.Read(ref _restRequests),
        RestAuthenticationFailures = Interlocked.Read(ref _restAuthenticationFailures),
        ConnectionsAccepted = Interlocked.Read(ref _connectionsAccepted),
        ConnectionsRejected = Interlocked.Read(ref _connectionsRejected),
        FramesReceived = Interlocked.Read(ref _framesReceived),
        MalformedFrames = Interlocked.Read(ref _malformedFrames),
        MessagesDelivered = Interlocked.Read(ref _messagesDelivered),
        MessagesBuffered = Interlocked.Read(ref _messagesBuffered),
        MessagesExpired = Interlocked.Read(ref _messagesExpired),
        MessagesDiscarded = Interlocked.Read(ref _messagesDiscarded),
        MessagesDroppedByFault = Interlocked.Read(ref _messagesDroppedByFault),
        MessagesRejected = Interlocked.Read(ref _messagesRejected),
        RejectionsWithoutCorrelationId = Interlocked.Read(ref _rejectionsWithoutCorrelationId),
        StatusResponsesSent = Interlocked.Read(ref _statusResponsesSent),
        ProtocolViolationCloses = Interlocked.Read(ref _protocolViolationCloses),
    };
}
