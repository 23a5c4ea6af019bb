using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Emulator.Turn;

/// <summary>
/// An embedded UDP TURN server (an RFC 8656 subset) on the emulator's loopback address, verifying the credentials the
/// emulator mints for GetIceServerConfig (coturn <c>use-auth-secret</c> style: the username's leading timestamp is its
/// expiry, the password <c>base64(HMAC(secret, username))</c>; an expired one is refused for a new allocation).
/// Allocate (401 with REALM and NONCE first, then the
/// long-term credential MESSAGE-INTEGRITY; 437, 438, 441, 442, 486 where due), Refresh (LIFETIME 0 deletes),
/// CreatePermission, ChannelBind, Send and Data indications, ChannelData both ways, one relay UDP socket per
/// allocation. Lifetimes (allocation, 5-minute permissions, 10-minute channels) run on the emulator's clock.
/// Malformed input is dropped and counted, never thrown. <see cref="RestartAsync"/> drops every allocation and
/// rebinds the same port with a new nonce, as a restarted coturn does.
/// </summary>
internal sealed partial class EmulatorTurnServer : IAsyncDisposable
{
    public const string Realm = "kinesisvideo.emulator";
    private static readonly TimeSpan s_permissionLifetime = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan s_channelLifetime = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan s_defaultLifetime = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan s_maxLifetime = TimeSpan.FromHours(1);

    private readonly object _gate = new();
    private readonly Dictionary<IPEndPoint, Allocation> _allocations = [];
    private readonly byte[] _secret;
    private readonly HashAlgorithmName _algorithm;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _maxAllocations;
    private readonly IPAddress _address;
    private Socket? _socket;
    private Task _receiveLoop = Task.CompletedTask;
    private CancellationTokenSource _stop = new();
    private string _nonce = NewNonce();
    private long _malformed;
    private long _unauthorized;
    private long _allocationsCreated;
    private long _relayed;
    private int _restarts;

    public EmulatorTurnServer(string secret, HashAlgorithmName algorithm, IPAddress address, int maxAllocations, TimeProvider time, ILogger logger)
    {
        _secret = Encoding.UTF8.GetBytes(secret);
        _algorithm = algorithm;
        _address = address;
        _maxAllocations = maxAllocations;
        _time = time;
        _logger = logger;
    }

    /// <summary>Where the server listens (valid after <see cref="Start"/>).</summary>
    public IPEndPoint EndPoint { get; private set; } = new(IPAddress.Loopback, 0);

    /// <summary>The URI GetIceServerConfig hands out.</summary>
    public string Uri => string.Create(CultureInfo.InvariantCulture, $"turn:{_address}:{EndPoint.Port}?transport=udp");

    public int AllocationCount
    {
        get
        {
            lock (_gate)
            {
                return _allocations.Count;
            }
        }
    }

    public long MalformedDropped => Interlocked.Read(ref _malformed);

    public long Unauthorized => Interlocked.Read(ref _unauthorized);

    public long AllocationsCreated => Interlocked.Read(ref _allocationsCreated);

    public long RelayedDatagrams => Interlocked.Read(ref _relayed);

    public int Restarts => Volatile.Read(ref _restarts);

    /// <summary>Binds the listening socket (port 0 picks one) and starts receiving.</summary>
    public void Start(int port = 0)
    {
        var socket = new Socket(_address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(new IPEndPoint(_address, port));
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _socket = socket;
        EndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _stop = new CancellationTokenSource();
        _receiveLoop = ReceiveLoopAsync(socket, _stop.Token);
        if (_logger.IsEnabled(LogLevel.Information))
        {
            Log.Listening(_logger, Uri);
        }
    }

    /// <summary>Drops every allocation, closes the socket and binds the same port again with a new nonce.</summary>
    public async Task RestartAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _nonce = NewNonce();
        Interlocked.Increment(ref _restarts);
        var port = EndPoint.Port;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                Start(port);
                return;
            }
            catch (SocketException) when (attempt < 20)
            {
                await Task.Delay(50).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket?.Dispose();
        _socket = null;
        List<Allocation> dropped;
        lock (_gate)
        {
            dropped = [.. _allocations.Values];
            _allocations.Clear();
        }

        foreach (var allocation in dropped)
        {
            allocation.Dispose();
        }

        try
        {
            await _receiveLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task ReceiveLoopAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[65536];
        EndPoint any = new IPEndPoint(_address.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // ICMP port unreachable from an earlier send surfaces here on some platforms.
            }

            var client = (IPEndPoint)received.RemoteEndPoint;
            try
            {
                var reply = Handle(buffer.AsSpan(0, received.ReceivedBytes), client);
                if (reply is not null)
                {
                    await SendAsync(socket, reply, client).ConfigureAwait(false);
                }
            }
#pragma warning disable CA1031 // Malformed input is dropped and counted; the server never stops on one datagram.
            catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
            {
                Interlocked.Increment(ref _malformed);
            }
        }
    }

    private static async Task SendAsync(Socket socket, byte[] datagram, IPEndPoint to)
    {
        try
        {
            await socket.SendToAsync(datagram, SocketFlags.None, to).ConfigureAwait(false);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Handles one datagram from a client; returns the reply to send, if any.</summary>
    internal byte[]? Handle(ReadOnlySpan<byte> datagram, IPEndPoint client)
    {
        var now = _time.GetUtcNow();
        Sweep(now);
        if (TurnWire.IsChannelData(datagram))
        {
            HandleChannelData(datagram, client, now);
            return null;
        }

        if (!TurnWire.Message.TryParse(datagram, out var message))
        {
            Interlocked.Increment(ref _malformed);
            return null;
        }

        if (message!.Class == TurnWire.Indication)
        {
            if (message.Method == TurnWire.Send)
            {
                HandleSend(message, client, now);
            }

            return null;
        }

        if (message.Class != TurnWire.Request)
        {
            Interlocked.Increment(ref _malformed);
            return null;
        }

        if (message.Method == TurnWire.Binding)
        {
            return new TurnWire.Writer(TurnWire.Binding, TurnWire.Success, message.TransactionId)
                .AddXorAddress(TurnWire.AttrXorMappedAddress, client).Finish();
        }

        if (message.Method is not (TurnWire.Allocate or TurnWire.Refresh or TurnWire.CreatePermission or TurnWire.ChannelBind))
        {
            return ErrorReply(message, 400, "Bad Request", null);
        }

        // Long-term credentials (RFC 8489 §9.2): challenge, then verify.
        var username = message.GetString(TurnWire.AttrUsername);
        var nonce = message.GetString(TurnWire.AttrNonce);
        if (!message.Has(TurnWire.AttrMessageIntegrity) || username is null || nonce is null || message.GetString(TurnWire.AttrRealm) is null)
        {
            Interlocked.Increment(ref _unauthorized);
            return Challenge(message, 401, "Unauthorized");
        }

        if (!string.Equals(nonce, _nonce, StringComparison.Ordinal))
        {
            return Challenge(message, 438, "Stale Nonce");
        }

        // An expired username is refused when it asks for a new allocation; an existing allocation may be refreshed
        // and extended with the credential it was created with (see docs/soak.md on why this is lenient).
        if (!TryGetKey(username, message.Method == TurnWire.Allocate ? now : null, out var key) || !message.VerifyIntegrity(key))
        {
            Interlocked.Increment(ref _unauthorized);
            return Challenge(message, 401, "Unauthorized");
        }

        lock (_gate)
        {
            _allocations.TryGetValue(client, out var allocation);
            if (message.Method == TurnWire.Allocate)
            {
                return HandleAllocate(message, client, username, key, allocation, now);
            }

            if (allocation is null)
            {
                return ErrorReply(message, 437, "Allocation Mismatch", key);
            }

            if (!string.Equals(allocation.Username, username, StringComparison.Ordinal))
            {
                return ErrorReply(message, 441, "Wrong Credentials", key);
            }

            return message.Method switch
            {
                TurnWire.Refresh => HandleRefresh(message, client, allocation, key, now),
                TurnWire.CreatePermission => HandleCreatePermission(message, allocation, key, now),
                _ => HandleChannelBind(message, allocation, key, now),
            };
        }
    }

    private byte[] HandleAllocate(TurnWire.Message message, IPEndPoint client, string username, byte[] key, Allocation? existing, DateTimeOffset now)
    {
        if (existing is not null)
        {
            if (existing.AllocateTransaction.AsSpan().SequenceEqual(message.TransactionId))
            {
                return AllocateSuccess(message, client, existing, key, now); // a retransmission
            }

            return ErrorReply(message, 437, "Allocation Mismatch", key);
        }

        var transport = message.Get(TurnWire.AttrRequestedTransport);
        if (transport.Length != 4)
        {
            return ErrorReply(message, 400, "Bad Request", key);
        }

        if (transport[0] != 17)
        {
            return ErrorReply(message, 442, "Unsupported Transport Protocol", key);
        }

        if (_allocations.Count >= _maxAllocations)
        {
            return ErrorReply(message, 486, "Allocation Quota Reached", key);
        }

        var relay = new Socket(_address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        relay.Bind(new IPEndPoint(_address, 0));
        var allocation = new Allocation(this, client, username, message.TransactionId, relay)
        {
            Expires = now + RequestedLifetime(message),
        };
        _allocations[client] = allocation;
        Interlocked.Increment(ref _allocationsCreated);
        allocation.StartRelay();
        return AllocateSuccess(message, client, allocation, key, now);
    }

    private static byte[] AllocateSuccess(TurnWire.Message message, IPEndPoint client, Allocation allocation, byte[] key, DateTimeOffset now) =>
        new TurnWire.Writer(TurnWire.Allocate, TurnWire.Success, message.TransactionId)
            .AddXorAddress(TurnWire.AttrXorRelayedAddress, allocation.RelayEndPoint)
            .AddUInt32(TurnWire.AttrLifetime, (uint)Math.Max(0, (allocation.Expires - now).TotalSeconds))
            .AddXorAddress(TurnWire.AttrXorMappedAddress, client)
            .Finish(key);

    private byte[] HandleRefresh(TurnWire.Message message, IPEndPoint client, Allocation allocation, byte[] key, DateTimeOffset now)
    {
        var lifetime = RequestedLifetime(message);
        if (lifetime == TimeSpan.Zero)
        {
            _allocations.Remove(client);
            allocation.Dispose();
        }
        else
        {
            allocation.Expires = now + lifetime;
        }

        return new TurnWire.Writer(TurnWire.Refresh, TurnWire.Success, message.TransactionId)
            .AddUInt32(TurnWire.AttrLifetime, (uint)lifetime.TotalSeconds).Finish(key);
    }

    private static byte[] HandleCreatePermission(TurnWire.Message message, Allocation allocation, byte[] key, DateTimeOffset now)
    {
        var peers = message.GetXorAddresses(TurnWire.AttrXorPeerAddress);
        if (peers is null || peers.Count == 0)
        {
            return ErrorReply(message, 400, "Bad Request", key);
        }

        if (peers.Exists(p => p.AddressFamily != allocation.RelayEndPoint.AddressFamily))
        {
            return ErrorReply(message, 443, "Peer Address Family Mismatch", key);
        }

        foreach (var peer in peers)
        {
            allocation.Permissions[peer.Address] = now + s_permissionLifetime;
        }

        return new TurnWire.Writer(TurnWire.CreatePermission, TurnWire.Success, message.TransactionId).Finish(key);
    }

    private static byte[] HandleChannelBind(TurnWire.Message message, Allocation allocation, byte[] key, DateTimeOffset now)
    {
        var peers = message.GetXorAddresses(TurnWire.AttrXorPeerAddress);
        if (!message.TryGetUInt32(TurnWire.AttrChannelNumber, out var raw) || peers is not { Count: 1 })
        {
            return ErrorReply(message, 400, "Bad Request", key);
        }

        var channel = (ushort)(raw >> 16);
        var peer = peers[0];
        if (channel is < 0x4000 or > 0x4FFF || peer.AddressFamily != allocation.RelayEndPoint.AddressFamily)
        {
            return ErrorReply(message, 400, "Bad Request", key);
        }

        // A channel is bound to one peer and a peer to one channel (RFC 8656 §11.2).
        if ((allocation.Channels.TryGetValue(channel, out var bound) && !bound.Peer.Equals(peer))
            || allocation.Channels.Any(c => c.Key != channel && c.Value.Peer.Equals(peer)))
        {
            return ErrorReply(message, 400, "Bad Request", key);
        }

        allocation.Channels[channel] = (peer, now + s_channelLifetime);
        allocation.Permissions[peer.Address] = now + s_permissionLifetime;
        return new TurnWire.Writer(TurnWire.ChannelBind, TurnWire.Success, message.TransactionId).Finish(key);
    }

    private void HandleSend(TurnWire.Message message, IPEndPoint client, DateTimeOffset now)
    {
        var peers = message.GetXorAddresses(TurnWire.AttrXorPeerAddress);
        if (peers is not { Count: 1 } || !message.Has(TurnWire.AttrData))
        {
            Interlocked.Increment(ref _malformed);
            return;
        }

        Allocation? allocation;
        lock (_gate)
        {
            if (!_allocations.TryGetValue(client, out allocation) || !allocation.HasPermission(peers[0].Address, now))
            {
                return;
            }
        }

        allocation.Relay(message.Get(TurnWire.AttrData).ToArray(), peers[0]);
    }

    private void HandleChannelData(ReadOnlySpan<byte> datagram, IPEndPoint client, DateTimeOffset now)
    {
        var channel = BinaryPrimitives.ReadUInt16BigEndian(datagram);
        var length = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        if (channel > 0x4FFF || 4 + length > datagram.Length)
        {
            Interlocked.Increment(ref _malformed);
            return;
        }

        Allocation? allocation;
        IPEndPoint peer;
        lock (_gate)
        {
            if (!_allocations.TryGetValue(client, out allocation) || !allocation.Channels.TryGetValue(channel, out var binding) || binding.Expires <= now)
            {
                return;
            }

            peer = binding.Peer;
            if (!allocation.HasPermission(peer.Address, now))
            {
                return;
            }
        }

        allocation.Relay(datagram.Slice(4, length).ToArray(), peer);
    }

    /// <summary>From a peer to the relay address: ChannelData when a channel is bound, else a Data indication.</summary>
    private void OnPeerDatagram(Allocation allocation, ReadOnlySpan<byte> data, IPEndPoint peer)
    {
        var now = _time.GetUtcNow();
        byte[] message;
        Socket? socket;
        lock (_gate)
        {
            socket = _socket;
            if (socket is null || allocation.Expires <= now || !allocation.HasPermission(peer.Address, now))
            {
                return;
            }

            var channel = allocation.Channels.FirstOrDefault(c => c.Value.Peer.Equals(peer) && c.Value.Expires > now).Key;
            message = channel != 0
                ? TurnWire.ChannelData(channel, data)
                : new TurnWire.Writer(TurnWire.Data, TurnWire.Indication, RandomNumberGenerator.GetBytes(12))
                    .AddXorAddress(TurnWire.AttrXorPeerAddress, peer).Add(TurnWire.AttrData, data).Finish();
        }

        Interlocked.Increment(ref _relayed);
        _ = SendAsync(socket, message, allocation.Client);
    }

    private void Sweep(DateTimeOffset now)
    {
        List<Allocation>? expired = null;
        lock (_gate)
        {
            foreach (var allocation in _allocations.Values)
            {
                if (allocation.Expires <= now)
                {
                    (expired ??= []).Add(allocation);
                }
            }

            if (expired is not null)
            {
                foreach (var allocation in expired)
                {
                    _allocations.Remove(allocation.Client);
                }
            }
        }

        expired?.ForEach(a => a.Dispose());
    }

    /// <summary>The long-term key MD5(username:realm:password); false when the minted username expired before <paramref name="now"/> (null: not checked).</summary>
    private bool TryGetKey(string username, DateTimeOffset? now, out byte[] key)
    {
        key = [];
        var colon = username.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !long.TryParse(username.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var expiry)
            || (now is { } at && expiry <= at.ToUnixTimeSeconds()))
        {
            return false;
        }

        var data = Encoding.UTF8.GetBytes(username);
#pragma warning disable CA5350, CA5351 // coturn's use-auth-secret HMAC and the RFC 8489 long-term key (MD5) are interop, not protection.
        var mac = _algorithm == HashAlgorithmName.SHA256 ? HMACSHA256.HashData(_secret, data) : HMACSHA1.HashData(_secret, data);
        key = MD5.HashData(Encoding.UTF8.GetBytes(username + ":" + Realm + ":" + Convert.ToBase64String(mac)));
#pragma warning restore CA5350, CA5351
        return true;
    }

    private static TimeSpan RequestedLifetime(TurnWire.Message message)
    {
        if (!message.TryGetUInt32(TurnWire.AttrLifetime, out var seconds))
        {
            return s_defaultLifetime;
        }

        if (seconds == 0)
        {
            return TimeSpan.Zero;
        }

        var requested = TimeSpan.FromSeconds(seconds);
        return requested < s_defaultLifetime ? s_defaultLifetime : requested > s_maxLifetime ? s_maxLifetime : requested;
    }

    private byte[] Challenge(TurnWire.Message message, int code, string reason) =>
        new TurnWire.Writer(message.Method, TurnWire.Error, message.TransactionId)
            .AddError(code, reason).AddString(TurnWire.AttrRealm, Realm).AddString(TurnWire.AttrNonce, _nonce).Finish();

    private static byte[] ErrorReply(TurnWire.Message message, int code, string reason, byte[]? key) =>
        new TurnWire.Writer(message.Method, TurnWire.Error, message.TransactionId).AddError(code, reason).Finish(key);

    private static string NewNonce() => Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant();

    /// <summary>One allocation: its client 5-tuple, relay socket, permissions and channels.</summary>
    private sealed class Allocation : IDisposable
    {
        private readonly EmulatorTurnServer _server;
        private readonly Socket _relay;
        private readonly CancellationTokenSource _stop = new();

        public Allocation(EmulatorTurnServer server, IPEndPoint client, string username, byte[] allocateTransaction, Socket relay)
        {
            _server = server;
            Client = client;
            Username = username;
            AllocateTransaction = allocateTransaction;
            _relay = relay;
            RelayEndPoint = (IPEndPoint)relay.LocalEndPoint!;
        }

        public IPEndPoint Client { get; }

        public string Username { get; }

        public byte[] AllocateTransaction { get; }

        public IPEndPoint RelayEndPoint { get; }

        public DateTimeOffset Expires { get; set; }

        public Dictionary<IPAddress, DateTimeOffset> Permissions { get; } = [];

        public Dictionary<ushort, (IPEndPoint Peer, DateTimeOffset Expires)> Channels { get; } = [];

        public bool HasPermission(IPAddress peer, DateTimeOffset now) => Permissions.TryGetValue(peer, out var until) && until > now;

        public void StartRelay() => _ = ReceiveAsync();

        public void Relay(byte[] data, IPEndPoint peer)
        {
            Interlocked.Increment(ref _server._relayed);
            _ = SendAsync(_relay, data, peer);
        }

        public void Dispose()
        {
            _stop.Cancel();
            _relay.Dispose();
            _stop.Dispose();
        }

        private async Task ReceiveAsync()
        {
            var buffer = new byte[65536];
            EndPoint any = new IPEndPoint(RelayEndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
            var token = _stop.Token;
            while (!token.IsCancellationRequested)
            {
                try
                {
                    var received = await _relay.ReceiveFromAsync(buffer, SocketFlags.None, any, token).ConfigureAwait(false);
                    _server.OnPeerDatagram(this, buffer.AsSpan(0, received.ReceivedBytes), (IPEndPoint)received.RemoteEndPoint);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
                catch (SocketException)
                {
                    // ICMP unreachable from an earlier send; keep receiving.
                }
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8101, Level = LogLevel.Information, Message = "KVS emulator TURN server listening on {Uri}")]
        public static partial void Listening(ILogger logger, string uri);
    }
}
