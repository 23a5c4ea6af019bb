using System.Buffers;
using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.PeerConnection.Dtls;
using Kvs.WebRtc.PeerConnection.Ice;
using Kvs.WebRtc.PeerConnection.Sctp;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.PeerConnection.Transport;

/// <summary>
/// Composes the data path of one peer connection: <see cref="IceTransport"/> (datagrams of the selected pair) →
/// <see cref="DtlsConnection"/> → <see cref="SctpAssociation"/> → <see cref="DataChannelManager"/>.
/// </summary>
/// <remarks>
/// <para>Concurrency: the connection's <see cref="ConnectionLoop"/> owns DTLS, SCTP, the channel manager, the SRTP
/// receive context and the transport-wide feedback generator. A received datagram enters the loop from the ICE socket
/// thread and is processed inline when the loop is idle (decrypt → SCTP → queue user events, or unprotect → media
/// receiver); otherwise it is copied and queued, and the thread that owns the loop runs it. The resulting packets are
/// sealed and sent from the loop. User data-channel sends post one coalesced flush (inline when idle); API calls that
/// need a result wait for the loop (<see cref="ConnectionLoop.Enter"/>). Timers go through one
/// <see cref="TimeProvider"/> timer re-armed from the cores' next deadlines (armed only when a deadline moves earlier,
/// so the hot path does not touch the timer); it posts a tick to the loop. The SRTP send side and the pacer keep short
/// locks of their own, taken inside the loop or by frame writers, never waiting for the loop. User callbacks run on the
/// <see cref="SerialDispatcher"/>.</para>
/// <para>Buffers: datagrams are rented from <see cref="ArrayPool{T}.Shared"/> and returned as soon as the socket
/// accepted them; nothing is allocated per packet on the send and receive paths of this class.</para>
/// </remarks>
internal sealed partial class PeerConnectionTransport : IAsyncDisposable
{
    private const int MaxEarlyDatagrams = 32;
    private const int DatagramBufferSize = 2048;

    // The SCTP receive window bounds what the peer keeps in flight towards us; it must stay below what the ICE socket
    // can queue (IceTransportOptions.SocketReceiveBufferSize: 4 MiB requested, the Linux default is ~208 KiB; the kernel
    // caps it at net.core.rmem_max), or bursts overflow it and every drop costs a retransmission and a congestion-window
    // cut. The association accepts chunks beyond the window only
    // for the next in-order TSN, so the window must also clearly exceed the largest message (256 KiB).
    private const int ReceiveWindow = 512 * 1024;

    private readonly ConnectionLoop _loop;
    private readonly DtlsCertificate _certificate;
    private readonly TimeProvider _timeProvider;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly SerialDispatcher _dispatcher;
    private readonly long _start;
    private readonly ITimer _timer;
    private readonly byte[] _receiveScratch = new byte[DtlsConnection.MaxApplicationDataLength];
    private readonly byte[] _sctpScratch = new byte[DatagramBufferSize];
    private readonly Queue<byte[]> _early = new();
    private IceTransport? _ice;
    private DtlsConnection? _dtls;
    private DataChannelManager? _manager;
    private bool _managerIsDtlsClient;
    private bool _iceUsable;
    private bool _dtlsStarted;
    private DtlsState _reportedDtlsState = DtlsState.New;
    private int? _remoteMaxMessageSize;
    private ushort _remoteSctpPort = 5000;
    private TimeSpan? _armed;
    private int _flushQueued;
    private volatile bool _closed;

    private long _bytesSent;
    private long _bytesReceived;
    private long _packetsSent;
    private long _packetsReceived;

    public PeerConnectionTransport(DtlsCertificate certificate, TimeProvider timeProvider, ILoggerFactory loggerFactory, SerialDispatcher dispatcher)
    {
        _certificate = certificate;
        _timeProvider = timeProvider;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<PeerConnectionTransport>();
        _dispatcher = dispatcher;
        _start = timeProvider.GetTimestamp();
        _loop = new ConnectionLoop(OnLoopDatagram, loggerFactory.CreateLogger<ConnectionLoop>());
        _timer = timeProvider.CreateTimer(static state => ((PeerConnectionTransport)state!).PostTimerTick(), this, Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
    }

    /// <summary>Received datagrams the connection loop dropped because its queue was full.</summary>
    public long LoopDroppedInputs => _loop.DroppedInputs;

    /// <summary>The connection's serial executor (tests hold it to make the loop busy; diagnostics read its queue).</summary>
    internal ConnectionLoop Loop => _loop;

    /// <summary>The DTLS state changed; raised on the dispatcher.</summary>
    public event Action<DtlsState, DtlsException?>? DtlsStateChanged;

    /// <summary>The peer opened a channel with DATA_CHANNEL_OPEN; raised on the dispatcher.</summary>
    public event Action<RTCDataChannel>? DataChannelAnnounced;

    /// <summary>The SCTP association ended; raised on the dispatcher.</summary>
    public event Action<string>? AssociationClosed;

    /// <summary>The SCTP association is established (the argument: how many channels it can carry); raised on the dispatcher.</summary>
    public event Action<int>? AssociationConnected;

    /// <summary>The peer's DTLS certificate (DER), empty until the handshake received it.</summary>
    public ReadOnlyMemory<byte> RemoteCertificate
    {
        get
        {
            using (_loop.Enter())
            {
                return _dtls?.RemoteCertificate ?? default;
            }
        }
    }

    /// <summary>The ICE transport, once attached.</summary>
    public IceTransport? Ice => _ice;

    private TimeSpan Now => _timeProvider.GetElapsedTime(_start);

    /// <summary>Attaches the ICE transport: its application datagrams now feed DTLS.</summary>
    public void AttachIce(IceTransport ice)
    {
        using (_loop.Enter())
        {
            _ice = ice;
        }

        ice.DataReceiver = OnIceDatagram;
    }

    /// <summary>ICE has a usable pair (or lost it); a DTLS client starts its handshake on the first usable pair.</summary>
    public void SetIceUsable(bool usable)
    {
        using (_loop.Enter())
        {
            _iceUsable = usable;
            if (usable && _dtls is not null && !_closed)
            {
                var now = Now;
                MaybeStartDtlsLocked(now);
                AfterDtlsInputLocked(now);
            }
        }
    }

    /// <summary>
    /// Returns the channel manager, creating the SCTP association on first use. <paramref name="isDtlsClientGuess"/>
    /// chooses the stream-id parity when the DTLS role is not known yet (RFC 8832 §6).
    /// </summary>
    public DataChannelManager GetOrCreateManager(bool isDtlsClientGuess)
    {
        using (_loop.Enter())
        {
            return EnsureManagerLocked(isDtlsClientGuess);
        }
    }

    /// <summary>The channel manager, or null when no channel was created and DTLS is not configured yet.</summary>
    public DataChannelManager? Manager
    {
        get
        {
            using (_loop.Enter())
            {
                return _manager;
            }
        }
    }

    /// <summary>ICE failed for good: abort the association so every channel closes now, not after SCTP's own timeouts.</summary>
    public void AbortAssociation(string reason)
    {
        var manager = Manager;
        if (manager is not null && !manager.Association.IsTerminated)
        {
            manager.Abort(reason);
        }
    }

    /// <summary>
    /// Sets the DTLS role and the peer's fingerprints once the remote description is known. Later calls (renegotiation)
    /// only replace the fingerprints.
    /// </summary>
    public void ConfigureDtls(DtlsRole role, IReadOnlyList<DtlsFingerprint> remoteFingerprints, int? remoteMaxMessageSize, ushort remoteSctpPort = 5000,
        bool startSctp = true)
    {
        using (_loop.Enter())
        {
            if (_closed)
            {
                return;
            }

            _remoteMaxMessageSize = remoteMaxMessageSize;
            _remoteSctpPort = remoteSctpPort;
            if (_manager is { IsAttached: true } existing && existing.Association.State == SctpAssociationState.Closed)
            {
                existing.Association.RemotePort = remoteSctpPort;
            }
            var now = Now;
            if (_dtls is not null)
            {
                _dtls.SetRemoteFingerprints(remoteFingerprints);
                AfterDtlsInputLocked(now);
                return;
            }

            _dtls = new DtlsConnection(role, _certificate, remoteFingerprints);
            if (startSctp)
            {
                EnsureManagerLocked(role == DtlsRole.Client);
            }

            if (_manager is not null && _managerIsDtlsClient != (role == DtlsRole.Client))
            {
                // The manager fixes its stream-id parity at creation (channels created before negotiation guessed the
                // DTLS server role, as browsers answer with setup:active). Logged: in-band ids may collide.
                Log.ParityGuessWrong(_logger, role);
            }

            MaybeStartDtlsLocked(now);
            Log.DtlsConfigured(_logger, role, _early.Count);
            while (_early.TryDequeue(out var datagram))
            {
                FeedDtlsLocked(datagram, now);
            }

            AfterDtlsInputLocked(now);
        }
    }

    /// <summary>A snapshot of the transport counters.</summary>
    public TransportSnapshot GetSnapshot()
    {
        using (_loop.Enter())
        {
            var sctp = _manager?.Association;
            return new TransportSnapshot(
                _bytesSent,
                _bytesReceived,
                _packetsSent,
                _packetsReceived,
                _dtls?.State ?? DtlsState.New,
                _dtls?.Role,
                _dtls?.CipherSuite,
                sctp?.State,
                sctp?.Statistics.PacketsSent ?? 0,
                sctp?.Statistics.PacketsReceived ?? 0,
                sctp?.Statistics.DataChunksSent ?? 0,
                sctp?.Statistics.DataChunksReceived ?? 0,
                sctp?.Statistics.MessagesReceived ?? 0,
                sctp?.Statistics.Retransmissions ?? 0,
                sctp?.Statistics.FastRetransmits ?? 0,
                sctp?.Statistics.T3Expirations ?? 0,
                sctp?.SmoothedRtt ?? TimeSpan.Zero,
                sctp?.Rto ?? TimeSpan.Zero,
                sctp?.CongestionWindow ?? 0,
                _dtls?.SrtpProfile);
        }
    }

    /// <summary>Aborts the association, sends close_notify and stops processing (W3C <c>close()</c>).</summary>
    public void Close()
    {
        DataChannelManager? manager;
        using (_loop.Enter())
        {
            if (_closed)
            {
                return;
            }

            manager = _manager;
        }

        // Outside our lock: the manager re-enters through TransmitReady, which flushes the ABORT.
        if (manager is not null && _dtls?.State == DtlsState.Connected)
        {
            manager.Abort("The peer connection was closed.");
        }

        using (_loop.Enter())
        {
            _closed = true;
            if (_dtls is { } dtls && dtls.State is DtlsState.Connected or DtlsState.Connecting)
            {
                dtls.Close();
                FlushDtlsLocked();
            }
        }

        // Channels still open (no association yet) close locally.
        if (manager is not null && _dtls?.State != DtlsState.Connected)
        {
            manager.Abort("The peer connection was closed.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Close();
        await _timer.DisposeAsync().ConfigureAwait(false);
        DisposeTransportFeedback();
        DisposePacer();
        using (_loop.Enter())
        {
            _dtls?.Dispose();
        }

        DisposeSrtp();
        _loop.Close();
    }

    private DataChannelManager EnsureManagerLocked(bool isDtlsClient)
    {
        if (_manager is not null)
        {
            return _manager;
        }

        // Received messages keep their window bytes until the application's handler has run: a slow application
        // shrinks the advertised window and the peer slows down (nothing is dropped, memory stays bounded).
        var options = new SctpAssociationOptions { ReceiveWindow = ReceiveWindow, HoldPolledMessages = true };
        var association = new SctpAssociation(options, Now, _loggerFactory.CreateLogger<SctpAssociation>())
        {
            RemotePort = _remoteSctpPort, // the peer's a=sctp-port (RFC 8841 section 5)
        };
        var manager = new DataChannelManager(association, isDtlsClient, () => Now, _loggerFactory.CreateLogger<DataChannelManager>(), _dispatcher.Post)
        {
            FlowControlledDispatcher = _dispatcher.TryPost,
        };
        _dispatcher.SpaceAvailable += manager.ResumeDelivery;
        manager.TransmitReady += OnTransmitReady;
        manager.ChannelAnnounced += channel => DataChannelAnnounced?.Invoke(channel);
        manager.AssociationClosed += reason => AssociationClosed?.Invoke(reason);
        manager.AssociationConnected += channels => AssociationConnected?.Invoke(channels);
        _managerIsDtlsClient = isDtlsClient;
        _manager = manager;
        return manager;
    }

    private void MaybeStartDtlsLocked(TimeSpan now)
    {
        if (_dtlsStarted || _dtls is null)
        {
            return;
        }

        // The server just waits (Start is a no-op for it); the client sends its ClientHello once ICE can carry it.
        if (_dtls.Role == DtlsRole.Server || _iceUsable)
        {
            _dtls.Start(now);
            _dtlsStarted = true;
        }
    }

    // The socket's receive thread: every datagram of the selected pair enters the connection loop (inline when idle).
    private void OnIceDatagram(ReadOnlySpan<byte> datagram) => _loop.PostDatagram(datagram);

    // On the loop: one received datagram.
    private void OnLoopDatagram(ReadOnlySpan<byte> datagram)
    {
        // RFC 7983: 128..191 is RTP/RTCP (SRTP).
        if (datagram.Length > 0 && datagram[0] is >= 128 and <= 191)
        {
            OnMediaDatagram(datagram);
            return;
        }

        Interlocked.Increment(ref _packetsReceived);
        Interlocked.Add(ref _bytesReceived, datagram.Length);
        if (_closed)
        {
            return;
        }

        if (_dtls is null)
        {
            // DTLS data before our role is known (the answer has not arrived yet): keep a few for replay.
            if (_early.Count < MaxEarlyDatagrams)
            {
                _early.Enqueue(datagram.ToArray());
            }

            Log.EarlyDatagram(_logger, datagram.Length, _early.Count);

            return;
        }

        var now = Now;
        FeedDtlsLocked(datagram, now);
        if (_reportedDtlsState != DtlsState.Connected)
        {
            Log.HandshakeDatagram(_logger, datagram.Length, datagram[0], _dtls.State, _dtls.DroppedRecords, _dtls.PendingTransmitCount);
        }

        AfterDtlsInputLocked(now);
    }

    private void FeedDtlsLocked(ReadOnlySpan<byte> datagram, TimeSpan now)
    {
        _dtls!.HandleInput(datagram, now);
    }

    private void PostTimerTick() => _loop.Post(static transport => transport.OnTimer(), this);

    // On the loop: the transport timer fired.
    private void OnTimer()
    {
        _armed = null;
        if (_closed)
        {
            return;
        }

        var now = Now;
        _dtls?.HandleTimeout(now);
        _manager?.HandleTimeout(now);
        if (_dtls is not null)
        {
            AfterDtlsInputLocked(now);
        }
        else
        {
            RearmLocked(now);
        }
    }

    // The data-channel manager queued something to send. On the loop's thread (the manager re-entered from a core call)
    // it is flushed at once; from a user thread one flush command is queued (coalesced: one pending at a time), which
    // runs inline when the loop is idle.
    private void OnTransmitReady()
    {
        if (_loop.IsOwnedByCurrentThread)
        {
            FlushIfConnected();
            return;
        }

        if (Interlocked.Exchange(ref _flushQueued, 1) == 0 && !_loop.Post(static transport => transport.OnFlushCommand(), this))
        {
            Volatile.Write(ref _flushQueued, 0);
        }
    }

    private void OnFlushCommand()
    {
        Volatile.Write(ref _flushQueued, 0);
        FlushIfConnected();
    }

    private void FlushIfConnected()
    {
        if (_dtls is { State: DtlsState.Connected } && !_closed)
        {
            FlushLocked(Now);
        }
    }

    private void AfterDtlsInputLocked(TimeSpan now)
    {
        var dtls = _dtls!;
        var state = dtls.State;
        if (state != _reportedDtlsState)
        {
            _reportedDtlsState = state;
            if (state == DtlsState.Connected)
            {
                StartSrtpLocked(dtls);
            }

            if (state == DtlsState.Connected && _manager is { } manager)
            {
                if (_remoteMaxMessageSize is { } max)
                {
                    manager.Association.MaxSendMessageSize = max;
                }

                manager.Connect(now);
            }

            var failure = dtls.Failure;
            Log.DtlsState(_logger, state);
            _dispatcher.Post(() => DtlsStateChanged?.Invoke(state, failure));
            if (state is DtlsState.Closed or DtlsState.Failed && _manager is { } m && !m.Association.IsTerminated)
            {
                // The peer closed DTLS (close_notify) or it failed: the association cannot continue.
                _dispatcher.Post(() => m.Abort("DTLS " + state));
            }
        }

        if (state == DtlsState.Connected && _manager is { } mgr)
        {
            while (dtls.TryReadApplicationData(_receiveScratch, out var length))
            {
                mgr.HandleInput(_receiveScratch.AsSpan(0, length), now);
            }
        }

        FlushLocked(now);
    }

    private void FlushLocked(TimeSpan now)
    {
        FlushDtlsLocked();
        if (_dtls is { State: DtlsState.Connected } dtls && _manager is { } manager && _ice is not null)
        {
            var overhead = dtls.RecordOverhead;
            while (manager.TryPollTransmit(_sctpScratch, now, out var length))
            {
                var buffer = ArrayPool<byte>.Shared.Rent(length + overhead);
                if (!dtls.TrySealApplicationData(_sctpScratch.AsSpan(0, length), buffer, out var written))
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    break;
                }

                SendDatagram(buffer, written);
            }
        }

        RearmLocked(now);
    }

    private void FlushDtlsLocked()
    {
        if (_dtls is not { } dtls)
        {
            return;
        }

        while (dtls.PendingTransmitCount > 0)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(DatagramBufferSize);
            bool polled;
            int length;
            try
            {
                polled = dtls.TryPollTransmit(buffer, Now, out length);
            }
            catch (ArgumentException)
            {
                // A datagram larger than our buffer (cannot happen with the MTU we configure): drop it.
                ArrayPool<byte>.Shared.Return(buffer);
                continue;
            }

            if (!polled)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                break;
            }

            if (_ice is null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                continue;
            }

            SendDatagram(buffer, length);
        }
    }

    private void SendDatagram(byte[] buffer, int length)
    {
        Interlocked.Increment(ref _packetsSent);
        Interlocked.Add(ref _bytesSent, length);
        ValueTask pending;
        try
        {
            pending = _ice!.SendAsync(buffer.AsMemory(0, length));
        }
        catch (ObjectDisposedException)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return;
        }

        if (pending.IsCompleted)
        {
            try
            {
                pending.GetAwaiter().GetResult();
            }
#pragma warning disable CA1031 // A failed UDP send is a lost datagram: DTLS and SCTP retransmit.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.SendFailed(_logger, ex.GetType().Name);
            }

            ArrayPool<byte>.Shared.Return(buffer);
            return;
        }

        _ = ReturnWhenSentAsync(pending, buffer);
    }

    private async Task ReturnWhenSentAsync(ValueTask pending, byte[] buffer)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A failed UDP send is a lost datagram: DTLS and SCTP retransmit.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.SendFailed(_logger, ex.GetType().Name);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void RearmLocked(TimeSpan now)
    {
        var next = _dtls?.NextTimeout;
        if (_manager?.NextTimeout is { } sctp && (next is null || sctp < next.Value))
        {
            next = sctp;
        }

        if (next is not { } deadline || _closed)
        {
            return;
        }

        // Only move the timer earlier; a timer that fires early re-arms from the real deadlines.
        if (_armed is { } armed && armed <= deadline)
        {
            return;
        }

        _armed = deadline;
        var due = deadline - now;
        _timer.Change(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    private static partial class Log
    {
        [LoggerMessage(5101, LogLevel.Debug, "DTLS state {State}")]
        public static partial void DtlsState(ILogger logger, DtlsState state);

        [LoggerMessage(5102, LogLevel.Debug, "Datagram send failed: {Error}")]
        public static partial void SendFailed(ILogger logger, string error);

        [LoggerMessage(5104, LogLevel.Debug, "DTLS datagram ({Length} bytes) before the DTLS role is known; {Count} buffered")]
        public static partial void EarlyDatagram(ILogger logger, int length, int count);

        [LoggerMessage(5105, LogLevel.Debug, "DTLS configured as {Role}; replaying {Count} early datagrams")]
        public static partial void DtlsConfigured(ILogger logger, DtlsRole role, int count);

        [LoggerMessage(5106, LogLevel.Debug, "Handshake datagram {Length} bytes (first byte {First}): state {State}, dropped records {Dropped}, pending transmits {Pending}")]
        public static partial void HandshakeDatagram(ILogger logger, int length, byte first, DtlsState state, long dropped, int pending);

        [LoggerMessage(5103, LogLevel.Warning, "Data channels were created before the DTLS role was known and assumed the other role ({Role}); in-band stream ids may collide")]
        public static partial void ParityGuessWrong(ILogger logger, DtlsRole role);
    }
}
