using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.PeerConnection.Transport;

/// <summary>
/// Runs user callbacks of one peer connection one at a time, in the order they were posted, on a dedicated task:
/// never on a socket loop, a timer callback or under a protocol lock, so slow or throwing handlers cannot stall
/// ICE consent, DTLS retransmissions or SCTP acknowledgements.
/// </summary>
internal sealed partial class SerialDispatcher : IAsyncDisposable
{
    private readonly Channel<Action> _queue = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger _logger;
    private readonly Task _loop;

    public SerialDispatcher(ILogger logger)
    {
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues <paramref name="action"/>; after disposal it is dropped.</summary>
    public void Post(Action action) => _queue.Writer.TryWrite(action);

    /// <summary>Completes when every callback posted before this call has run.</summary>
    public Task DrainAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(() => done.TrySetResult()))
        {
            done.TrySetResult();
        }

        return done.Task;
    }

    /// <summary>Runs what is queued, then stops (bounded wait).</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var action))
            {
                try
                {
                    action();
                }
#pragma warning disable CA1031 // A throwing user handler must not stop the dispatcher.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Log.HandlerFailed(_logger, ex);
                }
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(5001, LogLevel.Warning, "A peer connection event handler threw")]
        public static partial void HandlerFailed(ILogger logger, Exception exception);
    }
}
