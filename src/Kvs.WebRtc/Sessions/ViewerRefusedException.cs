namespace Kvs.WebRtc.Sessions;

/// <summary>
/// The master answered a <see cref="ViewerSession"/>'s offer with a refusal instead of a session, for example because
/// it already serves as many viewers as it allows (<see cref="Reason"/> is then <see cref="ViewerLimitReached"/>); or
/// the signaling service refused the viewer's connection because the channel has its maximum of connected viewers
/// (<see cref="RefusedBySignalingService"/>, <see cref="Reason"/> <see cref="ViewerLimitReached"/>).
/// </summary>
/// <remarks>
/// Thrown by <see cref="ViewerSession.ConnectAsync"/> as soon as the refusal arrives, well before its timeout. KVS
/// answers a viewer connect beyond the channel's limit (10 viewers by default) with HTTP 400
/// <c>ClientLimitExceededException</c>, the same error as for connects that come too fast (about 3 a second per
/// channel); the session retries once after a second and then reports the viewer limit, with the
/// <see cref="Kvs.WebRtc.Signaling.SignalingException"/> (<see cref="Kvs.WebRtc.Signaling.SignalingError.LimitExceeded"/>)
/// as <see cref="Exception.InnerException"/>.
/// </remarks>
public sealed class ViewerRefusedException : Exception
{
    /// <summary>The <see cref="Reason"/> of a master at its viewer limit (<see cref="MasterSessionOptions.MaxViewers"/>).</summary>
    public const string ViewerLimitReached = "viewer limit reached";

    /// <summary>Creates an exception with the reason <c>unspecified</c>.</summary>
    public ViewerRefusedException()
        : this("unspecified")
    {
    }

    /// <summary>Creates an exception with the master's reason.</summary>
    /// <param name="reason">The reason the master gave, e.g. <see cref="ViewerLimitReached"/>.</param>
    public ViewerRefusedException(string reason)
        : base($"The master refused this viewer: {reason}.")
    {
        Reason = reason;
    }

    /// <summary>Creates an exception with the master's reason and the exception that caused it.</summary>
    /// <param name="reason">The reason the master gave.</param>
    /// <param name="innerException">The cause.</param>
    public ViewerRefusedException(string reason, Exception? innerException)
        : base($"The master refused this viewer: {reason}.", innerException)
    {
        Reason = reason;
    }

    private ViewerRefusedException(string reason, string message, Exception? innerException)
        : base(message, innerException)
    {
        Reason = reason;
        RefusedBySignalingService = true;
    }

    /// <summary>The reason the master (or the signaling service) gave, e.g. <see cref="ViewerLimitReached"/>.</summary>
    public string Reason { get; }

    /// <summary>
    /// True when the signaling service, not the master, refused the viewer: the channel has its maximum of connected
    /// viewers (<see cref="Reason"/> is <see cref="ViewerLimitReached"/>), so the master never saw the offer.
    /// </summary>
    public bool RefusedBySignalingService { get; }

    /// <summary>The refusal of a viewer connect by the signaling service at the channel's viewer limit.</summary>
    internal static ViewerRefusedException SignalingServiceLimit(Exception cause) => new(
        ViewerLimitReached,
        "The signaling service refused this viewer: viewer limit reached (HTTP 400 ClientLimitExceededException, again after a retry; " +
        "the channel has its maximum of connected viewers, 10 unless raised, or viewers connect faster than about 3 a second).",
        cause);
}
