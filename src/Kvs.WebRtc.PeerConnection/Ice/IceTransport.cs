using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>
/// The ICE driver: owns one UDP socket per local host address (component 1, demultiplexed by first byte, RFC 7983),
/// relay allocations from an <see cref="IIceRelayFactory"/>, a <see cref="TimeProvider"/> timer, and an
/// <see cref="IceAgent"/> it feeds. Host sockets come from <see cref="IceTransportOptions.SocketFactory"/> (real
/// kernel sockets by default, a virtual network in tests).
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
internal sealed partial class IceTransport : IAsyncDisposable
{
    private readonly IceTransportOptions _options;
    private readonly IIceRelayFactory? _relayFactory;
    private readonly IDatagramSocketFactory _socketFactory;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly IceAgent _agent;
    private readonly long _startTimestamp;
    private readonly ITimer _timer;
    private readonly CancellationTokenSource _cts = new();
    private readonly Channel<Action> _dispatch = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<HostSocket> _sockets = [];
    private readonly Dictionary<IPEndPoint, HostSocket> _socketsByBase = [];
    private readonly Dictionary<IPEndPoint, IIceRelay> _relaysByBase = [];
    private readonly HashSet<(IIceRelay Relay, IPAddress Peer)> _permissions = [];
    private readonly List<IceServer> _relaysToRenew = [];
    private readonly List<Task> _loops = [];
    private readonly List<(Func<IceConnectionState, bool> Predicate, TaskCompletionSource<IceConnectionState> Completion)> _stateWaiters = [];
    private readonly Task _dispatchLoop;
    private volatile SendPath? _sendPath;
    private Task? _gathering;
    private bool _started;
    private int _disposed;
    private long _dataPacketsSent;
    private long _dataBytesSent;
    private long _dataPacketsReceived;
    private long _dataBytesReceived;

    /// <summary>Creates the transport; nothing is bound until <see cref="StartAsync"/>.</summary>
    public IceTransport(IceTransportOptions options, IIceRelayFactory? relayFactory = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _relayFactory = relayFactory;
        _timeProvider = timeProvider ?? TimeProvider.System;
        var factory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = factory.CreateLogger<IceTransport>();
        _socketFactory = options.SocketFactory ?? new SystemDatagramSocketFactory(options.SocketReceiveBufferSize, options.SocketSendBufferSize, _logger);
        _agent = new IceAgent(options.Role, options.LocalCredentials, options.Agent, factory.CreateLogger<IceAgent>());
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
    public IceDataReceiver? DataReceiver { get; set; }

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
    public (long PacketsSent, long BytesSent, long PacketsReceived, long BytesReceived) DataCounters =>
        (Interlocked.Read(ref _dataPacketsSent), Interlocked.Read(ref _dataBytesSent), Interlocked.Read(ref _dataPacketsReceived),
            Interlocked.Read(ref _dataBytesReceived));

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

        if (_options.Policy == IceTransportPolicy.All)
        {
            var index = new Dictionary<AddressFamily, int>();
            foreach (var address in EnumerateHostAddresses())
            {
                IDatagramSocket? socket = null;
                try
                {
                    socket = _socketFactory.Bind(new IPEndPoint(address, 0));
                    var baseEndPoint = socket.LocalEndPoint;
                    var host = new HostSocket(socket, baseEndPoint);
                    index.TryGetValue(address.AddressFamily, out var i);
                    index[address.AddressFamily] = i + 1;
                    lock (_gate)
                    {
                        _sockets.Add(host);
                        _socketsByBase[baseEndPoint] = host;
                        _agent.AddHostCandidate(baseEndPoint, i);
                        DriveLocked();
                    }

                    socket = null;
                    // Returns at once (a real socket starts its receive thread from the pool); datagrams that arrive
                    // meanwhile queue in the socket.
                    _loops.Add(host.Socket.StartReceiving((datagram, source) => ProcessDatagram(host, datagram, source), _cts.Token));
                }
                catch (SocketException ex)
                {
                    Log.BindFailed(_logger, address, ex.SocketErrorCode);
                }
                finally
                {
                    socket?.Dispose();
                }
            }
        }

        _gathering = Task.Run(() => GatherServersAsync(_cts.Token), CancellationToken.None);
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
            relays = added ? [.. _relaysByBase.Values] : [];
            DriveLocked();
        }

        // The peer's checks can reach our relayed address only once a permission exists (RFC 8656 §9).
        if (candidate.EndPoint is { } endPoint)
        {
            foreach (var relay in relays)
            {
                _ = EnsurePermissionAsync(relay, endPoint.Address);
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

    /// <summary>
    /// ICE restart: new local credentials (returned); set the new remote ones and candidates afterwards. Host addresses
    /// are listed again, so an address that appeared since the start (a new network) becomes a host candidate too.
    /// </summary>
    public IceCredentials Restart(IceCredentials? newLocalCredentials = null)
    {
        var added = _started && _disposed == 0 ? BindNewHostSockets() : [];
        IceServer[] renew;
        IIceRelay[] live;
        lock (_gate)
        {
            renew = [.. _relaysToRenew];
            _relaysToRenew.Clear();
            live = [.. _relaysByBase.Values];
            _agent.Restart(newLocalCredentials);
            foreach (var (host, index) in added)
            {
                _agent.AddHostCandidate(host.Base, index);
            }

            DriveLocked();
        }

        // A relay allocation that was lost or refused is asked for again; the others are checked now, so one a restarted
        // TURN server forgot fails (and is allocated again) at once rather than at its next refresh (docs/recovery.md).
        foreach (var relay in live)
        {
            relay.VerifyAllocation();
        }

        foreach (var server in renew)
        {
            Log.RelayRenewing(_logger, server.Uri.ToString());
            _ = AllocateRelayAsync(server, _cts.Token);
        }

        return LocalCredentials;
    }

    // Binds a socket on every host address that has none yet (docs/recovery.md: a camera that moved networks).
    private List<(HostSocket Host, int Index)> BindNewHostSockets()
    {
        var added = new List<(HostSocket, int)>();
        if (_options.Policy != IceTransportPolicy.All || _options.HostAddresses is not null)
        {
            return added;
        }

        HashSet<IPAddress> bound;
        lock (_gate)
        {
            bound = [.. _sockets.Select(s => s.Base.Address)];
        }

        foreach (var address in EnumerateHostAddresses())
        {
            if (bound.Contains(address))
            {
                continue;
            }

            try
            {
                var socket = _socketFactory.Bind(new IPEndPoint(address, 0));
                var host = new HostSocket(socket, socket.LocalEndPoint);
                lock (_gate)
                {
                    if (_disposed != 0)
                    {
                        socket.Dispose();
                        break;
                    }

                    added.Add((host, _sockets.Count(s => s.Base.AddressFamily == address.AddressFamily)));
                    _sockets.Add(host);
                    _socketsByBase[host.Base] = host;
                    _loops.Add(host.Socket.StartReceiving((datagram, source) => ProcessDatagram(host, datagram, source), _cts.Token));
                }

                Log.HostAddressAdded(_logger, address);
            }
            catch (SocketException ex)
            {
                Log.BindFailed(_logger, address, ex.SocketErrorCode);
            }
        }

        return added;
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
        var path = _sendPath ?? RefreshSendPath();
        if (path is null)
        {
            Log.NoPairForData(_logger, datagram.Length);
            return ValueTask.CompletedTask;
        }

        Interlocked.Increment(ref _dataPacketsSent);
        Interlocked.Add(ref _dataBytesSent, datagram.Length);

        if (path.Socket is { } host)
        {
            // Synchronous: a UDP send only copies into the kernel (it blocks only while SO_SNDBUF is full, which is
            // back-pressure), and it avoids an async state machine and a thread-pool hop per datagram.
            SendOnSocket(host.Socket, datagram.Span, path.RemoteAddress!, path.Remote);
            return ValueTask.CompletedTask;
        }

        return path.Relay!.SendAsync(path.Remote, datagram, cancellationToken);
    }

    /// <summary>
    /// True when the selected pair is a direct UDP path whose socket can send several datagrams in one call
    /// (<see cref="TrySendSegments"/>); false before nomination, on a relayed pair, or without UDP GSO.
    /// </summary>
    public bool CanSendSegments => _disposed == 0 && _sendPath is { Socket: { } host } && host.Socket.SupportsSegments;

    /// <summary>
    /// Sends datagrams laid out back to back, each <paramref name="segmentSize"/> bytes but the last (which may be shorter),
    /// in one call on the selected direct pair (see <see cref="IDatagramSocket.TrySendSegments"/>).
    /// </summary>
    /// <returns>False when nothing was sent (no direct pair, no GSO, disposed): send the datagrams one by one.</returns>
    public bool TrySendSegments(ReadOnlySpan<byte> segments, int segmentSize)
    {
        if (_disposed != 0 || _sendPath is not { Socket: { } host } path)
        {
            return false;
        }

        if (!host.Socket.TrySendSegments(segments, segmentSize, path.RemoteAddress!, out var error))
        {
            return false;
        }

        Interlocked.Add(ref _dataPacketsSent, (segments.Length + segmentSize - 1) / segmentSize);
        Interlocked.Add(ref _dataBytesSent, segments.Length);
        if (error is not (SocketError.Success or SocketError.OperationAborted))
        {
            Log.SendError(_logger, path.Remote, error);
        }

        return true;
    }

    /// <summary>Closes sockets, relays and the timer; completes pending waits. Idempotent; bounded wait.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _cts.CancelAsync().ConfigureAwait(false);
        _timer.Dispose();
        IIceRelay[] relays;
        lock (_gate)
        {
            _agent.Close();
            DriveLocked();
            relays = [.. _relaysByBase.Values];
            foreach (var host in _sockets)
            {
                host.Socket.Dispose();
            }

            foreach (var waiter in _stateWaiters)
            {
                waiter.Completion.TrySetResult(IceConnectionState.Closed);
            }

            _stateWaiters.Clear();
        }

        foreach (var relay in relays)
        {
            try
            {
                await relay.DisposeAsync().ConfigureAwait(false);
            }
#pragma warning disable CA1031 // a failing relay must not stop disposal of the others
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.RelayDisposeFailed(_logger, ex);
            }
        }

        _dispatch.Writer.TryComplete();
        var all = new List<Task>(_loops) { _dispatchLoop };
        if (_gathering is not null)
        {
            all.Add(_gathering);
        }

        await Task.WhenAny(Task.WhenAll(all), Task.Delay(TimeSpan.FromSeconds(2), _timeProvider)).ConfigureAwait(false);
        _cts.Dispose();
    }

    private void SendOnSocket(IDatagramSocket socket, ReadOnlySpan<byte> datagram, SocketAddress remote, IPEndPoint remoteEndPoint)
    {
        // A lost datagram, as UDP may lose it anyway: DTLS and SCTP above retransmit. Aborted: closed concurrently.
        var error = socket.SendTo(datagram, remote);
        if (error is not (SocketError.Success or SocketError.OperationAborted))
        {
            Log.SendError(_logger, remoteEndPoint, error);
        }
    }

    private IEnumerable<IPAddress> EnumerateHostAddresses() =>
        _options.HostAddresses ?? _socketFactory.GetHostAddresses(new HostAddressFilter(_options.IncludeLoopback, _options.IncludeIPv6, _options.IncludeLinkLocalIPv6));

    private async Task GatherServersAsync(CancellationToken cancellationToken)
    {
        var tasks = new List<Task>();
        foreach (var server in _options.Servers)
        {
            if (server.Uri.Scheme == IceServerScheme.Stun && _options.Policy == IceTransportPolicy.All)
            {
                tasks.Add(AddStunServerAsync(server.Uri, cancellationToken));
            }
            else if (server.Uri.IsTurn)
            {
                if (_relayFactory is null || server.Username is null || server.Password is null)
                {
                    Log.RelaySkipped(_logger, server.Uri.ToString());
                    continue;
                }

                tasks.Add(AllocateRelayAsync(server, cancellationToken));
            }
        }

        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // closing: a lookup or allocation cut short may fail in any way (socket closed, allocation disposed)
        catch (Exception) when (cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            // Every task's exception is observed here (WhenAll), so none is left for the finalizer to report.
            foreach (var task in tasks)
            {
                _ = task.Exception;
            }

            return;
        }

        lock (_gate)
        {
            _agent.SetLocalGatheringDone();
            DriveLocked();
        }
    }

    private async Task AddStunServerAsync(IceServerUri uri, CancellationToken cancellationToken)
    {
        if (uri.Transport != IceTransportProtocol.Udp)
        {
            return;
        }

        IPAddress[] addresses;
        if (IPAddress.TryParse(uri.Host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            using var timer = new CancellationTokenSource(_options.GatheringTimeout, _timeProvider);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
            try
            {
                addresses = await Dns.GetHostAddressesAsync(uri.Host, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                Log.DnsFailed(_logger, uri.Host, ex.Message);
                return;
            }
        }

        lock (_gate)
        {
            // One address per family is enough for a reflexive candidate.
            foreach (var address in addresses.DistinctBy(a => a.AddressFamily))
            {
                _agent.AddStunServer(new IPEndPoint(address, uri.Port), Now);
            }

            DriveLocked();
        }
    }

    private async Task AllocateRelayAsync(IceServer server, CancellationToken cancellationToken)
    {
        var relayServer = server.Uri.ToRelayServer(server.Username!, server.Password!);
        using var timer = new CancellationTokenSource(_options.GatheringTimeout, _timeProvider);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        IIceRelay relay;
        try
        {
            relay = await _relayFactory!.AllocateAsync(relayServer, timeout.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // any allocation failure only means no relay candidate from this server
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            Log.RelayFailed(_logger, relayServer.ToString(), ex.Message);
            RenewOnRestart(server);
            return;
        }

        var relayedBase = relay.RelayedAddress;
        relay.Receiver = (peer, datagram) => OnDatagram(datagram, relayedBase, peer, null);
        relay.Failed += ex =>
        {
            // Lost mid-session (the TURN server restarted): no longer used, and allocated again at once; if that is
            // refused, again at the next ICE restart.
            Log.RelayLost(_logger, relayServer.ToString(), ex.Message);
            lock (_gate)
            {
                if (_disposed != 0 || !_relaysByBase.Remove(relayedBase))
                {
                    return;
                }

                _sendPath = null;
            }

            _ = relay.DisposeAsync().AsTask();
            _ = AllocateRelayAsync(server, _cts.Token);
        };
        IPEndPoint[] remotes;
        lock (_gate)
        {
            if (_disposed != 0)
            {
                _ = relay.DisposeAsync().AsTask();
                return;
            }

            _relaysByBase[relayedBase] = relay;
            var preference = RelayLocalPreference(relayServer.Protocol);
            _agent.AddRelayCandidate(relayedBase, relay.ReflexiveAddress, IPAddress.TryParse(relayServer.Host, out var ip) ? ip : null, preference);
            remotes = _agent.RemoteCandidates.Select(c => c.EndPoint).OfType<IPEndPoint>().ToArray();
            DriveLocked();
        }

        foreach (var remote in remotes)
        {
            _ = EnsurePermissionAsync(relay, remote.Address);
        }
    }

    private void RenewOnRestart(IceServer server)
    {
        lock (_gate)
        {
            if (_disposed == 0 && !_relaysToRenew.Contains(server))
            {
                _relaysToRenew.Add(server);
            }
        }
    }

    private async Task EnsurePermissionAsync(IIceRelay relay, IPAddress peer)
    {
        lock (_gate)
        {
            if (!_permissions.Add((relay, peer)))
            {
                return;
            }
        }

        try
        {
            await relay.PermitAsync(peer, _cts.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // a missing permission only means that pair fails its checks
        catch (Exception ex)
#pragma warning restore CA1031
        {
            lock (_gate)
            {
                _permissions.Remove((relay, peer));
            }

            Log.PermissionFailed(_logger, peer, ex.Message);
        }
    }

    private void ProcessDatagram(HostSocket host, ReadOnlySpan<byte> datagram, SocketAddress address)
    {
        try
        {
            // Fast path (no lock, no allocation): application data from the selected remote on this socket.
            if (datagram[0] > 3 && _sendPath is { } path && ReferenceEquals(path.Socket, host) && path.RemoteAddress!.Equals(address))
            {
                CountReceived(datagram.Length);
                DataReceiver?.Invoke(datagram);
                return;
            }

            var source = host.CachedSource(address);
            OnDatagram(datagram, host.Base, source, host);
        }
#pragma warning disable CA1031 // a throwing receiver must not stop the socket: the datagram is dropped
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.HandlerFailed(_logger, ex);
        }
    }

    private void OnDatagram(ReadOnlySpan<byte> datagram, IPEndPoint localBase, IPEndPoint source, HostSocket? host)
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
            CountReceived(datagram.Length);
            DataReceiver?.Invoke(datagram);
        }
    }

    /// <summary>
    /// The transport to the TURN server of a local relay candidate (<c>udp</c>, <c>tcp</c> or <c>tls</c>, W3C <c>relayProtocol</c>),
    /// read back from the local preference it was given (<see cref="RelayLocalPreference"/>); null for other candidates.
    /// </summary>
    public static string? RelayProtocolOf(IceCandidate candidate)
    {
        if (candidate.Type != IceCandidateType.Relay)
        {
            return null;
        }

        return ((candidate.Priority >> 8) & 0xFFFF) switch
        {
            65535 => "udp",
            32767 => "tcp",
            16383 => "tls",
            _ => null,
        };
    }

    // Relayed candidates over UDP are preferred to TCP, and TCP to TLS (RFC 8656 §3.1 does not rank them; browsers do so).
    private static int RelayLocalPreference(IceRelayProtocol protocol) => protocol switch
    {
        IceRelayProtocol.Udp => 65535,
        IceRelayProtocol.Tcp => 32767,
        _ => 16383,
    };

    private void CountReceived(int length)
    {
        Interlocked.Increment(ref _dataPacketsReceived);
        Interlocked.Add(ref _dataBytesReceived, length);
    }

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
            Transmit(transmit);
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
                    _sendPath = null;
                    _dispatch.Writer.TryWrite(() => SelectedPairChanged?.Invoke(pair));
                    break;
                default:
                    break;
            }
        }

        if (_sendPath is null && _agent.SelectedPair is not null)
        {
            _sendPath = BuildSendPath(_agent.SelectedPair);
        }

        if (_disposed == 0)
        {
            var next = _agent.PollTimeout();
            var delay = next is { } due ? due - Now : Timeout.InfiniteTimeSpan;
            if (next is not null && delay < TimeSpan.Zero)
            {
                delay = TimeSpan.Zero;
            }

            _timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    private SendPath? RefreshSendPath()
    {
        lock (_gate)
        {
            var pair = _agent.GetSendPair();
            return pair is null ? null : BuildSendPath(pair);
        }
    }

    private SendPath? BuildSendPath(IceSelectedPair pair)
    {
        if (_socketsByBase.TryGetValue(pair.LocalBase, out var host))
        {
            return new SendPath(host, null, pair.RemoteEndPoint, pair.RemoteEndPoint.Serialize());
        }

        return _relaysByBase.TryGetValue(pair.LocalBase, out var relay) ? new SendPath(null, relay, pair.RemoteEndPoint, null) : null;
    }

    private void Transmit(IceTransmit transmit)
    {
        if (_socketsByBase.TryGetValue(transmit.LocalBase, out var host))
        {
            var error = host.Socket.SendTo(transmit.Data.Span, transmit.Destination);
            if (error is not (SocketError.Success or SocketError.OperationAborted))
            {
                Log.SendError(_logger, transmit.Destination, error);
            }

            return;
        }

        if (_relaysByBase.TryGetValue(transmit.LocalBase, out var relay))
        {
            _ = SendViaRelayAsync(relay, transmit);
        }
    }

    private async Task SendViaRelayAsync(IIceRelay relay, IceTransmit transmit)
    {
        try
        {
            await EnsurePermissionAsync(relay, transmit.Destination.Address).ConfigureAwait(false);
            await relay.SendAsync(transmit.Destination, transmit.Data, _cts.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // a lost check is retransmitted by the agent
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.RelaySendFailed(_logger, transmit.Destination, ex.Message);
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

    private sealed record SendPath(HostSocket? Socket, IIceRelay? Relay, IPEndPoint Remote, SocketAddress? RemoteAddress);

    private sealed class HostSocket(IDatagramSocket socket, IPEndPoint baseEndPoint)
    {
        private SocketAddress? _lastAddress;
        private IPEndPoint? _lastEndPoint;

        public IDatagramSocket Socket { get; } = socket;

        public IPEndPoint Base { get; } = baseEndPoint;

        // Reuses the IPEndPoint while datagrams keep coming from the same source (the common case).
        public IPEndPoint CachedSource(SocketAddress address)
        {
            if (_lastAddress is not null && _lastAddress.Equals(address))
            {
                return _lastEndPoint!;
            }

            var endPoint = (IPEndPoint)Base.Create(address);
            var copy = new SocketAddress(address.Family, address.Size);
            address.Buffer.CopyTo(copy.Buffer);
            _lastAddress = copy;
            _lastEndPoint = endPoint;
            return endPoint;
        }
    }
}
