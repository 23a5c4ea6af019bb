using Kvs.WebRtc.Sessions;

namespace Kvs.WebRtc.Hosting;

/// <summary>
/// Gives the app the hosted master's current <see cref="MasterSession"/> (registered by <c>AddKvsMaster</c> as a singleton).
/// </summary>
/// <remarks>
/// The hosted master replaces its session when the session could not start or its signaling connection gave up, so
/// hold no reference longer than needed: subscribe to a session's events in <see cref="KvsMasterBuilder.OnStarted"/>,
/// which runs for every session. Thread-safe.
/// </remarks>
public sealed class KvsMasterAccessor
{
    private readonly object _gate = new();
    private TaskCompletionSource<MasterSession> _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private MasterSession? _session;

    internal KvsMasterAccessor()
    {
    }

    /// <summary>The running session, or null while the master is starting, restarting or stopped.</summary>
    public MasterSession? Session
    {
        get
        {
            lock (_gate)
            {
                return _session;
            }
        }
    }

    /// <summary>Waits until a session is running and returns it (at once when one is).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The running session.</returns>
    public Task<MasterSession> WaitForSessionAsync(CancellationToken cancellationToken = default)
    {
        Task<MasterSession> next;
        lock (_gate)
        {
            if (_session is { } session)
            {
                return Task.FromResult(session);
            }

            next = _next.Task;
        }

        return next.WaitAsync(cancellationToken);
    }

    internal void Set(MasterSession session)
    {
        TaskCompletionSource<MasterSession> started;
        lock (_gate)
        {
            _session = session;
            started = _next;
            _next = new TaskCompletionSource<MasterSession>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        started.TrySetResult(session);
    }

    internal void Clear(MasterSession session)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_session, session))
            {
                _session = null;
            }
        }
    }
}
