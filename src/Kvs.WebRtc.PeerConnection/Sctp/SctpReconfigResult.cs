namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>Results of a Re-configuration Response Parameter (RFC 6525 §4.4).</summary>
internal enum SctpReconfigResult : uint
{
    SuccessNothingToDo = 0,
    SuccessPerformed = 1,
    Denied = 2,
    ErrorWrongSsn = 3,
    ErrorRequestAlreadyInProgress = 4,
    ErrorBadSequenceNumber = 5,
    InProgress = 6,
}
