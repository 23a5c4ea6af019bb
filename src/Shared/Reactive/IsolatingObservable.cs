namespace Kvs.WebRtc;

/// <summary>
/// Wraps every subscriber of a source so that an exception thrown by its <c>OnNext</c>, <c>OnError</c> or
/// <c>OnCompleted</c> is reported to <paramref name="onSubscriberError"/> instead of reaching the publisher; the
/// subscriber stays subscribed. Compiled into the signaling and session packages from <c>src/Shared</c>.
/// </summary>
internal sealed class IsolatingObservable<T>(IObservable<T> source, Action<Exception> onSubscriberError) : IObservable<T>
{
    public IDisposable Subscribe(IObserver<T> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        return source.Subscribe(new IsolatingObserver(observer, onSubscriberError));
    }

    private sealed class IsolatingObserver(IObserver<T> inner, Action<Exception> onSubscriberError) : IObserver<T>
    {
        public void OnNext(T value)
        {
            try
            {
                inner.OnNext(value);
            }
#pragma warning disable CA1031 // A subscriber's failure must never reach the client's loops.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                onSubscriberError(ex);
            }
        }

        public void OnError(Exception error)
        {
            try
            {
                inner.OnError(error);
            }
#pragma warning disable CA1031
            catch (Exception ex)
#pragma warning restore CA1031
            {
                onSubscriberError(ex);
            }
        }

        public void OnCompleted()
        {
            try
            {
                inner.OnCompleted();
            }
#pragma warning disable CA1031
            catch (Exception ex)
#pragma warning restore CA1031
            {
                onSubscriberError(ex);
            }
        }
    }
}
