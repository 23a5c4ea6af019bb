using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>Receives a datagram that is not application data from the selected pair (STUN, or data before the fast path is set).</summary>
/// <param name="datagram">The bytes; valid only during the call.</param>
/// <param name="localBase">The local candidate base it arrived on (a host socket's address or a relayed address).</param>
/// <param name="source">The sender.</param>
internal delegate void IceDatagramHandler(ReadOnlySpan<byte> datagram, IPEndPoint localBase, IPEndPoint source);

/// <summary>
/// The socket side of an ICE transport: the host sockets (through the <see cref="IDatagramSocket"/> seam: real kernel
/// sockets or the virtual network of the tests) and the relays, their receive loops, the sends of the agent's
/// checks and of application datagrams on the selected pair, relay permissions and data counters. It holds no ICE
/// state: the owner (<see cref="IceTransport"/>) tells it which pair is selected. See <c>docs/architecture.md</c>, "ICE".
/// </summary>
/// <remarks>
/// <para>Receive path: a datagram from the selected remote on the selected socket whose first byte is not STUN
/// (RFC 7983) goes straight to <see cref="DataReceiver"/> on the receive thread (no lock, no allocation); anything
/// else goes to the owner's <see cref="IceDatagramHandler"/>, which feeds the agent and calls
/// <see cref="DeliverData"/> for application data.</para>
/// <para>Thread-safety: every member may be called from any thread. Sends are synchronous on host sockets.</para>
/// </remarks>
internal sealed partial class IceSocketDriver
{
    private readonly ILogger _logger;
    private readonly IceDatagramHandler _handler;
    private readonly CancellationToken _stopping;
    private readonly object _gate = new();
    private readonly List<HostSocket> _sockets = [];
    private readonly Dictionary<IPEndPoint, HostSocket> _socketsByBase = [];
    private readonly Dictionary<IPEndPoint, IIceRelay> _relaysByBase = [];
    private readonly HashSet<(IIceRelay Relay, IPAddress Peer)> _permissions = [];
    private readonly List<Task> _loops = [];
    private volatile SendPath? _sendPath;
    private volatile bool _closed;
    private long _dataPacketsSent;
    private long _dataBytesSent;
    private long _dataPacketsReceived;
    private long _dataBytesReceived;

    /// <summary>Creates a driver with no sockets.</summary>
    /// <param name="handler">Receives every datagram that is not on the fast path.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="stopping">Cancelled when the owner closes: stops receive loops, permissions and relay sends.</param>
    public IceSocketDriver(IceDatagramHandler handler, ILogger logger, CancellationToken stopping)
    {
        _handler = handler;
        _logger = logger;
        _stopping = stopping;
    }

    /// <summary>Receives DTLS and RTP/RTCP datagrams from validated peers, on the socket loop.</summary>
    public IceDataReceiver? DataReceiver { get; set; }

    /// <summary>Application datagrams sent and received, with their UDP payload bytes.</summary>
    public (long PacketsSent, long BytesSent, long PacketsReceived, long BytesReceived) DataCounters =>
        (Interlocked.Read(ref _dataPacketsSent), Interlocked.Read(ref _dataBytesSent), Interlocked.Read(ref _dataPacketsReceived),
            Interlocked.Read(ref _dataBytesReceived));

    /// <summary>True while application datagrams go out on a selected pair without asking the owner.</summary>
    public bool HasSendPath => _sendPath is not null;

    /// <summary>The relays added so far.</summary>
    public IIceRelay[] Relays
    {
        get
        {
            lock (_gate)
            {
                return [.. _relaysByBase.Values];
            }
        }
    }

    /// <summary>The local end points of the host sockets added so far (the host candidates' bases).</summary>
    public IPEndPoint[] HostBases
    {
        get
        {
            lock (_gate)
            {
                return [.. _sockets.Select(s => s.Base)];
            }
        }
    }

    /// <summary>True when the selected pair is a direct UDP path whose socket can send segments (UDP GSO).</summary>
    public bool CanSendSegments => !_closed && _sendPath is { Socket: { } host } && host.Socket.SupportsSegments;

    /// <summary>Takes ownership of a bound host socket and starts receiving on it.</summary>
    /// <returns>The socket's local end point: the host candidate's base.</returns>
    public IPEndPoint AddHostSocket(IDatagramSocket socket)
    {
        var host = new HostSocket(socket, socket.LocalEndPoint);
        lock (_gate)
        {
            if (_closed)
            {
                socket.Dispose();
                return host.Base;
            }

            _sockets.Add(host);
            _socketsByBase[host.Base] = host;
        }

        return host.Base;
    }

    /// <summary>
    /// Starts the receive loop of a socket added with <see cref="AddHostSocket"/> (after its candidate is known to the
    /// agent, so checks arriving at once find it). Returns at once; datagrams that arrived meanwhile are queued in the socket.
    /// </summary>
    public void StartReceiving(IPEndPoint localBase)
    {
        HostSocket? host;
        lock (_gate)
        {
            if (_closed || !_socketsByBase.TryGetValue(localBase, out host))
            {
                return;
            }
        }

        var loop = host.Socket.StartReceiving((datagram, source) => OnHostDatagram(host, datagram, source), _stopping);
        lock (_gate)
        {
            _loops.Add(loop);
        }
    }

    /// <summary>Takes ownership of a relay and routes what peers send to it to the handler.</summary>
    /// <returns>False when the driver is closed (the relay is then disposed).</returns>
    public bool AddRelay(IIceRelay relay)
    {
        var relayedBase = relay.RelayedAddress;
        var server = relay.Server.ToString();
        relay.Receiver = (peer, datagram) => OnRelayDatagram(datagram, relayedBase, peer);
        relay.Failed += ex =>
        {
            // Lost mid-session (e.g. the TURN server restarted): no longer used; the gatherer allocates again.
            Log.RelayLost(_logger, server, ex.Message);
            lock (_gate)
            {
                if (_closed || !_relaysByBase.Remove(relayedBase))
                {
                    return;
                }

                if (_sendPath is { Relay: { } used } && ReferenceEquals(used, relay))
                {
                    _sendPath = null;
                }
            }

            _ = relay.DisposeAsync().AsTask();
        };
        lock (_gate)
        {
            if (!_closed)
            {
                _relaysByBase[relayedBase] = relay;
                return true;
            }
        }

        _ = relay.DisposeAsync().AsTask();
        return false;
    }

    /// <summary>Installs (once per relay and peer) a permission so the peer's checks reach our relayed address (RFC 8656 §9).</summary>
    public async Task EnsurePermissionAsync(IIceRelay relay, IPAddress peer)
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
            await relay.PermitAsync(peer, _stopping).ConfigureAwait(false);
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

    /// <summary>Sends a datagram of the agent (a check or response) from the local base it names.</summary>
    public void Transmit(IceTransmit transmit)
    {
        HostSocket? host;
        IIceRelay? relay = null;
        lock (_gate)
        {
            if (!_socketsByBase.TryGetValue(transmit.LocalBase, out host))
            {
                _relaysByBase.TryGetValue(transmit.LocalBase, out relay);
            }
        }

        if (host is not null)
        {
            var error = host.Socket.SendTo(transmit.Data.Span, transmit.Destination);
            if (error is not (SocketError.Success or SocketError.OperationAborted))
            {
                Log.SendError(_logger, transmit.Destination, error);
            }

            return;
        }

        if (relay is not null)
        {
            _ = SendViaRelayAsync(relay, transmit);
        }
    }

    /// <summary>Application datagrams go out on <paramref name="pair"/> from now on (null: none until set again).</summary>
    public void SetSelectedPair(IceSelectedPair? pair) => _sendPath = pair is null ? null : BuildSendPath(pair);

    /// <summary>
    /// Sends an application datagram on the selected pair, or on <paramref name="fallback"/> when none is selected yet
    /// (the best valid pair before nomination). Without any, the datagram is dropped and logged: DTLS/SCTP retransmit.
    /// </summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> datagram, Func<IceSelectedPair?> fallback, CancellationToken cancellationToken)
    {
        var path = _sendPath ?? (fallback() is { } pair ? BuildSendPath(pair) : null);
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
            var error = host.Socket.SendTo(datagram.Span, path.RemoteAddress!);
            if (error is not (SocketError.Success or SocketError.OperationAborted))
            {
                Log.SendError(_logger, path.Remote, error);
            }

            return ValueTask.CompletedTask;
        }

        return path.Relay!.SendAsync(path.Remote, datagram, cancellationToken);
    }

    /// <summary>Sends back-to-back datagrams in one call on the selected direct pair (see <see cref="IDatagramSocket.TrySendSegments"/>).</summary>
    /// <returns>False when nothing was sent (no direct pair, no GSO, closed): send the datagrams one by one.</returns>
    public bool TrySendSegments(ReadOnlySpan<byte> segments, int segmentSize)
    {
        if (_closed || _sendPath is not { Socket: { } host } path)
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

    /// <summary>Counts an application datagram the owner accepted and hands it to <see cref="DataReceiver"/>.</summary>
    public void DeliverData(ReadOnlySpan<byte> datagram)
    {
        CountReceived(datagram.Length);
        DataReceiver?.Invoke(datagram);
    }

    /// <summary>
    /// Closes the sockets and disposes the relays (the owner cancels the stopping token first). Idempotent.
    /// </summary>
    /// <returns>Completes when every receive loop has stopped.</returns>
    public async Task CloseAsync()
    {
        IIceRelay[] relays;
        Task[] loops;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            _sendPath = null;
            foreach (var host in _sockets)
            {
                host.Socket.Dispose();
            }

            relays = [.. _relaysByBase.Values];
            loops = [.. _loops];
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

        await Task.WhenAll(loops).ConfigureAwait(false);
    }

    private SendPath? BuildSendPath(IceSelectedPair pair)
    {
        lock (_gate)
        {
            if (_socketsByBase.TryGetValue(pair.LocalBase, out var host))
            {
                return new SendPath(host, null, pair.RemoteEndPoint, pair.RemoteEndPoint.Serialize());
            }

            return _relaysByBase.TryGetValue(pair.LocalBase, out var relay) ? new SendPath(null, relay, pair.RemoteEndPoint, null) : null;
        }
    }

    private void OnHostDatagram(HostSocket host, ReadOnlySpan<byte> datagram, SocketAddress address)
    {
        try
        {
            // Fast path (no lock, no allocation): application data from the selected remote on this socket.
            if (datagram[0] > 3 && _sendPath is { } path && ReferenceEquals(path.Socket, host) && path.RemoteAddress!.Equals(address))
            {
                DeliverData(datagram);
                return;
            }

            _handler(datagram, host.Base, host.CachedSource(address));
        }
#pragma warning disable CA1031 // a throwing receiver must not stop the socket: the datagram is dropped
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.HandlerFailed(_logger, ex);
        }
    }

    private void OnRelayDatagram(ReadOnlySpan<byte> datagram, IPEndPoint relayedBase, IPEndPoint peer)
    {
        if (!_closed)
        {
            _handler(datagram, relayedBase, peer);
        }
    }

    private async Task SendViaRelayAsync(IIceRelay relay, IceTransmit transmit)
    {
        try
        {
            await EnsurePermissionAsync(relay, transmit.Destination.Address).ConfigureAwait(false);
            await relay.SendAsync(transmit.Destination, transmit.Data, _stopping).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // a lost check is retransmitted by the agent
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.RelaySendFailed(_logger, transmit.Destination, ex.Message);
        }
    }

    private void CountReceived(int length)
    {
        Interlocked.Increment(ref _dataPacketsReceived);
        Interlocked.Add(ref _dataBytesReceived, length);
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

    /// <summary>Log messages of the socket driver (ids of the 2100-2199 ICE transport range).</summary>
    private static partial class Log
    {
        [LoggerMessage(2102, LogLevel.Debug, "ICE send error to {Destination}: {Error}")]
        public static partial void SendError(ILogger logger, IPEndPoint destination, SocketError error);

        [LoggerMessage(2104, LogLevel.Warning, "ICE relay on {Server} lost: {Reason}")]
        public static partial void RelayLost(ILogger logger, string server, string reason);

        [LoggerMessage(2106, LogLevel.Debug, "ICE relay permission for {Peer} failed: {Reason}")]
        public static partial void PermissionFailed(ILogger logger, IPAddress peer, string reason);

        [LoggerMessage(2107, LogLevel.Debug, "ICE relay send to {Destination} failed: {Reason}")]
        public static partial void RelaySendFailed(ILogger logger, IPEndPoint destination, string reason);

        [LoggerMessage(2109, LogLevel.Debug, "ICE dropped {Length}-byte application datagram: no usable pair yet")]
        public static partial void NoPairForData(ILogger logger, int length);

        [LoggerMessage(2111, LogLevel.Warning, "ICE event handler threw")]
        public static partial void HandlerFailed(ILogger logger, Exception exception);

        [LoggerMessage(2113, LogLevel.Debug, "ICE relay dispose failed")]
        public static partial void RelayDisposeFailed(ILogger logger, Exception exception);
    }
}
