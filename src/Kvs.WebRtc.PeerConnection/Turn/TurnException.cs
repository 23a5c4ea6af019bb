namespace Kvs.WebRtc.PeerConnection.Turn;

/// <summary>A TURN operation failed (allocation refused, credentials rejected, timeout, transport lost).</summary>
internal sealed class TurnException : IOException
{
    /// <summary>Creates the exception.</summary>
    public TurnException(TurnError error, int stunErrorCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
        StunErrorCode = stunErrorCode;
    }

    /// <summary>Why it failed.</summary>
    public TurnError Error { get; }

    /// <summary>The server's ERROR-CODE (e.g. 401), or 0 when the failure was local.</summary>
    public int StunErrorCode { get; }
}
