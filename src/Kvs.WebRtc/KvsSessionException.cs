namespace Kvs.WebRtc;

/// <summary>
/// The one exception of <see cref="KvsChannel"/> and the sessions, with a <see cref="KvsSessionError"/> code that says
/// what failed. Like <c>WebRtcException</c> and <c>SignalingException</c> it is an <see cref="IOException"/>; those two
/// still surface unchanged from the layers below (a failed peer connection, a signaling connect that failed).
/// </summary>
/// <remarks>
/// A viewer refused by the master (<see cref="KvsSessionError.ViewerRefused"/>) learns it as soon as the refusal arrives,
/// well before its timeout. KVS answers a viewer connect beyond the channel's limit (10 viewers by default) with HTTP
/// 400 <c>ClientLimitExceededException</c>, the same error as for connects that come too fast (about 3 a second per
/// channel); the session retries once after a second and then reports <see cref="ViewerLimitReached"/> with
/// <see cref="RefusedBySignalingService"/> set and the signaling exception as <see cref="Exception.InnerException"/>.
/// </remarks>
public sealed class KvsSessionException : IOException
{
    /// <summary>The <see cref="Reason"/> of a master at its viewer limit (<see cref="Sessions.MasterSessionOptions.MaxViewers"/>).</summary>
    public const string ViewerLimitReached = "viewer limit reached";

    /// <summary>Creates the exception with an error code and a message.</summary>
    /// <param name="error">What failed.</param>
    /// <param name="message">What went wrong, for people.</param>
    public KvsSessionException(KvsSessionError error, string message)
        : base(message)
    {
        Error = error;
    }

    /// <summary>Creates the exception with an error code, a message and the cause.</summary>
    /// <param name="error">What failed.</param>
    /// <param name="message">What went wrong, for people.</param>
    /// <param name="innerException">The cause, or null.</param>
    public KvsSessionException(KvsSessionError error, string message, Exception? innerException)
        : base(message, innerException)
    {
        Error = error;
    }

    /// <summary>Creates an <see cref="KvsSessionError.Unknown"/> exception (for serializers and tooling).</summary>
    public KvsSessionException()
        : this(KvsSessionError.Unknown, "A channel or session operation failed.")
    {
    }

    /// <summary>Creates an <see cref="KvsSessionError.Unknown"/> exception with a message.</summary>
    /// <param name="message">What went wrong, for people.</param>
    public KvsSessionException(string message)
        : this(KvsSessionError.Unknown, message)
    {
    }

    /// <summary>Creates an <see cref="KvsSessionError.Unknown"/> exception with a message and the cause.</summary>
    /// <param name="message">What went wrong, for people.</param>
    /// <param name="innerException">The cause, or null.</param>
    public KvsSessionException(string message, Exception? innerException)
        : this(KvsSessionError.Unknown, message, innerException)
    {
    }

    /// <summary>What failed.</summary>
    public KvsSessionError Error { get; }

    /// <summary>
    /// For <see cref="KvsSessionError.ViewerRefused"/>: the reason the master (or the signaling service) gave, e.g.
    /// <see cref="ViewerLimitReached"/>; otherwise null.
    /// </summary>
    public string? Reason { get; private init; }

    /// <summary>
    /// For <see cref="KvsSessionError.ViewerRefused"/>: true when the signaling service, not the master, refused the
    /// viewer (the channel has its maximum of connected viewers, so the master never saw the offer).
    /// </summary>
    public bool RefusedBySignalingService { get; private init; }

    /// <summary>The master refused this viewer with <paramref name="reason"/>.</summary>
    internal static KvsSessionException RefusedByMaster(string reason) =>
        new(KvsSessionError.ViewerRefused, $"The master refused this viewer: {reason}.") { Reason = reason };

    /// <summary>The refusal of a viewer connect by the signaling service at the channel's viewer limit.</summary>
    internal static KvsSessionException RefusedAtServiceLimit(Exception cause) => new(
        KvsSessionError.ViewerRefused,
        "The signaling service refused this viewer: viewer limit reached (HTTP 400 ClientLimitExceededException, again after a retry; " +
        "the channel has its maximum of connected viewers, 10 unless raised, or viewers connect faster than about 3 a second).",
        cause)
    {
        Reason = ViewerLimitReached,
        RefusedBySignalingService = true,
    };
}
