using System.Buffers;
using System.Net;
using Kvs.WebRtc.PeerConnection.Ice;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.PeerConnection.Turn;

/// <summary>
/// The driver of one TURN allocation: owns the transport, a receive loop and a <see cref="TimeProvider"/> timer
/// around a <see cref="TurnClientSession"/>, and implements <see cref="IIceRelay"/>.
/// </summary>
/// <remarks>
/// Thread-safety: all members may be called concurrently; the session is only touched under a lock. The
/// <see cref="Receiver"/> callback runs on the receive loop, outside the lock; <see cref="Failed"/> is raised once.
/// </remarks>
internal sealed partial class TurnAllocation : IIceRelay
{
    private readonly object _gate = new();
    private readonly TurnClientSession _session;
    private readonly TurnTransport _transport;
    private readonly TurnRelayOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly long _origin;
    private readonly ITimer _timer;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly TaskCompletionSource _allocated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<IPAddress, TaskCompletionSource> _permissionWaiters = [];
    private readonly List<ReadOnlyMemory<byte>> _sendScratch = [];
    private Task _receiveLoop = Task.CompletedTask;
    private int _failedRaised;
    private int _disposed;

    private TurnAllocation(IceRelayServer server, TurnTransport transport, TurnRelayOptions options, TimeProvider timeProvider, ILogger logger)
    {
        Server = server;
        _transport = transport;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _origin = timeProvider.GetTimestamp();
        _session = new TurnClientSession(new TurnClientOptions
        {
            Username = server.Username,
            Password = server.Password,
            IsReliableTransport = transport.IsReliable,
            RequestedLifetime = options.RequestedLifetime,
            PermissionRefreshInterval = options.PermissionRefreshInterval,
            ChannelRefreshInterval = options.ChannelRefreshInterval,
            MaxPermissions = options.MaxPermissions,
            MaxChannels = options.MaxChannels,
            Retransmission = options.Retransmission,
        });
        _timer = timeProvider.CreateTimer(static state => ((TurnAllocation)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <inheritdoc />
    public IPEndPoint RelayedAddress => _session.RelayedAddress ?? throw new InvalidOperationException("Not allocated.");

    /// <inheritdoc />
    public IPEndPoint? ReflexiveAddress => _session.MappedAddress;

    /// <inheritdoc />
    public IceRelayServer Server { get; }

    /// <inheritdoc />
    public IceRelayReceiver? Receiver { get; set; }

    /// <summary>Messages from the server that were dropped (malformed, unauthenticated, unmatched).</summary>
    public long DroppedMessages
    {
        get
        {
            lock (_gate)
            {
                return _session.DroppedMessages;
            }
        }
    }

    /// <summary>Traffic counters: Send indications and ChannelData sent, Data indications and ChannelData received.</summary>
    public (long SendIndicationsSent, long ChannelDataSent, long DataIndicationsReceived, long ChannelDataReceived) Counters
    {
        get
        {
            lock (_gate)
            {
                return (_session.SendIndicationsSent, _session.ChannelDataSent, _session.DataIndicationsReceived, _session.ChannelDataReceived);
            }
        }
    }

    /// <summary>Allocation refreshes accepted, and requests retried after 438 Stale Nonce.</summary>
    public (long RefreshesSucceeded, long StaleNonceRetries) RefreshCounters
    {
        get
        {
            lock (_gate)
            {
                return (_session.RefreshesSucceeded, _session.StaleNonceRetries);
            }
        }
    }

    /// <summary>True when a channel to <paramref name="peer"/> is bound.</summary>
    public bool HasChannel(IPEndPoint peer)
    {
        lock (_gate)
        {
            return _session.TryGetChannel(peer, out _);
        }
    }

    /// <summary>Our local endpoint towards the server.</summary>
    public EndPoint? LocalEndPoint => _transport.LocalEndPoint;

    /// <inheritdoc />
    public event Action<Exception>? Failed;

    private TimeSpan Now => _timeProvider.GetElapsedTime(_origin);

    /// <summary>Connects to <paramref name="server"/> and allocates; throws <see cref="TurnException"/> on failure.</summary>
    public static async Task<TurnAllocation> AllocateAsync(
        IceRelayServer server, TurnRelayOptions options, TimeProvider timeProvider, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        using var timeout = new CancellationTokenSource(options.AllocateTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        Log.Allocating(logger, server);
        TurnTransport transport;
        try
        {
            transport = await TurnTransport.ConnectAsync(server, options, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TurnException(TurnError.Timeout, 0, $"Connecting to TURN server {server} timed out.");
        }

        var allocation = new TurnAllocation(server, transport, options, timeProvider, logger);
        try
        {
            allocation.Start();
            await allocation._allocated.Task.WaitAsync(linked.Token).ConfigureAwait(false);
            Log.Allocated(logger, server, allocation.RelayedAddress, allocation._session.Lifetime);
            return allocation;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await allocation.DisposeAsync().ConfigureAwait(false);
            throw new TurnException(TurnError.Timeout, 0, $"Allocation on TURN server {server} timed out.");
        }
        catch
        {
            await allocation.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask PermitAsync(IPAddress peer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (peer.IsIPv4MappedToIPv6)
        {
            peer = peer.MapToIPv4();
        }

        Task wait;
        lock (_gate)
        {
            if (_session.HasPermission(peer))
            {
                return;
            }

            if (!_permissionWaiters.TryGetValue(peer, out var waiter))
            {
                if (!_session.CreatePermission(peer, Now))
                {
                    throw new TurnException(
                        _session.State == TurnSessionState.Allocated ? TurnError.CapacityReached : TurnError.AllocationLost,
                        0,
                        "The permission could not be requested.");
                }

                waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _permissionWaiters.Add(peer, waiter);
            }

            wait = waiter.Task;
            AfterMutation();
        }

        await FlushAsync().ConfigureAwait(false);
        using var timeout = new CancellationTokenSource(_options.PermissionTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await wait.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TurnException(TurnError.Timeout, 0, "The permission was not confirmed in time.");
        }
    }

    /// <inheritdoc />
    public async ValueTask SendAsync(IPEndPoint peer, ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var buffer = ArrayPool<byte>.Shared.Rent(TurnClientSession.GetMaxWrappedSize(datagram.Length));
        try
        {
            int length;
            bool flush = false;
            lock (_gate)
            {
                if (_session.State != TurnSessionState.Allocated)
                {
                    throw new TurnException(TurnError.AllocationLost, 0, "The allocation is gone.");
                }

                if (_options.UseChannels && !_session.TryGetChannel(peer, out _) && _session.ChannelCount < _options.MaxChannels)
                {
                    // Idempotent while the bind is pending; the first datagrams go as Send indications meanwhile.
                    var before = _session.ChannelCount;
                    _session.BindChannel(peer, Now);
                    if (_session.ChannelCount != before)
                    {
                        flush = true;
                        AfterMutation();
                    }
                }

                length = _session.WrapOutgoing(peer, datagram.Span, buffer);
            }

            if (flush)
            {
                await FlushAsync().ConfigureAwait(false);
            }

            await _transport.SendAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        var wasAllocated = false;
        lock (_gate)
        {
            wasAllocated = _session.State == TurnSessionState.Allocated;
            _session.Close(Now);
            AfterMutation();
        }

        if (wasAllocated && _options.CloseTimeout > TimeSpan.Zero)
        {
            try
            {
                await FlushAsync().ConfigureAwait(false);
                await _closed.Task.WaitAsync(_options.CloseTimeout, _timeProvider).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TimeoutException or TurnException or ObjectDisposedException)
            {
                // Best effort: the server frees the allocation when its lifetime ends anyway.
            }
        }

        await _shutdown.CancelAsync().ConfigureAwait(false);
        _timer.Dispose();
        await _transport.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _receiveLoop.WaitAsync(TimeSpan.FromSeconds(5), _timeProvider).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            // The loop ends on its own once the socket is closed.
        }

        FailObserved(_allocated, new TurnException(TurnError.AllocationLost, 0, "The allocation was disposed."));
        FailWaiters(new ObjectDisposedException(nameof(TurnAllocation)));
        _shutdown.Dispose();
        Log.Released(_logger, Server);
    }

    private void Start()
    {
        lock (_gate)
        {
            _session.StartAllocate(Now);
            AfterMutation();
        }

        _receiveLoop = Task.Run(ReceiveLoopAsync);
        _ = FlushSafeAsync();
    }

    private async Task ReceiveLoopAsync()
    {
        var token = _shutdown.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var frame = await _transport.ReceiveAsync(token).ConfigureAwait(false);
                if (frame.IsEmpty)
                {
                    if (_transport.IsReliable)
                    {
                        throw new TurnException(TurnError.TransportFailed, 0, "The TURN server closed the connection.");
                    }

                    continue;
                }

                if (ProcessFrame(frame))
                {
                    await FlushAsync().ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Disposal.
        }
        catch (Exception ex) when (ex is TurnException or ObjectDisposedException)
        {
            if (!token.IsCancellationRequested)
            {
                OnTransportFailed(ex as TurnException ?? new TurnException(TurnError.TransportFailed, 0, "The transport closed.", ex));
            }
        }
    }

    // Returns true when the session produced control traffic to flush.
    private bool ProcessFrame(ReadOnlyMemory<byte> frame)
    {
        IPEndPoint? peer;
        ReadOnlySpan<byte> data;
        TurnInputResult result;
        lock (_gate)
        {
            result = _session.HandleInput(frame.Span, Now, out peer, out data);
            if (result == TurnInputResult.Handled)
            {
                AfterMutation();
            }
        }

        switch (result)
        {
            case TurnInputResult.PeerData:
                var receiver = Receiver;
                if (receiver is not null)
                {
                    try
                    {
                        receiver(peer!, data);
                    }
#pragma warning disable CA1031 // A throwing receiver must not stop the allocation's receive loop.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        Log.ReceiverThrew(_logger, ex);
                    }
                }

                return false;
            case TurnInputResult.Dropped:
                Log.Dropped(_logger, frame.Length);
                return false;
            default:
                return true;
        }
    }

    /// <inheritdoc />
    public void VerifyAllocation()
    {
        lock (_gate)
        {
            if (_disposed != 0 || !_session.RefreshNow(Now))
            {
                return;
            }

            _session.HandleTimeout(Now);
            AfterMutation();
        }

        _ = FlushSafeAsync();
    }

    private void OnTimer()
    {
        lock (_gate)
        {
            if (_session.State is TurnSessionState.Closed or TurnSessionState.Failed)
            {
                return;
            }

            _session.HandleTimeout(Now);
            AfterMutation();
        }

        _ = FlushSafeAsync();
    }

    // Called under the lock after every session call: handles events and re-arms the timer.
    private void AfterMutation()
    {
        while (_session.TryPollEvent(out var turnEvent))
        {
            HandleEvent(turnEvent);
        }

        if (_session.NextTimeout is { } deadline)
        {
            var due = deadline - Now;
            try
            {
                _timer.Change(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // Disposal raced with a last event.
            }
        }
    }

    private void HandleEvent(TurnEvent turnEvent)
    {
        switch (turnEvent.Kind)
        {
            case TurnEventKind.AllocationSucceeded:
                _allocated.TrySetResult();
                break;
            case TurnEventKind.AllocationFailed:
                Log.AllocationFailed(_logger, Server, turnEvent.Error, turnEvent.StunErrorCode);
                FailObserved(_allocated, new TurnException(turnEvent.Error, turnEvent.StunErrorCode,
                    $"Allocation on TURN server {Server} failed: {turnEvent.Error} {turnEvent.StunErrorCode} {turnEvent.Reason}".TrimEnd()));
                break;
            case TurnEventKind.AllocationLost:
                Log.AllocationLost(_logger, Server, turnEvent.Error, turnEvent.StunErrorCode);
                var lost = new TurnException(TurnError.AllocationLost, turnEvent.StunErrorCode, $"The allocation on {Server} was lost ({turnEvent.Error}).");
                FailWaiters(lost);
                RaiseFailed(lost);
                break;
            case TurnEventKind.PermissionCreated:
                if (turnEvent.Peer is { } permitted && _permissionWaiters.Remove(permitted.Address, out var ok))
                {
                    ok.TrySetResult();
                }

                break;
            case TurnEventKind.PermissionFailed:
                Log.PermissionFailed(_logger, turnEvent.Peer?.Address, turnEvent.Error, turnEvent.StunErrorCode);
                if (turnEvent.Peer is { } refused && _permissionWaiters.Remove(refused.Address, out var failed))
                {
                    FailObserved(failed, new TurnException(turnEvent.Error, turnEvent.StunErrorCode, "The TURN server refused the permission."));
                }

                break;
            case TurnEventKind.ChannelBound:
                Log.ChannelBound(_logger, turnEvent.Channel, turnEvent.Peer);
                break;
            case TurnEventKind.ChannelBindFailed:
                Log.ChannelBindFailed(_logger, turnEvent.Peer, turnEvent.Error, turnEvent.StunErrorCode);
                break;
            case TurnEventKind.Closed:
                _closed.TrySetResult();
                break;
        }
    }

    private void FailWaiters(Exception exception)
    {
        List<TaskCompletionSource> waiters;
        lock (_gate)
        {
            waiters = [.. _permissionWaiters.Values];
            _permissionWaiters.Clear();
        }

        foreach (var waiter in waiters)
        {
            FailObserved(waiter, exception);
        }
    }

    /// <summary>
    /// Fails a waiter and marks its exception observed: whoever still awaits it gets the exception, and a waiter that
    /// was abandoned (its caller cancelled, the allocation disposed) does not raise
    /// <see cref="TaskScheduler.UnobservedTaskException"/> when collected.
    /// </summary>
    private static void FailObserved(TaskCompletionSource waiter, Exception exception)
    {
        waiter.TrySetException(exception);
        _ = waiter.Task.Exception;
    }

    private void OnTransportFailed(TurnException exception)
    {
        Log.TransportFailed(_logger, Server, exception);
        FailObserved(_allocated, exception);
        FailWaiters(exception);
        RaiseFailed(exception);
    }

    private void RaiseFailed(Exception exception)
    {
        if (Interlocked.Exchange(ref _failedRaised, 1) != 0 || _disposed != 0)
        {
            return;
        }

        // Not on the caller's stack (which may hold the lock): subscribers must not run under it.
        var handler = Failed;
        if (handler is not null)
        {
            ThreadPool.QueueUserWorkItem(static state => state.handler(state.exception), (handler, exception), preferLocal: false);
        }
    }

    private async Task FlushSafeAsync()
    {
        try
        {
            await FlushAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TurnException or ObjectDisposedException or OperationCanceledException)
        {
            Log.SendFailed(_logger, ex);
        }
    }

    private async Task FlushAsync()
    {
        ReadOnlyMemory<byte>[] pending;
        lock (_gate)
        {
            _sendScratch.Clear();
            while (_session.TryPollTransmit(out var message))
            {
                _sendScratch.Add(message);
            }

            if (_sendScratch.Count == 0)
            {
                return;
            }

            pending = [.. _sendScratch];
        }

        foreach (var message in pending)
        {
            await _transport.SendAsync(message, _shutdown.Token).ConfigureAwait(false);
        }
    }
}
