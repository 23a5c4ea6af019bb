using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>
/// Where an <see cref="IceGatherer"/> reports what it found. <see cref="IceTransport"/> implements it: it hands sockets
/// and relays to its <see cref="IceSocketDriver"/> and candidates to its <see cref="IceAgent"/>.
/// </summary>
internal interface IIceGatheringSink
{
    /// <summary>A host socket was bound; the sink owns it from now on.</summary>
    /// <param name="socket">The bound socket (its local end point is the host candidate's base).</param>
    /// <param name="familyIndex">How many host sockets of the same address family were bound before this one.</param>
    void OnHostSocket(IDatagramSocket socket, int familyIndex);

    /// <summary>A STUN server to learn server-reflexive candidates from (one address per family).</summary>
    void OnStunServers(IReadOnlyList<IPEndPoint> servers);

    /// <summary>A relay was allocated; the sink owns it from now on (and disposes it when it is already closing).</summary>
    /// <param name="relay">The allocation.</param>
    /// <param name="serverAddress">The TURN server's address when its URI held an IP literal (related address).</param>
    /// <param name="localPreference">The relay candidate's local preference (UDP over TCP over TLS).</param>
    void OnRelay(IIceRelay relay, IPAddress? serverAddress, int localPreference);

    /// <summary>Every STUN lookup and relay allocation has finished, successfully or not (not raised when cancelled).</summary>
    void OnGatheringDone();
}

/// <summary>
/// Candidate gathering for one ICE transport: enumerates the host addresses and binds one socket per address (host
/// candidates), resolves the STUN servers (server-reflexive candidates come from the agent's binding requests), and
/// allocates relays on the TURN servers (relay candidates). It does not send or receive: the sockets and relays it
/// produces go to the sink. See <c>docs/architecture.md</c>, "ICE".
/// </summary>
/// <remarks>
/// Thread-safety: <see cref="BindHostSockets"/> runs on the caller; <see cref="GatherServersAsync"/> runs lookups and
/// allocations concurrently and calls the sink from their continuations, so the sink serialises its own state.
/// </remarks>
internal sealed partial class IceGatherer
{
    private readonly IceTransportOptions _options;
    private readonly IDatagramSocketFactory _socketFactory;
    private readonly IIceRelayFactory? _relayFactory;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly IIceGatheringSink _sink;
    private readonly List<IceServer> _refusedRelays = [];
    private readonly HashSet<IceServerUri> _liveRelays = []; // guarded by _refusedRelays
    private IReadOnlyList<IceServer> _servers;
    private CancellationToken _stopping;

    /// <summary>Creates a gatherer; nothing happens before <see cref="BindHostSockets"/> and <see cref="GatherServersAsync"/>.</summary>
    public IceGatherer(IceTransportOptions options, IDatagramSocketFactory socketFactory, IIceRelayFactory? relayFactory, TimeProvider timeProvider,
        ILogger logger, IIceGatheringSink sink)
    {
        _options = options;
        _servers = options.Servers;
        _socketFactory = socketFactory;
        _relayFactory = relayFactory;
        _timeProvider = timeProvider;
        _logger = logger;
        _sink = sink;
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

    /// <summary>Relayed candidates over UDP are preferred to TCP, and TCP to TLS (RFC 8656 §3.1 does not rank them; browsers do so).</summary>
    public static int RelayLocalPreference(IceRelayProtocol protocol) => protocol switch
    {
        IceRelayProtocol.Udp => 65535,
        IceRelayProtocol.Tcp => 32767,
        _ => 16383,
    };

    /// <summary>
    /// Binds one socket per host address (none under the relay-only policy) and hands each to the sink. An address that
    /// cannot be bound is logged and skipped.
    /// </summary>
    /// <returns>How many sockets were bound.</returns>
    public int BindHostSockets() =>
        _options.Policy == IceTransportPolicy.All ? BindEach(EnumerateHostAddresses(), [], restart: false) : 0;

    /// <summary>
    /// ICE restart after a network change (docs/recovery.md): binds a socket on every host address that has none yet and
    /// hands it to the sink. Only when host addresses are enumerated (not fixed by <see cref="IceTransportOptions.HostAddresses"/>)
    /// and host candidates are allowed.
    /// </summary>
    /// <param name="bound">The bases of the host sockets that exist.</param>
    /// <returns>How many sockets were bound.</returns>
    public int BindNewHostSockets(IReadOnlyCollection<IPEndPoint> bound)
    {
        if (_options.Policy != IceTransportPolicy.All || _options.HostAddresses is not null)
        {
            return 0;
        }

        var addresses = bound.Select(b => b.Address).ToHashSet();
        var index = bound.GroupBy(b => b.AddressFamily).ToDictionary(g => g.Key, g => g.Count());
        return BindEach(EnumerateHostAddresses().Where(addresses.Add), index, restart: true);
    }

    // Binds one socket per address and hands it to the sink with its index within its family (which numbers the host
    // candidate's local preference); an address that cannot be bound is logged and skipped.
    private int BindEach(IEnumerable<IPAddress> addresses, Dictionary<AddressFamily, int> index, bool restart)
    {
        var bound = 0;
        foreach (var address in addresses)
        {
            IDatagramSocket? socket = null;
            try
            {
                socket = _socketFactory.Bind(new IPEndPoint(address, 0));
                index.TryGetValue(address.AddressFamily, out var i);
                index[address.AddressFamily] = i + 1;
                var owned = socket;
                socket = null;
                _sink.OnHostSocket(owned, i);
                if (restart)
                {
                    Log.HostAddressAdded(_logger, address);
                }

                bound++;
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

        return bound;
    }

    /// <summary>
    /// New STUN/TURN servers (fresh TURN credentials, e.g. fetched again before an ICE restart): used from now on when a
    /// relay is allocated again (lost or refused). Hosts already allocated keep their allocation.
    /// </summary>
    public void UpdateServers(IReadOnlyList<IceServer> servers)
    {
        ArgumentNullException.ThrowIfNull(servers);
        Volatile.Write(ref _servers, servers);
    }

    /// <summary>
    /// ICE restart: asks again for the relay allocations that were refused (docs/recovery.md), with the latest
    /// credentials for the same server. When the latest servers no longer list a refused one (TURN hosts change between
    /// GetIceServerConfig calls), their TURN servers that hold no allocation are asked instead.
    /// </summary>
    public void RenewRefusedRelays()
    {
        IceServer[] renew;
        HashSet<IceServerUri> live;
        lock (_refusedRelays)
        {
            renew = [.. _refusedRelays];
            _refusedRelays.Clear();
            live = [.. _liveRelays];
        }

        if (renew.Length == 0)
        {
            return;
        }

        var servers = Volatile.Read(ref _servers);
        var targets = new List<IceServer>();
        var replaced = false;
        foreach (var server in renew)
        {
            if (Find(servers, server.Uri) is { } current)
            {
                targets.Add(current);
            }
            else
            {
                replaced = true;
            }
        }

        if (replaced)
        {
            foreach (var server in servers)
            {
                if (server.Uri.IsTurn && server.Username is not null && server.Password is not null && !live.Contains(server.Uri)
                    && !targets.Exists(t => t.Uri == server.Uri))
                {
                    targets.Add(server);
                }
            }
        }

        foreach (var server in targets)
        {
            Log.RelayRenewing(_logger, server.Uri.ToString());
            _ = AllocateRelayAsync(server, _stopping);
        }
    }

    private static IceServer? Find(IReadOnlyList<IceServer> servers, IceServerUri uri)
    {
        foreach (var server in servers)
        {
            if (server.Uri == uri)
            {
                return server;
            }
        }

        return null;
    }

    /// <summary>
    /// Resolves the STUN servers and allocates on the TURN servers, concurrently, then tells the sink that gathering is
    /// done. Failures only mean fewer candidates (logged); cancellation stops without the done signal. A relay that is
    /// refused is asked for again at the next ICE restart; one that is lost later is allocated again at once.
    /// </summary>
    public async Task GatherServersAsync(CancellationToken cancellationToken)
    {
        _stopping = cancellationToken;
        var tasks = new List<Task>();
        foreach (var server in _options.Servers)
        {
            if (server.Uri.Scheme == IceServerScheme.Stun && _options.Policy == IceTransportPolicy.All)
            {
                tasks.Add(ResolveStunServerAsync(server.Uri, cancellationToken));
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

        _sink.OnGatheringDone();
    }

    private IEnumerable<IPAddress> EnumerateHostAddresses() =>
        _options.HostAddresses ?? _socketFactory.GetHostAddresses(new HostAddressFilter(_options.IncludeLoopback, _options.IncludeIPv6, _options.IncludeLinkLocalIPv6));

    private async Task ResolveStunServerAsync(IceServerUri uri, CancellationToken cancellationToken)
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

        // One address per family is enough for a reflexive candidate.
        var servers = addresses.DistinctBy(a => a.AddressFamily).Select(a => new IPEndPoint(a, uri.Port)).ToArray();
        if (servers.Length > 0)
        {
            _sink.OnStunServers(servers);
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
            lock (_refusedRelays)
            {
                if (!_refusedRelays.Contains(server))
                {
                    _refusedRelays.Add(server);
                }
            }

            return;
        }

        lock (_refusedRelays)
        {
            _liveRelays.Add(server.Uri);
        }

        // Lost mid-session (the socket driver drops it): allocated again at once, with the latest credentials for that
        // server; if that is refused, at the next restart.
        relay.Failed += lost =>
        {
            lock (_refusedRelays)
            {
                _liveRelays.Remove(server.Uri);
            }

            if (!cancellationToken.IsCancellationRequested)
            {
                _ = AllocateRelayAsync(Find(Volatile.Read(ref _servers), server.Uri) ?? server, cancellationToken);
            }
        };
        _sink.OnRelay(relay, IPAddress.TryParse(relayServer.Host, out var ip) ? ip : null, RelayLocalPreference(relayServer.Protocol));
    }

    /// <summary>Log messages of the gatherer (ids of the 2100-2199 ICE transport range; TURN passwords are never logged).</summary>
    private static partial class Log
    {
        [LoggerMessage(2100, LogLevel.Warning, "ICE could not bind a UDP socket on {Address}: {Error}")]
        public static partial void BindFailed(ILogger logger, IPAddress address, SocketError error);

        [LoggerMessage(2103, LogLevel.Warning, "ICE relay allocation on {Server} failed: {Reason}")]
        public static partial void RelayFailed(ILogger logger, string server, string reason);

        [LoggerMessage(2105, LogLevel.Debug, "ICE relay server {Server} skipped (no relay factory or no credentials)")]
        public static partial void RelaySkipped(ILogger logger, string server);

        [LoggerMessage(2108, LogLevel.Debug, "ICE DNS lookup of {Host} failed: {Reason}")]
        public static partial void DnsFailed(ILogger logger, string host, string reason);

        [LoggerMessage(2117, LogLevel.Information, "ICE restart: a host candidate on the new address {Address}")]
        public static partial void HostAddressAdded(ILogger logger, IPAddress address);

        [LoggerMessage(2118, LogLevel.Information, "ICE restart: asking {Server} again for the relay allocation that was refused")]
        public static partial void RelayRenewing(ILogger logger, string server);
    }
}
