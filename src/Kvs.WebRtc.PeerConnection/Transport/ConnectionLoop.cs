using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.PeerConnection.Transport;

/// <summary>Handles one received datagram on the loop; the span is valid only during the call.</summary>
internal delegate void LoopDatagramHandler(ReadOnlySpan<byte> datagram);

/// <summary>
/// The serial executor of one peer connection: every input of the connection's sans-IO cores (received datagrams,
/// timer ticks, commands) runs here, one at a time, in the order it arrived. There is no thread of its own: the thread
/// that finds the loop idle becomes its owner and runs the work inline (no thread hop on the hot path), then drains
/// what other threads queued meanwhile; those threads enqueue and return at once.
/// </summary>
/// <remarks>
/// <para>Inputs: <see cref="PostDatagram"/> (from a socket thread: run inline when the loop is idle, else copied into
/// a pooled buffer and queued), <see cref="Post{TState}"/> (asynchronous commands and timer ticks: no closure when the
/// state is a reference type) and <see cref="Enter"/>/<see cref="Run{TState}(Action{TState}, TState)"/> (synchronous commands that need a result
/// or must throw to their caller: wait for ownership, drain what was queued before, run inline, drain what queued
/// meanwhile, release). A call from the thread that owns the loop runs inline (re-entrancy); a post from it is queued
/// and runs when the current item returns. Callers that must never wait (media sends from threads holding locks the
/// loop's work also takes) use <see cref="TryEnterNow"/> (inline only when that needs no waiting, and running nothing
/// but their own work) and, when it fails, <see cref="TryPost{TState}"/> (bounded, never inline).</para>
/// <para>Bounds: one multi-producer queue. Datagrams beyond <see cref="Capacity"/> queued items are dropped and counted
/// (<see cref="DroppedInputs"/>; UDP semantics: the socket thread never blocks); commands are never dropped (their number
/// is bounded by their sources: one timer tick each, coalesced flushes). An owner drains at most
/// <see cref="DrainBudget"/> items per turn, then hands the rest to the thread pool, so a caller that found the loop
/// idle is not kept forever by a busy peer.</para>
/// <para>Failures: a throwing item is logged and the loop goes on. After <see cref="Close"/>, queued items are released
/// without running (pooled buffers returned) and posts are refused; <see cref="Enter"/> and <see cref="Run{TState}(Action{TState}, TState)"/> still
/// run inline (reading counters after close).</para>
/// </remarks>
internal sealed partial class ConnectionLoop : IDisposable
{
    /// <summary>Default of <see cref="Capacity"/>.</summary>
    public const int DefaultCapacity = 1024;

    private readonly object _owner = new();
    private readonly ConcurrentQueue<WorkItem> _queue = new();
    private readonly LoopDatagramHandler _datagramHandler;
    private readonly ILogger _logger;
    private readonly ArrayPool<byte> _pool;
    private int _queued;
    private int _handoffScheduled;
    private long _droppedInputs;
    private long _droppedSinceLog;
    private int _dropWarned;
    private volatile bool _closed;

    public ConnectionLoop(LoopDatagramHandler datagramHandler, ILogger logger, int capacity = DefaultCapacity, ArrayPool<byte>? pool = null)
    {
        _pool = pool ?? ArrayPool<byte>.Shared;
        ArgumentNullException.ThrowIfNull(datagramHandler);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _datagramHandler = datagramHandler;
        _logger = logger;
        Capacity = capacity;
        DrainBudget = Math.Max(64, capacity * 2);
    }

    /// <summary>Most items queued at once before datagrams are dropped.</summary>
    public int Capacity { get; }

    /// <summary>Most items one owner runs per turn before the rest moves to the thread pool.</summary>
    public int DrainBudget { get; }

    /// <summary>Received datagrams dropped because the queue was full (or the loop closed).</summary>
    public long DroppedInputs => Interlocked.Read(ref _droppedInputs);

    /// <summary>Items waiting in the queue now.</summary>
    public int QueuedCount => Volatile.Read(ref _queued);

    /// <summary>True on the thread that runs the loop's work now.</summary>
    public bool IsOwnedByCurrentThread => Monitor.IsEntered(_owner);

    /// <summary>True once <see cref="Close"/> ran.</summary>
    public bool IsClosed => _closed;

    /// <summary>
    /// A received datagram: handled inline when the loop is idle, else copied and queued. False when it was dropped
    /// (queue full or loop closed).
    /// </summary>
    public bool PostDatagram(ReadOnlySpan<byte> datagram)
    {
        if (_closed)
        {
            Interlocked.Increment(ref _droppedInputs);
            return false;
        }

        if (!Monitor.IsEntered(_owner) && Monitor.TryEnter(_owner))
        {
            var handled = false;
            try
            {
                // What others queued before this datagram runs first (FIFO); then this one, without a copy (unless
                // the drain budget ran out and items are still waiting: then it queues behind them).
                DrainOwned();
                if (_queue.IsEmpty && !_closed)
                {
                    handled = true;
                    RunDatagram(datagram);
                }
            }
            finally
            {
                ExitOwned(nested: false);
            }

            if (handled)
            {
                return true;
            }

            if (_closed)
            {
                Interlocked.Increment(ref _droppedInputs);
                return false;
            }
        }

        if (Interlocked.Increment(ref _queued) > Capacity)
        {
            Interlocked.Decrement(ref _queued);
            CountDrop();
            return false;
        }

        var buffer = _pool.Rent(Math.Max(datagram.Length, 1));
        datagram.CopyTo(buffer);
        _queue.Enqueue(new WorkItem(buffer, datagram.Length, null, null, null));
        TryDrain();
        return true;
    }

    /// <summary>Queues a command (never dropped while open) and runs the loop inline if it is idle; false once closed.</summary>
    public bool Post(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return Post(static a => a(), action);
    }

    /// <summary>
    /// Queues <paramref name="action"/>(<paramref name="state"/>) (never dropped while open) and runs the loop inline if
    /// it is idle. No allocation when <typeparamref name="TState"/> is a reference type and the delegate is static.
    /// </summary>
    /// <returns>False once the loop is closed (the action does not run).</returns>
    public bool Post<TState>(Action<TState> action, TState state)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (_closed)
        {
            return false;
        }

        Interlocked.Increment(ref _queued);
        _queue.Enqueue(new WorkItem(null, 0, Invoker<TState>.Instance, action, state));
        TryDrain();
        return true;
    }

    /// <summary>
    /// Takes ownership for a synchronous command (waits while another thread runs the loop), after running what was
    /// queued before; disposing the scope runs what queued meanwhile and releases. Inline and nested on the owner thread.
    /// </summary>
    public Scope Enter()
    {
        var nested = Monitor.IsEntered(_owner);
        Monitor.Enter(_owner);
        if (!nested)
        {
            try
            {
                DrainOwned();
            }
            catch
            {
                Monitor.Exit(_owner);
                throw;
            }
        }

        return new Scope(this, nested);
    }

    /// <summary>
    /// Takes the loop for the calling thread only when that needs no waiting: this thread owns it already (nested), or
    /// it is idle with nothing queued (so what this thread queued earlier still runs first). Unlike <see cref="Enter"/>,
    /// the scope runs nothing but the caller's own work: releasing it hands what others queued meanwhile to the thread
    /// pool instead of running it on this thread, which may hold locks that queued work takes. For callers that must
    /// never wait for the loop (media sends from threads holding other locks); when it returns false, they queue a copy
    /// with <see cref="TryPost{TState}"/>.
    /// </summary>
    public bool TryEnterNow(out NowScope scope)
    {
        if (Monitor.IsEntered(_owner))
        {
            scope = new NowScope(this, nested: true);
            return true;
        }

        if (!_queue.IsEmpty || !Monitor.TryEnter(_owner))
        {
            scope = default;
            return false;
        }

        scope = new NowScope(this, nested: false);
        return true;
    }

    /// <summary>
    /// Queues <paramref name="action"/>(<paramref name="state"/>) unless <see cref="Capacity"/> items are queued already
    /// or the loop is closed; unlike <see cref="Post{TState}"/> it never runs anything on the calling thread. For work
    /// whose number has no other bound (sends from a producer that outruns the loop).
    /// </summary>
    /// <returns>False when refused (the action does not run).</returns>
    public bool TryPost<TState>(Action<TState> action, TState state)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (_closed)
        {
            return false;
        }

        if (Interlocked.Increment(ref _queued) > Capacity)
        {
            Interlocked.Decrement(ref _queued);
            return false;
        }

        _queue.Enqueue(new WorkItem(null, 0, Invoker<TState>.Instance, action, state));
        if (!Monitor.IsEntered(_owner) && Monitor.TryEnter(_owner))
        {
            // Idle: this thread must not run the loop's work (it may hold locks that work takes), the thread pool does.
            // When another thread owns the loop, it finds the item when it re-checks the queue after releasing.
            Monitor.Exit(_owner);
            ScheduleHandoff();
        }

        return true;
    }

    /// <summary>Runs <paramref name="action"/> on the loop (see <see cref="Enter"/>); its exception reaches the caller.</summary>
    public void Run(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        using var scope = Enter();
        action();
    }

    /// <summary>Runs <paramref name="action"/>(<paramref name="state"/>) on the loop; its exception reaches the caller.</summary>
    public void Run<TState>(Action<TState> action, TState state)
    {
        ArgumentNullException.ThrowIfNull(action);
        using var scope = Enter();
        action(state);
    }

    /// <summary>Runs <paramref name="func"/> on the loop and returns its value; its exception reaches the caller.</summary>
    public TResult Run<TResult>(Func<TResult> func)
    {
        ArgumentNullException.ThrowIfNull(func);
        using var scope = Enter();
        return func();
    }

    /// <summary>Runs <paramref name="func"/>(<paramref name="state"/>) on the loop and returns its value.</summary>
    public TResult Run<TState, TResult>(Func<TState, TResult> func, TState state)
    {
        ArgumentNullException.ThrowIfNull(func);
        using var scope = Enter();
        return func(state);
    }

    /// <summary>Refuses later posts and releases what is still queued (pooled buffers go back) without running it.</summary>
    public void Close()
    {
        _closed = true;
        TryDrain();
    }

    /// <inheritdoc/>
    public void Dispose() => Close();

    private void TryDrain()
    {
        // Re-checked after each release: an item queued while the previous owner was leaving is not stranded. Stops
        // when this thread used up its drain budget (the rest went to the thread pool).
        while (!_queue.IsEmpty && !Monitor.IsEntered(_owner) && Monitor.TryEnter(_owner))
        {
            bool exhausted;
            try
            {
                exhausted = DrainOwned();
            }
            finally
            {
                Monitor.Exit(_owner);
            }

            if (exhausted)
            {
                return;
            }

            // Store-load with the enqueuers (enqueue, then try to own): fenced so an item is never stranded.
            Interlocked.MemoryBarrier();
        }
    }

    private void ExitOwned(bool nested)
    {
        if (nested)
        {
            Monitor.Exit(_owner);
            return;
        }

        bool exhausted;
        try
        {
            exhausted = DrainOwned();
        }
        finally
        {
            Monitor.Exit(_owner);
        }

        Interlocked.MemoryBarrier();
        if (!exhausted)
        {
            TryDrain();
        }
    }

    private void ExitNow(bool nested)
    {
        if (nested)
        {
            return;
        }

        Monitor.Exit(_owner);

        // A store-load pair with the enqueuers (enqueue, then try to own): a full fence so neither side misses the other.
        Interlocked.MemoryBarrier();
        if (!_queue.IsEmpty)
        {
            ScheduleHandoff();
        }
    }

    private void ScheduleHandoff()
    {
        if (Interlocked.Exchange(ref _handoffScheduled, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static loop => loop.OnHandoff(), this, preferLocal: false);
        }
    }

    // Owner only. Runs queued items in order, at most DrainBudget; the rest goes to the thread pool (returns true then).
    private bool DrainOwned()
    {
        var budget = DrainBudget;
        while (_queue.TryDequeue(out var item))
        {
            Interlocked.Decrement(ref _queued);
            Execute(item);
            if (--budget == 0 && !_queue.IsEmpty)
            {
                ScheduleHandoff();
                return true;
            }
        }

        return false;
    }

    private void OnHandoff()
    {
        Volatile.Write(ref _handoffScheduled, 0);
        TryDrain();
    }

    private void Execute(in WorkItem item)
    {
        if (item.Buffer is { } buffer)
        {
            try
            {
                if (!_closed)
                {
                    RunDatagram(buffer.AsSpan(0, item.Length));
                }
                else
                {
                    Interlocked.Increment(ref _droppedInputs);
                }
            }
            finally
            {
                _pool.Return(buffer);
            }

            return;
        }

        if (_closed)
        {
            return;
        }

        try
        {
            item.Invoker!(item.Callback!, item.State);
        }
#pragma warning disable CA1031 // A throwing command is logged; the loop must go on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.WorkItemFailed(_logger, ex);
        }
    }

    private void RunDatagram(ReadOnlySpan<byte> datagram)
    {
        try
        {
            _datagramHandler(datagram);
        }
#pragma warning disable CA1031 // A datagram that makes a core throw is logged and dropped; the loop must go on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.WorkItemFailed(_logger, ex);
        }
    }

    private void CountDrop()
    {
        Interlocked.Increment(ref _droppedInputs);
        if (Interlocked.Exchange(ref _dropWarned, 1) == 0)
        {
            Log.FirstDrop(_logger, Capacity);
            return;
        }

        var count = Interlocked.Increment(ref _droppedSinceLog);
        if (count % 1024 == 0)
        {
            Log.Drops(_logger, count, Interlocked.Read(ref _droppedInputs));
        }
    }

    private static class Invoker<TState>
    {
        public static readonly Action<object, object?> Instance = static (callback, state) => ((Action<TState>)callback)((TState)state!);
    }

    private readonly record struct WorkItem(byte[]? Buffer, int Length, Action<object, object?>? Invoker, object? Callback, object? State);

    /// <summary>Ownership of the loop for a synchronous command; dispose to release (see <see cref="Enter"/>).</summary>
    public readonly ref struct Scope
    {
        private readonly ConnectionLoop? _loop;
        private readonly bool _nested;

        internal Scope(ConnectionLoop loop, bool nested)
        {
            _loop = loop;
            _nested = nested;
        }

        /// <summary>Runs what queued meanwhile (outermost scope only) and releases the loop.</summary>
        public void Dispose() => _loop?.ExitOwned(_nested);
    }

    /// <summary>Ownership of the loop taken without waiting (see <see cref="TryEnterNow"/>); dispose to release.</summary>
    public readonly ref struct NowScope
    {
        private readonly ConnectionLoop? _loop;
        private readonly bool _nested;

        internal NowScope(ConnectionLoop loop, bool nested)
        {
            _loop = loop;
            _nested = nested;
        }

        /// <summary>Releases the loop; what others queued meanwhile moves to the thread pool.</summary>
        public void Dispose() => _loop?.ExitNow(_nested);
    }

    private static partial class Log
    {
        [LoggerMessage(5201, LogLevel.Warning, "A connection loop work item threw; the loop goes on")]
        public static partial void WorkItemFailed(ILogger logger, Exception exception);

        [LoggerMessage(5202, LogLevel.Warning, "The connection loop queue is full ({Capacity} items): received datagrams are dropped (counted; later drops are logged at Debug)")]
        public static partial void FirstDrop(ILogger logger, int capacity);

        [LoggerMessage(5203, LogLevel.Debug, "The connection loop dropped {Recent} more datagrams ({Total} in all)")]
        public static partial void Drops(ILogger logger, long recent, long total);
    }
}
