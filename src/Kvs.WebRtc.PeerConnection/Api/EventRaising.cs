namespace Kvs.WebRtc.PeerConnection;

/// <summary>Raises a user event handler by handler, so one throwing handler neither stops the others nor the caller.</summary>
internal static class EventRaising
{
    public static void Raise(EventHandler? handlers, object sender, Action<Exception> reportFailure) =>
        Raise(handlers, sender, EventArgs.Empty, reportFailure);

    public static void Raise<TArgs>(Delegate? handlers, object sender, TArgs args, Action<Exception> reportFailure)
        where TArgs : EventArgs
    {
        if (handlers is null)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList())
        {
            try
            {
                switch (handler)
                {
                    case EventHandler plain:
                        plain(sender, args);
                        break;
                    case EventHandler<TArgs> typed:
                        typed(sender, args);
                        break;
                    default:
                        break;
                }
            }
#pragma warning disable CA1031 // A throwing user handler must not affect the connection or the other handlers.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                reportFailure(ex);
            }
        }
    }
}
