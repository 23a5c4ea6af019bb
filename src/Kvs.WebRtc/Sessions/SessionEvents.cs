using System.Reactive.Subjects;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Sessions;

/// <summary>
/// A multicast event stream of a session: subscribers are isolated from each other and from the session (a throwing
/// subscriber is logged and stays subscribed), and the stream completes when the session is disposed.
/// </summary>
internal sealed partial class SessionEvents<T> : IDisposable
{
    private readonly SubjectBase<T> _subject;
    private readonly object _emitLock = new();
    private bool _completed;

    /// <summary>Creates the stream.</summary>
    /// <param name="logger">Where throwing subscribers are logged.</param>
    /// <param name="name">The stream's name in logs.</param>
    /// <param name="replay">How many past values a new subscriber gets first (0: none, a hot stream).</param>
    public SessionEvents(ILogger logger, string name, int replay = 0)
    {
        _subject = replay > 0 ? new ReplaySubject<T>(replay) : new Subject<T>();
        Observable = new IsolatingObservable<T>(_subject, ex => Log.SubscriberFailed(logger, name, ex));
    }

    /// <summary>The isolated observable handed to users.</summary>
    public IObservable<T> Observable { get; }

    /// <summary>Publishes one value (serialized: observers never see overlapping calls).</summary>
    public void Emit(T value)
    {
        lock (_emitLock)
        {
            if (!_completed)
            {
                _subject.OnNext(value);
            }
        }
    }

    /// <summary>Completes the stream.</summary>
    public void Dispose()
    {
        lock (_emitLock)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            _subject.OnCompleted();
            _subject.Dispose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(9010, LogLevel.Warning, "A subscriber of {Stream} threw; it stays subscribed")]
        public static partial void SubscriberFailed(ILogger logger, string stream, Exception exception);
    }
}
