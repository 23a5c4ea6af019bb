namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>What <see cref="NackResponder.Resend"/> did with one sequence number a NACK named.</summary>
internal enum NackResendResult
{
    /// <summary>Resent (as RTX or as the original packet).</summary>
    Sent,

    /// <summary>Not in the history (never sent, or older than its age limit).</summary>
    NotFound,

    /// <summary>The retransmission budget is spent: nothing more is resent for now.</summary>
    OverBudget,

    /// <summary>The transport refused it (SRTP not ready, closed).</summary>
    Failed,
}
