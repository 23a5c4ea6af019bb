using System.Net;
using Kvs.WebRtc.PeerConnection.Stun;

namespace Kvs.WebRtc.PeerConnection.Turn;

/// <summary>
/// Sans-IO TURN client (RFC 8656) for one allocation: Allocate with the long-term credential mechanism (401 then
/// an authenticated retry, 438 Stale Nonce retries), Refresh before expiry and LIFETIME 0 on close,
/// CreatePermission and ChannelBind with their refreshes, Send/Data indications and ChannelData.
/// Single-threaded; no sockets, tasks or clocks: the driver feeds server messages and time, and sends what
/// <see cref="TryPollTransmit"/> yields.
/// </summary>
internal sealed partial class TurnClientSession : IAddressedCore<ReadOnlyMemory<byte>>
{
    /// <summary>REQUESTED-TRANSPORT protocol number for UDP (RFC 8656 §18.8).</summary>
    public const byte ProtocolUdp = 17;

    /// <summary>How long a permission lasts on the server (RFC 8656 §9).</summary>
    public static readonly TimeSpan PermissionLifetime = TimeSpan.FromSeconds(300);

    private const int MaxEvents = 1024;

    // When a refresh cannot be sent (request table full), try again this much later instead of spinning.
    private static readonly TimeSpan s_sendRetryDelay = TimeSpan.FromSeconds(1);
    private const int RequestBufferSize = 1024;

    private readonly TurnClientOptions _options;
    private readonly StunTransactionTable<TurnRequest> _transactions;
    private readonly Dictionary<IPAddress, Permission> _permissions = [];
    private readonly Dictionary<IPEndPoint, Channel> _channelsByPeer = [];
    private readonly Dictionary<ushort, Channel> _channelsByNumber = [];
    private readonly Queue<TurnEvent> _events = new();
    private StunIntegrityKey? _key;
    private string? _realm;
    private string? _nonce;
    private ushort _nextChannel = TurnChannelData.MinChannel;
    private TimeSpan? _refreshAt;
    private TimeSpan _expiresAt;
    private bool _refreshInFlight;

    /// <summary>Creates a session; nothing is sent until <see cref="StartAllocate"/>.</summary>
    public TurnClientSession(TurnClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _transactions = new StunTransactionTable<TurnRequest>(options.MaxPendingRequests);
    }

    /// <summary>The life-cycle state.</summary>
    public TurnSessionState State { get; private set; } = TurnSessionState.Idle;

    /// <summary>The relayed transport address, once allocated.</summary>
    public IPEndPoint? RelayedAddress { get; private set; }

    /// <summary>Our address as the server saw it (XOR-MAPPED-ADDRESS), when reported.</summary>
    public IPEndPoint? MappedAddress { get; private set; }

    /// <summary>The lifetime the server granted last.</summary>
    public TimeSpan Lifetime { get; private set; }

    /// <summary>The realm the server named (not secret).</summary>
    public string? Realm => _realm;

    /// <summary>Why the session failed, when <see cref="State"/> is <see cref="TurnSessionState.Failed"/>.</summary>
    public TurnError FailureReason { get; private set; }

    /// <summary>Messages from the server that were dropped (malformed, unmatched, bad integrity, no permission).</summary>
    public long DroppedMessages { get; private set; }

    /// <summary>True over TCP/TLS.</summary>
    public bool IsReliableTransport => _options.IsReliableTransport;

    /// <summary>Datagrams wrapped as Send indications.</summary>
    public long SendIndicationsSent { get; private set; }

    /// <summary>Datagrams wrapped as ChannelData.</summary>
    public long ChannelDataSent { get; private set; }

    /// <summary>Peer datagrams received in Data indications.</summary>
    public long DataIndicationsReceived { get; private set; }

    /// <summary>Peer datagrams received as ChannelData.</summary>
    public long ChannelDataReceived { get; private set; }

    /// <summary>Allocation refreshes the server accepted.</summary>
    public long RefreshesSucceeded { get; private set; }

    /// <summary>Requests retried after 438 Stale Nonce.</summary>
    public long StaleNonceRetries { get; private set; }

    /// <summary>Sends the first (unauthenticated) Allocate request.</summary>
    /// <exception cref="InvalidOperationException">Not idle.</exception>
    public void StartAllocate(TimeSpan now)
    {
        if (State != TurnSessionState.Idle)
        {
            throw new InvalidOperationException("Allocate was already started.");
        }

        State = TurnSessionState.Allocating;
        if (!TrySendRequest(new TurnRequest(TurnRequestKind.Allocate), now))
        {
            Fail(TurnEventKind.AllocationFailed, TurnError.CapacityReached, 0, "request table full");
        }
    }

    /// <summary>True when a permission for <paramref name="peer"/> is installed.</summary>
    public bool HasPermission(IPAddress peer) =>
        _permissions.TryGetValue(Normalize(peer), out var permission) && permission.Installed;

    /// <summary>The bound channel for <paramref name="peer"/>, if any.</summary>
    public bool TryGetChannel(IPEndPoint peer, out ushort channel)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (peer.Address.IsIPv4MappedToIPv6)
        {
            peer = new IPEndPoint(peer.Address.MapToIPv4(), peer.Port);
        }

        if (_channelsByPeer.TryGetValue(peer, out var entry) && entry.Bound)
        {
            channel = entry.Number;
            return true;
        }

        channel = 0;
        return false;
    }

    /// <summary>Number of permissions (installed or pending).</summary>
    public int PermissionCount => _permissions.Count;

    /// <summary>Number of channels (bound or pending).</summary>
    public int ChannelCount => _channelsByPeer.Count;

    /// <summary>
    /// Asks for a permission for <paramref name="peer"/> (idempotent: an existing or pending one is kept).
    /// Returns false when the cap is reached or the session is not allocated.
    /// </summary>
    public bool CreatePermission(IPAddress peer, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (State != TurnSessionState.Allocated)
        {
            return false;
        }

        peer = Normalize(peer);
        if (_permissions.ContainsKey(peer))
        {
            return true;
        }

        if (_permissions.Count >= _options.MaxPermissions)
        {
            return false;
        }

        var permission = new Permission(peer);
        _permissions.Add(peer, permission);
        if (!TrySendRequest(new TurnRequest(TurnRequestKind.CreatePermission) { PermissionPeer = peer }, now))
        {
            _permissions.Remove(peer);
            return false;
        }

        permission.InFlight = true;
        return true;
    }

    /// <summary>
    /// Asks for a channel to <paramref name="peer"/> (idempotent). Returns false when the cap is reached, the
    /// channel numbers are used up, or the session is not allocated. A permission for the peer's address is
    /// created too when there is none: a binding refreshes it only every <see cref="TurnClientOptions.ChannelRefreshInterval"/>,
    /// longer than a permission lives (RFC 8656 §12).
    /// </summary>
    public bool BindChannel(IPEndPoint peer, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (State != TurnSessionState.Allocated)
        {
            return false;
        }

        peer = new IPEndPoint(Normalize(peer.Address), peer.Port);
        if (_channelsByPeer.ContainsKey(peer))
        {
            return true;
        }

        if (_channelsByPeer.Count >= _options.MaxChannels || _nextChannel > TurnChannelData.MaxChannel)
        {
            return false;
        }

        var channel = new Channel(_nextChannel, peer);
        if (!TrySendRequest(new TurnRequest(TurnRequestKind.ChannelBind) { ChannelPeer = peer, ChannelNumber = channel.Number }, now))
        {
            return false;
        }

        // Numbers are not reused: RFC 8656 §12 forbids rebinding a number to another peer for 10 minutes.
        _nextChannel++;
        CreatePermission(peer.Address, now);
        channel.InFlight = true;
        _channelsByPeer.Add(peer, channel);
        _channelsByNumber.Add(channel.Number, channel);
        return true;
    }

    /// <summary>Releases the allocation: Refresh with LIFETIME 0 (RFC 8656 §8). Idempotent.</summary>
    public void Close(TimeSpan now)
    {
        switch (State)
        {
            case TurnSessionState.Allocated:
                State = TurnSessionState.Closing;
                _transactions.Clear();
                _refreshInFlight = false;
                _refreshAt = null;
                if (!TrySendRequest(new TurnRequest(TurnRequestKind.Refresh) { Lifetime = TimeSpan.Zero }, now))
                {
                    SetClosed();
                }

                break;
            case TurnSessionState.Idle:
            case TurnSessionState.Allocating:
                _transactions.Clear();
                SetClosed();
                break;
        }
    }

    /// <summary>The largest output of <see cref="WrapOutgoing"/> for <paramref name="payloadLength"/> bytes.</summary>
    public static int GetMaxWrappedSize(int payloadLength) =>
        StunMessage.HeaderSize + 24 + StunMessageWriter.GetAttributeSize(payloadLength);

    /// <summary>
    /// Wraps a datagram for <paramref name="peer"/>: ChannelData when a channel is bound, otherwise a Send
    /// indication (RFC 8656 §11, §12). Returns the bytes written to <paramref name="destination"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">Not allocated.</exception>
    /// <exception cref="ArgumentException">Destination too small (size it with <see cref="GetMaxWrappedSize"/>).</exception>
    public int WrapOutgoing(IPEndPoint peer, ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (State != TurnSessionState.Allocated)
        {
            throw new InvalidOperationException("No allocation.");
        }

        if (peer.Address.IsIPv4MappedToIPv6)
        {
            peer = new IPEndPoint(peer.Address.MapToIPv4(), peer.Port);
        }

        if (_channelsByPeer.TryGetValue(peer, out var channel) && channel.Bound)
        {
            var size = TurnChannelData.Write(destination, channel.Number, payload, pad: _options.IsReliableTransport);
            ChannelDataSent++;
            return size;
        }

        var writer = new StunMessageWriter(destination, new StunMessageType(StunMethod.Send, StunClass.Indication), TransactionId.NewRandom());
        writer.AddXorAddress(StunAttributeType.XorPeerAddress, peer);
        writer.AddAttribute(StunAttributeType.Data, payload);
        SendIndicationsSent++;
        return writer.Length;
    }

    /// <summary>
    /// Consumes one message from the server (a whole datagram, or one frame from the stream framer). Never throws
    /// on malformed input: it is dropped and counted.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="now">Monotonic time.</param>
    /// <param name="peer">For <see cref="TurnInputResult.PeerData"/>: the sending peer.</param>
    /// <param name="data">For <see cref="TurnInputResult.PeerData"/>: the payload (a slice of <paramref name="message"/>).</param>
    public TurnInputResult HandleInput(ReadOnlySpan<byte> message, TimeSpan now, out IPEndPoint? peer, out ReadOnlySpan<byte> data)
    {
        peer = null;
        data = default;
        if (message.IsEmpty)
        {
            return Drop();
        }

        if (message[0] >> 6 == 1)
        {
            if (!TurnChannelData.TryParse(message, out var number, out var payload)
                || !_channelsByNumber.TryGetValue(number, out var channel) || !channel.Bound)
            {
                return Drop();
            }

            peer = channel.Peer;
            data = payload;
            ChannelDataReceived++;
            return TurnInputResult.PeerData;
        }

        if (!StunMessage.TryParse(message, out var stun, out _))
        {
            return Drop();
        }

        if (stun.Class == StunClass.Indication)
        {
            return HandleDataIndication(stun, out peer, out data);
        }

        if (stun.Class == StunClass.Request)
        {
            return Drop();
        }

        return HandleResponse(stun, now);
    }

    /// <summary>The next deadline (retransmission, refresh), or null when nothing is scheduled.</summary>
    public TimeSpan? NextTimeout => ComputeNextTimeout();

    private TimeSpan? ComputeNextTimeout()
    {
        var earliest = _transactions.NextTimeout;
        if (State == TurnSessionState.Allocated)
        {
            earliest = Min(earliest, _refreshInFlight ? null : _refreshAt);
            foreach (var permission in _permissions.Values)
            {
                if (permission.Installed && !permission.InFlight)
                {
                    earliest = Min(earliest, permission.RefreshAt);
                }
            }

            foreach (var channel in _channelsByPeer.Values)
            {
                if (channel.Bound && !channel.InFlight)
                {
                    earliest = Min(earliest, channel.RefreshAt);
                }
            }
        }

        return earliest;
    }

    /// <summary>Runs due retransmissions, timeouts and refreshes.</summary>
    public void HandleTimeout(TimeSpan now)
    {
        _transactions.HandleTimeout(now);
        while (_transactions.TryPollTimedOut(out _, out var request))
        {
            OnRequestFailed(request, TurnError.Timeout, 0, "timeout");
        }

        if (State != TurnSessionState.Allocated)
        {
            return;
        }

        if (!_refreshInFlight && _refreshAt is { } refreshAt && now >= refreshAt)
        {
            if (TrySendRequest(new TurnRequest(TurnRequestKind.Refresh) { Lifetime = _options.RequestedLifetime }, now))
            {
                _refreshInFlight = true;
            }
            else if (now >= _expiresAt)
            {
                Fail(TurnEventKind.AllocationLost, TurnError.AllocationLost, 0, "expired");
                return;
            }
            else
            {
                _refreshAt = now + s_sendRetryDelay;
            }
        }

        foreach (var permission in _permissions.Values)
        {
            if (permission.Installed && !permission.InFlight && now >= permission.RefreshAt)
            {
                if (TrySendRequest(new TurnRequest(TurnRequestKind.CreatePermission) { PermissionPeer = permission.Peer }, now))
                {
                    permission.InFlight = true;
                }
                else
                {
                    permission.RefreshAt = now + s_sendRetryDelay;
                }
            }
        }

        foreach (var channel in _channelsByPeer.Values)
        {
            if (channel.Bound && !channel.InFlight && now >= channel.RefreshAt)
            {
                if (TrySendRequest(new TurnRequest(TurnRequestKind.ChannelBind) { ChannelPeer = channel.Peer, ChannelNumber = channel.Number }, now))
                {
                    channel.InFlight = true;
                }
                else
                {
                    channel.RefreshAt = now + s_sendRetryDelay;
                }
            }
        }
    }

    /// <summary>
    /// Schedules the allocation's refresh now (sent on the next <see cref="HandleTimeout"/>): a server that lost the
    /// allocation answers 437 or not at all, and <see cref="TurnEventKind.AllocationLost"/> follows.
    /// </summary>
    /// <returns>False when not allocated, or a refresh is already in flight.</returns>
    public bool RefreshNow(TimeSpan now)
    {
        if (State != TurnSessionState.Allocated || _refreshInFlight)
        {
            return false;
        }

        _refreshAt = now;
        return true;
    }

    /// <summary>The next message to send to the server.</summary>
    public bool TryPollTransmit(out ReadOnlyMemory<byte> message) => _transactions.TryPollTransmit(out message);

    /// <summary>The next event.</summary>
    public bool TryPollEvent(out TurnEvent turnEvent) => _events.TryDequeue(out turnEvent);

    private static TimeSpan? Min(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private TurnInputResult Drop()
    {
        DroppedMessages++;
        return TurnInputResult.Dropped;
    }

    private TurnInputResult HandleDataIndication(StunMessage stun, out IPEndPoint? peer, out ReadOnlySpan<byte> data)
    {
        peer = null;
        data = default;
        if (stun.Method != StunMethod.Data || State != TurnSessionState.Allocated
            || !stun.TryGetXorAddress(StunAttributeType.XorPeerAddress, out var from)
            || !stun.TryGetAttribute(StunAttributeType.Data, out var payload)
            || !HasPermission(from.Address))
        {
            return Drop();
        }

        peer = from;
        data = payload;
        DataIndicationsReceived++;
        return TurnInputResult.PeerData;
    }

    private TurnInputResult HandleResponse(StunMessage stun, TimeSpan now)
    {
        var id = stun.TransactionId;
        if (!_transactions.TryGet(id, out _, out var request) || stun.Method != request.Method)
        {
            return Drop();
        }

        var isError = stun.Class == StunClass.ErrorResponse;
        var code = 0;
        var reason = string.Empty;
        if (isError && !stun.TryGetErrorCode(out code, out reason))
        {
            return Drop();
        }

        // RFC 8489 §9.2.5: responses to authenticated requests must carry a valid MESSAGE-INTEGRITY, except the
        // 401/438 challenges; anything else is treated as never received.
        var challenge = isError && (code == 401 || code == 438);
        if (request.Authenticated && !challenge && (_key is null || !stun.VerifyMessageIntegrity(_key)))
        {
            return Drop();
        }

        _transactions.TryComplete(id, out _, out _);
        if (!isError)
        {
            OnSuccess(request, stun, now);
            return TurnInputResult.Handled;
        }

        if (code == 401 && !request.Authenticated && request.Kind == TurnRequestKind.Allocate
            && stun.TryGetString(StunAttributeType.Realm, out var realm)
            && stun.TryGetString(StunAttributeType.Nonce, out var nonce))
        {
            SetCredentials(realm, nonce);
            Retry(request with { Authenticated = true }, now);
            return TurnInputResult.Handled;
        }

        if (code == 438 && request.StaleNonceRetries < _options.MaxStaleNonceRetries
            && stun.TryGetString(StunAttributeType.Nonce, out var freshNonce))
        {
            var newRealm = stun.TryGetString(StunAttributeType.Realm, out var r) ? r : _realm ?? string.Empty;
            SetCredentials(newRealm, freshNonce);
            StaleNonceRetries++;
            Retry(request with { Authenticated = true, StaleNonceRetries = request.StaleNonceRetries + 1 }, now);
            return TurnInputResult.Handled;
        }

        var error = code switch
        {
            401 => TurnError.Unauthorized,
            438 => TurnError.StaleNonce,
            _ => TurnError.ServerError,
        };
        OnRequestFailed(request, error, code, reason);
        return TurnInputResult.Handled;
    }

    private void Retry(TurnRequest request, TimeSpan now)
    {
        if (!TrySendRequest(request, now))
        {
            OnRequestFailed(request, TurnError.CapacityReached, 0, "request table full");
        }
    }

    private void SetCredentials(string realm, string nonce)
    {
        if (_key is null || !string.Equals(realm, _realm, StringComparison.Ordinal))
        {
            _key?.Dispose();
            _key = StunIntegrityKey.FromLongTermCredentials(_options.Username, realm, _options.Password);
        }

        _realm = realm;
        _nonce = nonce;
    }

    private void OnSuccess(TurnRequest request, StunMessage stun, TimeSpan now)
    {
        switch (request.Kind)
        {
            case TurnRequestKind.Allocate:
                if (State != TurnSessionState.Allocating)
                {
                    return;
                }

                if (!stun.TryGetXorAddress(StunAttributeType.XorRelayedAddress, out var relayed))
                {
                    Fail(TurnEventKind.AllocationFailed, TurnError.BadResponse, 0, "no XOR-RELAYED-ADDRESS");
                    return;
                }

                RelayedAddress = relayed;
                MappedAddress = stun.TryGetXorAddress(StunAttributeType.XorMappedAddress, out var mapped) ? mapped : null;
                State = TurnSessionState.Allocated;
                ScheduleRefresh(stun, now);
                Enqueue(new TurnEvent(TurnEventKind.AllocationSucceeded));
                break;
            case TurnRequestKind.Refresh:
                _refreshInFlight = false;
                if (State == TurnSessionState.Closing)
                {
                    SetClosed();
                    return;
                }

                if (State == TurnSessionState.Allocated)
                {
                    RefreshesSucceeded++;
                    ScheduleRefresh(stun, now);
                }

                break;
            case TurnRequestKind.CreatePermission:
                if (request.PermissionPeer is { } peerAddress && _permissions.TryGetValue(peerAddress, out var permission))
                {
                    var first = !permission.Installed;
                    permission.Installed = true;
                    permission.InFlight = false;
                    permission.RefreshAt = now + _options.PermissionRefreshInterval;
                    if (first)
                    {
                        Enqueue(new TurnEvent(TurnEventKind.PermissionCreated, new IPEndPoint(peerAddress, 0)));
                    }
                }

                break;
            case TurnRequestKind.ChannelBind:
                if (request.ChannelPeer is { } channelPeer && _channelsByPeer.TryGetValue(channelPeer, out var channel))
                {
                    var first = !channel.Bound;
                    channel.Bound = true;
                    channel.InFlight = false;
                    channel.RefreshAt = now + _options.ChannelRefreshInterval;
                    if (first)
                    {
                        Enqueue(new TurnEvent(TurnEventKind.ChannelBound, channelPeer, channel.Number));
                    }
                }

                break;
        }
    }

    private void ScheduleRefresh(StunMessage stun, TimeSpan now)
    {
        Lifetime = stun.TryGetLifetime(out var lifetime) && lifetime > TimeSpan.Zero ? lifetime : _options.RequestedLifetime;
        _expiresAt = now + Lifetime;

        // Refresh a minute early, or at 80% for short lifetimes, so a lost request still has time to retransmit.
        var delay = Lifetime >= TimeSpan.FromMinutes(2) ? Lifetime - TimeSpan.FromMinutes(1) : Lifetime * 0.8;
        _refreshAt = now + delay;
    }

    private void OnRequestFailed(TurnRequest request, TurnError error, int code, string reason)
    {
        switch (request.Kind)
        {
            case TurnRequestKind.Allocate:
                if (State == TurnSessionState.Allocating)
                {
                    Fail(TurnEventKind.AllocationFailed, error, code, reason);
                }

                break;
            case TurnRequestKind.Refresh:
                _refreshInFlight = false;
                if (State == TurnSessionState.Closing)
                {
                    SetClosed();
                }
                else if (State == TurnSessionState.Allocated)
                {
                    Fail(TurnEventKind.AllocationLost, error, code, reason);
                }

                break;
            case TurnRequestKind.CreatePermission:
                if (request.PermissionPeer is { } peerAddress && _permissions.Remove(peerAddress))
                {
                    Enqueue(new TurnEvent(TurnEventKind.PermissionFailed, new IPEndPoint(peerAddress, 0), 0, error, code, reason));
                }

                break;
            case TurnRequestKind.ChannelBind:
                if (request.ChannelPeer is { } channelPeer && _channelsByPeer.Remove(channelPeer, out var channel))
                {
                    _channelsByNumber.Remove(channel.Number);
                    Enqueue(new TurnEvent(TurnEventKind.ChannelBindFailed, channelPeer, channel.Number, error, code, reason));
                }

                break;
        }
    }

    private void Fail(TurnEventKind kind, TurnError error, int code, string reason)
    {
        State = TurnSessionState.Failed;
        FailureReason = error;
        _transactions.Clear();
        _refreshAt = null;
        Enqueue(new TurnEvent(kind, null, 0, error, code, reason));
    }

    private void SetClosed()
    {
        State = TurnSessionState.Closed;
        _refreshAt = null;
        _permissions.Clear();
        _channelsByPeer.Clear();
        _channelsByNumber.Clear();
        _key?.Dispose();
        _key = null;
        Enqueue(new TurnEvent(TurnEventKind.Closed));
    }

    private void Enqueue(TurnEvent turnEvent)
    {
        // Events come only from our own requests, which are capped; the bound is a backstop against a driver
        // that never polls.
        if (_events.Count >= MaxEvents)
        {
            _events.Dequeue();
        }

        _events.Enqueue(turnEvent);
    }

    private bool TrySendRequest(TurnRequest request, TimeSpan now)
    {
        if (_transactions.IsFull)
        {
            return false;
        }

        var id = TransactionId.NewRandom();
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var writer = new StunMessageWriter(buffer, new StunMessageType(request.Method, StunClass.Request), id);
        switch (request.Kind)
        {
            case TurnRequestKind.Allocate:
                writer.AddRequestedTransport(ProtocolUdp);
                writer.AddLifetime(_options.RequestedLifetime);
                break;
            case TurnRequestKind.Refresh:
                writer.AddLifetime(request.Lifetime);
                break;
            case TurnRequestKind.CreatePermission:
                writer.AddXorAddress(StunAttributeType.XorPeerAddress, new IPEndPoint(request.PermissionPeer!, 0));
                break;
            case TurnRequestKind.ChannelBind:
                writer.AddChannelNumber(request.ChannelNumber);
                writer.AddXorAddress(StunAttributeType.XorPeerAddress, request.ChannelPeer!);
                break;
        }

        if (_options.Software is { Length: > 0 } software)
        {
            writer.AddString(StunAttributeType.Software, software);
        }

        var authenticated = false;
        if (_key is { } key && _nonce is { } nonce)
        {
            authenticated = true;
            writer.AddUsername(_options.Username);
            writer.AddString(StunAttributeType.Realm, _realm ?? string.Empty);
            writer.AddString(StunAttributeType.Nonce, nonce);
            writer.AddMessageIntegrity(key);
        }

        var transaction = new StunClientTransaction(id, writer.Written.ToArray(), _options.IsReliableTransport, _options.Retransmission);
        return _transactions.TryStart(transaction, request with { Authenticated = authenticated }, now);
    }
}
