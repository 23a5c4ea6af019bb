using System.Reactive.Subjects;
using Kvs.WebRtc.Signaling;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Sessions;

/// <summary>
/// A multicast event stream of a session: subscribers are isolated from each other and from the session (a throwing
/// subscriber is logged and stays subscribed), and the stream completes when the session is disposed.
/// </summary>
internal sealed partial class SessionEvents<T> : IDisposable
{
    private readonly Subject<T> _subject = new();
    private readonly object _emitLock = new();
    private bool _completed;

    public SessionEvents(ILogger logger, string name)
    {
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
