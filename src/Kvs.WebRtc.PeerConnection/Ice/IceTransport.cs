using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>
/// The ICE transport: composes an <see cref="IceGatherer"/> (host sockets, STUN servers, relays), an
/// <see cref="IceSocketDriver"/> (receive loops, sends, relay permissions) and the sans-IO <see cref="IceAgent"/> it
/// drives through the core contract (<see cref="IAddressedCore{TTransmit}"/>) with one <see cref="TimeProvider"/>
/// timer. Host sockets come from <see cref="IceTransportOptions.SocketFactory"/> (real kernel sockets by default, a
/// virtual network in tests).
/// </summary>
/// <remarks>
/// <para>Thread-safety: every public member may be called from any thread. Agent access is serialised by one lock.
/// <see cref="CandidateGathered"/>, <see cref="StateChanged"/> and <see cref="SelectedPairChanged"/> are raised in
/// order on a dedicated dispatch task, never on a socket loop and never under the lock, so slow handlers cannot stall
/// checks. <see cref="DataReceiver"/> runs on a socket's receive thread (real sockets: a dedicated thread with blocking
/// receives into a reused buffer, one datagram processed at a time, see <see cref="SystemDatagramSocket"/>): it is the
/// layer below DTLS, keep it fast. With several local sockets or a relay, two calls may overlap, so the receiver must
/// be thread-safe or hand off to a queue. Sends on host sockets are synchronous. Socket buffer sizes come from <see cref="IceTransportOptions"/>
/// (4 MiB by default).</para>
/// </remarks>
internal sealed partial class IceTransport : IAsyncDisposable, IIceGatheringSink
{
    private readonly IceTransportOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly IceAgent _agent;
    private readonly IceGatherer _gatherer;
    private readonly IceSocketDriver _driver;
    private readonly Func<IceSelectedPair?> _sendPairFallback;
    private readonly long _startTimestamp;
    private readonly ITimer _timer;
    private readonly CancellationTokenSource _cts = new();
    private readonly Channel<Action> _dispatch = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<(Func<IceConnectionState, bool> Predicate, TaskCompletionSource<IceConnectionState> Completion)> _stateWaiters = [];
    private readonly Task _dispatchLoop;
    private Task? _gathering;
    private bool _started;
    private int _disposed;

    /// <summary>Creates the transport; nothing is bound until <see cref="StartAsync"/>.</summary>
    public IceTransport(IceTransportOptions options, IIceRelayFactory? relayFactory = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        var factory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = factory.CreateLogger<IceTransport>();
        var socketFactory = options.SocketFactory ?? new SystemDatagramSocketFactory(options.SocketReceiveBufferSize, options.SocketSendBufferSize, _logger);
        _agent = new IceAgent(options.Role, options.LocalCredentials, options.Agent, factory.CreateLogger<IceAgent>());
        _gatherer = new IceGatherer(options, socketFactory, relayFactory, _timeProvider, _logger, this);
        _driver = new IceSocketDriver(OnDatagram, _logger, _cts.Token);
        _sendPairFallback = GetSendPair;
        _startTimestamp = _timeProvider.GetTimestamp();
        _timer = _timeProvider.CreateTimer(_ => OnTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _dispatchLoop = Task.Run(DispatchLoopAsync);
    }

    /// <summary>A local candidate to trickle to the peer; null means end-of-candidates. Raised on the dispatch task.</summary>
    public event Action<IceCandidate?>? CandidateGathered;

    /// <summary>The state changed. Raised on the dispatch task.</summary>
    public event Action<IceConnectionState>? StateChanged;

    /// <summary>The selected pair changed (null: none usable). Raised on the dispatch task.</summary>
    public event Action<IceSelectedPair?>? SelectedPairChanged;

    /// <summary>Receives DTLS and RTP/RTCP datagrams from validated peers, on the socket loop.</summary>
    public IceDataReceiver? DataReceiver
    {
        get => _driver.DataReceiver;
        set => _driver.DataReceiver = value;
    }

    /// <summary>Our current credentials (put them in the SDP).</summary>
    public IceCredentials LocalCredentials
    {
        get
        {
            lock (_gate)
            {
                return _agent.LocalCredentials;
            }
        }
    }

    /// <summary>The current role.</summary>
    public IceRole Role
    {
        get
        {
            lock (_gate)
            {
                return _agent.Role;
            }
        }
    }

    /// <summary>The current state.</summary>
    public IceConnectionState State
    {
        get
        {
            lock (_gate)
            {
                return _agent.State;
            }
        }
    }

    /// <summary>The selected (nominated) pair, or null.</summary>
    public IceSelectedPair? SelectedPair
    {
        get
        {
            lock (_gate)
            {
                return _agent.SelectedPair;
            }
        }
    }

    /// <summary>The local candidates gathered so far.</summary>
    public IReadOnlyList<IceCandidate> LocalCandidates
    {
        get
        {
            lock (_gate)
            {
                return _agent.LocalCandidates.ToList();
            }
        }
    }

    /// <summary>The remote candidates known so far (signaled and peer-reflexive).</summary>
    public IReadOnlyList<IceCandidate> RemoteCandidates
    {
        get
        {
            lock (_gate)
            {
                return _agent.RemoteCandidates.ToList();
            }
        }
    }

    /// <summary>
    /// Application datagrams (DTLS, SRTP, SRTCP) handed to the sockets and relays, and those received from validated
    /// peers, with their UDP payload bytes (W3C transport and candidate-pair <c>packetsSent</c>/<c>bytesSent</c>...).
    /// </summary>
    public (long PacketsSent, long BytesSent, long PacketsReceived, long BytesReceived) DataCounters => _driver.DataCounters;

    /// <summary>Copies of the checklist pairs with their check counters and round-trip times, for statistics.</summary>
    public IReadOnlyList<IceCandidatePairSnapshot> GetPairSnapshots()
    {
        lock (_gate)
        {
            return _agent.SnapshotPairs();
        }
    }

    /// <summary>Counters of the agent (a snapshot is not taken: read for diagnostics only).</summary>
    public IceAgentCounters Counters => _agent.Counters;

    private TimeSpan Now => _timeProvider.GetElapsedTime(_startTimestamp);

    /// <summary>
    /// Binds host sockets and reports host candidates, then gathers server-reflexive and relay candidates in the
    /// background (trickle); <see cref="CandidateGathered"/> with null marks the end.
    /// </summary>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_started)
            {
                throw new InvalidOperationException("The ICE transport is already started.");
            }

            _started = true;
        }

        _gatherer.BindHostSockets();
        _gathering = Task.Run(() => _gatherer.GatherServersAsync(_cts.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Sets the peer's ufrag/pwd; connectivity checks start.</summary>
    public void SetRemoteCredentials(IceCredentials credentials)
    {
        lock (_gate)
        {
            _agent.SetRemoteCredentials(credentials);
            DriveLocked();
        }
    }

    /// <summary>Adds a trickled or SDP candidate; false when ignored (mDNS, TCP, duplicate, cap: logged).</summary>
    public bool AddRemoteCandidate(IceCandidate candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        bool added;
        IIceRelay[] relays;
        lock (_gate)
        {
            added = _agent.AddRemoteCandidate(candidate);
            relays = added ? _driver.Relays : [];
            DriveLocked();
        }

        // The peer's checks can reach our relayed address only once a permission exists (RFC 8656 §9).
        if (candidate.EndPoint is { } endPoint)
        {
            foreach (var relay in relays)
            {
                _ = _driver.EnsurePermissionAsync(relay, endPoint.Address);
            }
        }

        return added;
    }

    /// <summary>Parses and adds a candidate line (<c>a=candidate:</c> or <c>candidate:</c>); false when malformed or ignored.</summary>
    public bool AddRemoteCandidate(string candidateLine)
    {
        if (!IceCandidate.TryParse(candidateLine, out var candidate, out var error))
        {
            Log.BadRemoteCandidate(_logger, error);
            return false;
        }

        return AddRemoteCandidate(candidate!);
    }

    /// <summary>The peer has no more candidates (RFC 8838 end-of-candidates).</summary>
    /// <param name="ufrag">The ufrag the signal belongs to, when signalling carries it; a stale one is ignored.</param>
    public void SetRemoteEndOfCandidates(string? ufrag = null)
    {
        lock (_gate)
        {
            _agent.SetRemoteEndOfCandidates(ufrag);
            DriveLocked();
        }
    }

    /// <summary>New STUN/TURN servers (fresh credentials): relays allocated again from now on use them.</summary>
    public void UpdateServers(IReadOnlyList<IceServer> servers) => _gatherer.UpdateServers(servers);

    /// <summary>
    /// ICE restart: new local credentials (returned); set the new remote ones and candidates afterwards. Host addresses
    /// are listed again, so an address that appeared since the start (a new network) becomes a host candidate too; relay
    /// allocations are checked now, and those that were lost or refused are asked for again (docs/recovery.md).
    /// </summary>
    public IceCredentials Restart(IceCredentials? newLocalCredentials = null)
    {
        lock (_gate)
        {
            _agent.Restart(newLocalCredentials);
            DriveLocked();
        }

        if (_started && _disposed == 0)
        {
            // New host sockets reach the agent through IIceGatheringSink.OnHostSocket, after the restart above: their
            // candidates belong to the new generation.
            _gatherer.BindNewHostSockets(_driver.HostBases);
            foreach (var relay in _driver.Relays)
            {
                relay.VerifyAllocation();
            }

            _gatherer.RenewRefusedRelays();
        }

        return LocalCredentials;
    }

    /// <summary>Completes when the state satisfies <paramref name="predicate"/> (checked at once, then on each change).</summary>
    public Task<IceConnectionState> WaitForStateAsync(Func<IceConnectionState, bool> predicate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        TaskCompletionSource<IceConnectionState> completion;
        lock (_gate)
        {
            if (predicate(_agent.State))
            {
                return Task.FromResult(_agent.State);
            }

            completion = new TaskCompletionSource<IceConnectionState>(TaskCreationOptions.RunContinuationsAsynchronously);
            _stateWaiters.Add((predicate, completion));
        }

        return completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Sends an application datagram on the selected pair (or, before nomination, the best valid pair). Without any
    /// usable pair the datagram is dropped and logged: DTLS/SCTP above retransmit.
    /// </summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return _driver.SendAsync(datagram, _sendPairFallback, cancellationToken);
    }

    /// <summary>
    /// True when the selected pair is a direct UDP path whose socket can send several datagrams in one call
    /// (<see cref="TrySendSegments"/>); false before nomination, on a relayed pair, or without UDP GSO.
    /// </summary>
    public bool CanSendSegments => _disposed == 0 && _driver.CanSendSegments;

    /// <summary>
    /// Sends datagrams laid out back to back, each <paramref name="segmentSize"/> bytes but the last (which may be shorter),
    /// in one call on the selected direct pair (see <see cref="IDatagramSocket.TrySendSegments"/>).
    /// </summary>
    /// <returns>False when nothing was sent (no direct pair, no GSO, disposed): send the datagrams one by one.</returns>
    public bool TrySendSegments(ReadOnlySpan<byte> segments, int segmentSize) => _disposed == 0 && _driver.TrySendSegments(segments, segmentSize);

    /// <summary>Closes sockets, relays and the timer; completes pending waits. Idempotent; bounded wait.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _cts.CancelAsync().ConfigureAwait(false);
        _timer.Dispose();
        lock (_gate)
        {
            _agent.Close();
            DriveLocked();
            foreach (var waiter in _stateWaiters)
            {
                waiter.Completion.TrySetResult(IceConnectionState.Closed);
            }

            _stateWaiters.Clear();
        }

        var closing = _driver.CloseAsync();
        _dispatch.Writer.TryComplete();
        var all = new List<Task> { closing, _dispatchLoop };
        if (_gathering is not null)
        {
            all.Add(_gathering);
        }

        await Task.WhenAny(Task.WhenAll(all), Task.Delay(TimeSpan.FromSeconds(2), _timeProvider)).ConfigureAwait(false);
        _cts.Dispose();
    }

    /// <inheritdoc />
    void IIceGatheringSink.OnHostSocket(IDatagramSocket socket, int familyIndex)
    {
        var localBase = _driver.AddHostSocket(socket);
        lock (_gate)
        {
            if (_disposed != 0)
            {
                return;
            }

            _agent.AddHostCandidate(localBase, familyIndex);
            DriveLocked();
        }

        _driver.StartReceiving(localBase);
    }

    /// <inheritdoc />
    void IIceGatheringSink.OnStunServers(IReadOnlyList<IPEndPoint> servers)
    {
        lock (_gate)
        {
            foreach (var server in servers)
            {
                _agent.AddStunServer(server, Now);
            }

            DriveLocked();
        }
    }

    /// <inheritdoc />
    void IIceGatheringSink.OnRelay(IIceRelay relay, IPAddress? serverAddress, int localPreference)
    {
        if (_disposed != 0)
        {
            _ = relay.DisposeAsync().AsTask();
            return;
        }

        if (!_driver.AddRelay(relay))
        {
            return;
        }

        IPEndPoint[] remotes;
        lock (_gate)
        {
            _agent.AddRelayCandidate(relay.RelayedAddress, relay.ReflexiveAddress, serverAddress, localPreference);
            remotes = _agent.RemoteCandidates.Select(c => c.EndPoint).OfType<IPEndPoint>().ToArray();
            DriveLocked();
        }

        foreach (var remote in remotes)
        {
            _ = _driver.EnsurePermissionAsync(relay, remote.Address);
        }
    }

    /// <inheritdoc />
    void IIceGatheringSink.OnGatheringDone()
    {
        lock (_gate)
        {
            _agent.SetLocalGatheringDone();
            DriveLocked();
        }
    }

    private void OnDatagram(ReadOnlySpan<byte> datagram, IPEndPoint localBase, IPEndPoint source)
    {
        IceDatagramResult result;
        lock (_gate)
        {
            if (_disposed != 0)
            {
                return;
            }

            result = _agent.HandleDatagram(datagram, localBase, source, Now);
            DriveLocked();
        }

        if (result == IceDatagramResult.ApplicationData)
        {
            _driver.DeliverData(datagram);
        }
    }

    /// <summary>
    /// The transport to the TURN server of a local relay candidate (<c>udp</c>, <c>tcp</c> or <c>tls</c>, W3C <c>relayProtocol</c>),
    /// read back from the local preference it was given (<see cref="IceGatherer.RelayLocalPreference"/>); null for other candidates.
    /// </summary>
    public static string? RelayProtocolOf(IceCandidate candidate) => IceGatherer.RelayProtocolOf(candidate);

    private void OnTimer()
    {
        lock (_gate)
        {
            if (_disposed != 0)
            {
                return;
            }

            _agent.HandleTimeout(Now);
            DriveLocked();
        }
    }

    // Called under the lock after every agent input: flush transmits, queue events, re-arm the timer.
    private void DriveLocked()
    {
        while (_agent.TryPollTransmit(out var transmit))
        {
            _driver.Transmit(transmit);
        }

        while (_agent.TryPollEvent(out var agentEvent))
        {
            switch (agentEvent)
            {
                case IceLocalCandidateGathered gathered:
                    var candidate = gathered.Candidate;
                    _dispatch.Writer.TryWrite(() => CandidateGathered?.Invoke(candidate));
                    break;
                case IceGatheringCompleted:
                    _dispatch.Writer.TryWrite(() => CandidateGathered?.Invoke(null));
                    break;
                case IceStateChanged changed:
                    var state = changed.State;
                    _dispatch.Writer.TryWrite(() => StateChanged?.Invoke(state));
                    for (var i = _stateWaiters.Count - 1; i >= 0; i--)
                    {
                        if (_stateWaiters[i].Predicate(state))
                        {
                            _stateWaiters[i].Completion.TrySetResult(state);
                            _stateWaiters.RemoveAt(i);
                        }
                    }

                    break;
                case IceSelectedPairChanged selected:
                    var pair = selected.Pair;
                    _driver.SetSelectedPair(null);
                    _dispatch.Writer.TryWrite(() => SelectedPairChanged?.Invoke(pair));
                    break;
                default:
                    break;
            }
        }

        if (!_driver.HasSendPath && _agent.SelectedPair is not null && _disposed == 0)
        {
            _driver.SetSelectedPair(_agent.SelectedPair);
        }

        if (_disposed == 0)
        {
            var next = _agent.NextTimeout;
            var delay = next is { } due ? due - Now : Timeout.InfiniteTimeSpan;
            if (next is not null && delay < TimeSpan.Zero)
            {
                delay = TimeSpan.Zero;
            }

            _timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    private IceSelectedPair? GetSendPair()
    {
        lock (_gate)
        {
            return _agent.GetSendPair();
        }
    }

    private async Task DispatchLoopAsync()
    {
        await foreach (var action in _dispatch.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                action();
            }
#pragma warning disable CA1031 // a throwing subscriber must not stop event delivery
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.HandlerFailed(_logger, ex);
            }
        }
    }
}
