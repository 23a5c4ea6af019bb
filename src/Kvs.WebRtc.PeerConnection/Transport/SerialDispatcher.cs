using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.PeerConnection.Transport;

/// <summary>
/// Runs user callbacks of one peer connection one at a time, in the order they were posted, on a dedicated task:
/// never on a socket loop, a timer callback or under a protocol lock, so slow or throwing handlers cannot stall
/// ICE consent, DTLS retransmissions or SCTP acknowledgements.
/// </summary>
/// <remarks>
/// <para>Two kinds of work share one FIFO, so their relative order is kept:</para>
/// <list type="bullet">
/// <item><see cref="Post"/>: state and lifecycle events (ICE, DTLS, connection and channel states, candidates, tracks).
/// Never refused and never dropped; their number is bounded by their sources (state machines, the ICE candidate caps).</item>
/// <item><see cref="TryPost"/>: flow-controlled work (received data-channel messages). At most <see cref="Capacity"/>
/// such items are queued; beyond that the call is refused and the producer keeps the work (the data-channel manager keeps
/// the message, and with it the SCTP receive window it occupies, so the peer slows down). <see cref="SpaceAvailable"/>
/// is raised on this task once the queue has drained to half the capacity after a refusal.</item>
/// </list>
/// </remarks>
internal sealed partial class SerialDispatcher : IAsyncDisposable
{
    /// <summary>Default of <see cref="Capacity"/>.</summary>
    public const int DefaultCapacity = 1024;

    private readonly Channel<Item> _queue = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger _logger;
    private readonly Task _loop;
    private int _flowControlled;
    private int _peakFlowControlled;
    private int _pending;
    private int _peakPending;
    private int _refused;

    public SerialDispatcher(ILogger logger, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        _logger = logger;
        Capacity = capacity;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Raised on the dispatcher task when flow-controlled work may be posted again after a refused <see cref="TryPost"/>.</summary>
    public event Action? SpaceAvailable;

    /// <summary>Most flow-controlled items queued at once.</summary>
    public int Capacity { get; }

    /// <summary>Items queued or running now (both kinds).</summary>
    public int PendingCount => Volatile.Read(ref _pending);

    /// <summary>The most items that were ever queued at once (both kinds): a diagnostic of the bound.</summary>
    public int PeakPendingCount => Volatile.Read(ref _peakPending);

    /// <summary>The most flow-controlled items that were ever queued at once (at most <see cref="Capacity"/>).</summary>
    public int PeakFlowControlledCount => Volatile.Read(ref _peakFlowControlled);

    /// <summary>Queues a state or lifecycle callback; never refused (after disposal it is dropped).</summary>
    public void Post(Action action)
    {
        CountPending();
        if (!_queue.Writer.TryWrite(new Item(action, FlowControlled: false)))
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    /// <summary>
    /// Queues flow-controlled work unless <see cref="Capacity"/> such items are already waiting. After a refusal the
    /// caller keeps the work and retries on <see cref="SpaceAvailable"/>.
    /// </summary>
    /// <returns>False when the queue is full (or the dispatcher is disposed).</returns>
    public bool TryPost(Action action)
    {
        while (true)
        {
            var count = Interlocked.Increment(ref _flowControlled);
            if (count <= Capacity)
            {
                UpdatePeak(ref _peakFlowControlled, count);
                CountPending();
                if (_queue.Writer.TryWrite(new Item(action, FlowControlled: true)))
                {
                    return true;
                }

                Interlocked.Decrement(ref _pending);
                Interlocked.Decrement(ref _flowControlled);
                return false;
            }

            Interlocked.Decrement(ref _flowControlled);
            Volatile.Write(ref _refused, 1);

            // The queue may have drained below the resume mark between the increment and the flag: then nobody would
            // raise SpaceAvailable for this refusal, so take the flag back and try again.
            if (Volatile.Read(ref _flowControlled) > Capacity / 2 || Interlocked.Exchange(ref _refused, 0) == 0)
            {
                return false;
            }
        }
    }

    /// <summary>Completes when every callback posted before this call has run.</summary>
    public Task DrainAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        CountPending();
        if (!_queue.Writer.TryWrite(new Item(() => done.TrySetResult(), FlowControlled: false)))
        {
            Interlocked.Decrement(ref _pending);
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

    private static void UpdatePeak(ref int peak, int value)
    {
        var seen = Volatile.Read(ref peak);
        while (value > seen)
        {
            var previous = Interlocked.CompareExchange(ref peak, value, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }

    private void CountPending() => UpdatePeak(ref _peakPending, Interlocked.Increment(ref _pending));

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var item))
            {
                Run(item.Action);
                Interlocked.Decrement(ref _pending);
                if (item.FlowControlled)
                {
                    var left = Interlocked.Decrement(ref _flowControlled);
                    if (left <= Capacity / 2 && Volatile.Read(ref _refused) == 1 && Interlocked.Exchange(ref _refused, 0) == 1)
                    {
                        Run(SpaceAvailable);
                    }
                }
            }
        }
    }

    private void Run(Action? action)
    {
        try
        {
            action?.Invoke();
        }
#pragma warning disable CA1031 // A throwing user handler must not stop the dispatcher.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.HandlerFailed(_logger, ex);
        }
    }

    private readonly record struct Item(Action Action, bool FlowControlled);

    private static partial class Log
    {
        [LoggerMessage(5001, LogLevel.Warning, "A peer connection event handler threw")]
        public static partial void HandlerFailed(ILogger logger, Exception exception);
    }
}
