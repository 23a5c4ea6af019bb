namespace Kvs.WebRtc.Sessions;

/// <summary>
/// The master answered a <see cref="ViewerSession"/>'s offer with a refusal instead of a session, for example because
/// it already serves as many viewers as it allows (<see cref="Reason"/> is then <see cref="ViewerLimitReached"/>).
/// </summary>
/// <remarks>Thrown by <see cref="ViewerSession.ConnectAsync"/> as soon as the refusal arrives, well before its timeout.</remarks>
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

    /// <summary>The reason the master gave, e.g. <see cref="ViewerLimitReached"/>.</summary>
    public string Reason { get; }
}
