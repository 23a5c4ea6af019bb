using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>
/// A sans-IO SCTP association for WebRTC data channels (RFC 9260 subset, RFC 8261 SCTP over DTLS, RFC 3758
/// partial reliability, RFC 6525 stream reset). It consumes and produces whole SCTP packets (each the payload of one
/// DTLS record); it owns no socket, task or timer.
/// </summary>
/// <remarks>
/// <para>Not thread-safe: one caller (the connection loop, or a caller holding a lock) drives it.
/// After every input (<see cref="HandleInput"/>, <see cref="HandleTimeout"/>, <see cref="Send"/>, <see cref="Connect"/>,
/// <see cref="ResetStreams"/>, <see cref="Shutdown"/>, <see cref="Abort"/>, <see cref="TryPollEvent"/>) the driver drains
/// <see cref="TryPollTransmit"/> until it returns false, drains <see cref="TryPollEvent"/>, and re-arms its timer
/// from <see cref="NextTimeout"/>.</para>
/// <para>Time is a monotonic <see cref="TimeSpan"/> from an arbitrary origin, passed into every call.</para>
/// </remarks>
internal sealed partial class SctpAssociation : IDatagramCore
{
    private const int MaxQueuedControlPackets = 256;

    private readonly SctpAssociationOptions _options;
    private readonly ILogger _logger;
    private readonly byte[] _cookieKey = new byte[32];
    private readonly byte[] _scratch;
    private readonly Queue<byte[]> _controlPackets = new();
    private readonly Queue<SctpEvent> _events = new();
    private readonly uint _localTag;
    private readonly uint _localInitialTsn;
    private readonly ulong _heartbeatNonce;

    private SctpAssociationState _state;
    private uint _peerTag;
    private bool _peerSupportsForwardTsn;
    private bool _peerSupportsReconfig;
    private ushort _outboundStreamCount;
    private ushort _inboundStreamCount;
    private ushort _remotePort;
    private byte[]? _cookieToEcho;
    private int _initRetransmits;
    private TimeSpan _now;
    private bool _terminated;

    /// <summary>Creates an association in the CLOSED state.</summary>
    /// <param name="options">Settings; null for defaults.</param>
    /// <param name="now">Current monotonic time.</param>
    /// <param name="logger">Optional logger (dropped packets at Debug, state changes at Information).</param>
    /// <param name="congestionControl">Congestion control of the path; null for RFC 9260 §7.2 (<see cref="SctpRenoCongestionControl"/>).</param>
    public SctpAssociation(SctpAssociationOptions? options, TimeSpan now, ILogger? logger = null, ISctpCongestionControl? congestionControl = null)
    {
        _options = options ?? new SctpAssociationOptions();
        _options.Validate();
        _logger = logger ?? NullLogger.Instance;
        _now = now;
        _scratch = new byte[_options.Mtu];
        RandomNumberGenerator.Fill(_cookieKey);
        Span<byte> random = stackalloc byte[16];
        do
        {
            RandomNumberGenerator.Fill(random);
            _localTag = BinaryPrimitives.ReadUInt32LittleEndian(random);
        }
        while (_localTag == 0);

        _localInitialTsn = BinaryPrimitives.ReadUInt32LittleEndian(random[4..]);
        _heartbeatNonce = BinaryPrimitives.ReadUInt64LittleEndian(random[8..]);
        _maxDataPayload = _options.Mtu - SctpPacket.CommonHeaderLength - DataChunk.HeaderLength;
        _outboundStreamCount = _options.OutboundStreams;
        _inboundStreamCount = _options.InboundStreams;
        _remotePort = _options.RemotePort;
        _congestion = congestionControl ?? new SctpRenoCongestionControl(_options.Mtu, _options.ReceiveWindow);
        _outstanding = new SctpOutstandingData(_localInitialTsn);
        _buffers = new SctpBufferPool(_maxDataPayload);
        _reassembly = new SctpReassemblyQueue(_buffers, _events, _options.MaxReceiveMessageSize);
        _sendQueue = new SctpSendQueue(_buffers, _events, _maxDataPayload, _options.MaxBufferedAmount);
        _streamReset = new SctpStreamReset(_localInitialTsn);
        _isStreamDrained = id => _sendQueue.GetQueuedMessageCount(id) == 0;
        InitSender();
        _rto = _options.RtoInitial;
        _state = SctpAssociationState.Closed;
    }

    /// <summary>Current RFC 9260 state.</summary>
    public SctpAssociationState State => _state;

    /// <summary>True once the association has ended (ABORT, shutdown complete, or failure); it never restarts.</summary>
    public bool IsTerminated => _terminated;

    /// <summary>Counters for diagnostics.</summary>
    public SctpStatistics Statistics { get; } = new();

    /// <summary>Settings in use.</summary>
    public SctpAssociationOptions Options => _options;

    /// <summary>
    /// The peer's SCTP port (its SDP a=sctp-port, RFC 8841 §5); starts as <see cref="SctpAssociationOptions.RemotePort"/>.
    /// It may be changed only while the association is still CLOSED (before <see cref="Connect"/> and before an
    /// association is established by the peer), because every packet carries it and the peer checks it.
    /// </summary>
    /// <exception cref="InvalidOperationException">Set after the association left the CLOSED state.</exception>
    public ushort RemotePort
    {
        get => _remotePort;
        set
        {
            if (_terminated || _state != SctpAssociationState.Closed)
            {
                throw new InvalidOperationException("The remote SCTP port can only be set before the association starts.");
            }

            _remotePort = value;
        }
    }

    /// <summary>Negotiated outbound stream count (min of ours and the peer's inbound), valid once established.</summary>
    public ushort OutboundStreamCount => _outboundStreamCount;

    /// <summary>Negotiated inbound stream count.</summary>
    public ushort InboundStreamCount => _inboundStreamCount;

    /// <summary>The peer advertised FORWARD-TSN (partial reliability).</summary>
    public bool PeerSupportsForwardTsn => _peerSupportsForwardTsn;

    /// <summary>The peer advertised RE-CONFIG (stream reset).</summary>
    public bool PeerSupportsReconfig => _peerSupportsReconfig;

    internal uint LocalVerificationTag => _localTag;

    /// <summary>
    /// Starts the association by sending INIT (RFC 9260 §5.1). In WebRTC both sides call this; an INIT collision is
    /// resolved per RFC 9260 §5.2. An association that never calls it still accepts an incoming INIT.
    /// </summary>
    public void Connect(TimeSpan now)
    {
        _now = now;
        if (_terminated || _state != SctpAssociationState.Closed)
        {
            return;
        }

        SendInit();
        SetState(SctpAssociationState.CookieWait);
        _initRetransmits = 0;
        _t1Deadline = now + _rto;
    }

    /// <summary>Takes the next output event; false when none is queued.</summary>
    public bool TryPollEvent(out SctpEvent sctpEvent)
    {
        if (_events.TryDequeue(out sctpEvent))
        {
            if (sctpEvent.Kind == SctpEventKind.MessageReceived && sctpEvent.Data is { } data && !_options.HoldPolledMessages)
            {
                ReleaseDeliveredBytes(data.Length);
            }

            return true;
        }

        return false;
    }

    /// <summary>Number of events waiting in <see cref="TryPollEvent"/>.</summary>
    public int PendingEventCount => _events.Count;

    /// <summary>
    /// Gracefully closes the association (RFC 9260 §9.2): queued data is sent and acknowledged first, then
    /// SHUTDOWN / SHUTDOWN-ACK / SHUTDOWN-COMPLETE; a <see cref="SctpEventKind.Closed"/> event follows.
    /// </summary>
    public void Shutdown(TimeSpan now)
    {
        _now = now;
        if (_terminated)
        {
            return;
        }

        switch (_state)
        {
            case SctpAssociationState.Established:
                SetState(SctpAssociationState.ShutdownPending);
                TryProgressShutdown();
                break;
            case SctpAssociationState.Closed:
            case SctpAssociationState.CookieWait:
            case SctpAssociationState.CookieEchoed:
                Terminate("shut down before established", aborted: false);
                break;
            default:
                break;
        }
    }

    /// <summary>Aborts at once (RFC 9260 §9.1): sends ABORT with a User-Initiated Abort cause and ends the association.</summary>
    public void Abort(string reason, TimeSpan now)
    {
        _now = now;
        if (_terminated)
        {
            return;
        }

        if (_peerTag != 0)
        {
            SendAbort(SctpErrorCause.UserInitiatedAbort, reason);
        }

        Terminate("aborted locally: " + reason, aborted: true);
    }

    /// <summary>Processes one received SCTP packet. Bad input is dropped and counted, never thrown.</summary>
    public void HandleInput(ReadOnlySpan<byte> datagram, TimeSpan now)
    {
        _now = now;
        Statistics.PacketsReceived++;
        if (_terminated)
        {
            DropPacket("association closed");
            return;
        }

        if (!SctpPacket.TryReadHeader(datagram, out var sourcePort, out var destinationPort, out var tag))
        {
            DropPacket("too short");
            return;
        }

        if (sourcePort != _remotePort || destinationPort != _options.LocalPort)
        {
            DropPacket("wrong ports");
            return;
        }

        if (!SctpPacket.VerifyChecksum(datagram))
        {
            DropPacket("bad checksum");
            return;
        }

        var reader = new SctpChunkReader(datagram[SctpPacket.CommonHeaderLength..]);
        if (!reader.TryReadNext(out var chunk))
        {
            DropPacket("malformed chunk");
            return;
        }

        // Verification tag rules, RFC 9260 §8.5 and §8.5.1.
        var tagOk = chunk.Type switch
        {
            SctpChunkType.Init => tag == 0,
            SctpChunkType.Abort or SctpChunkType.ShutdownComplete => (chunk.Flags & AbortChunk.FlagTagReflected) != 0 ? _peerTag != 0 && tag == _peerTag : tag == _localTag,
            _ => tag == _localTag,
        };
        if (!tagOk)
        {
            DropPacket("wrong verification tag");
            return;
        }

        if (chunk.Type == SctpChunkType.Init)
        {
            // RFC 9260 §6.10: INIT must be the only chunk of its packet.
            if (reader.TryReadNext(out _) || reader.Malformed)
            {
                DropPacket("INIT bundled with other chunks");
                return;
            }

            HandleInit(chunk.Value);
            return;
        }

        var dataReceived = false;
        var immediateAck = false;
        do
        {
            if (!HandleChunk(chunk, ref dataReceived, ref immediateAck) || _terminated)
            {
                break;
            }
        }
        while (reader.TryReadNext(out chunk));

        if (reader.Malformed)
        {
            DropPacket("malformed chunk");
        }

        if (dataReceived && !_terminated)
        {
            AfterDataReceived(immediateAck);
        }
    }

    private bool HandleChunk(in SctpChunk chunk, ref bool dataReceived, ref bool immediateAck)
    {
        switch (chunk.Type)
        {
            case SctpChunkType.Data:
                if (HandleData(chunk))
                {
                    dataReceived = true;
                    immediateAck |= (chunk.Flags & DataChunk.FlagImmediate) != 0;
                }

                return true;
            case SctpChunkType.Sack:
                HandleSack(chunk.Value);
                return true;
            case SctpChunkType.Init:
                DropPacket("INIT not first");
                return false;
            case SctpChunkType.InitAck:
                HandleInitAck(chunk.Value);
                return true;
            case SctpChunkType.CookieEcho:
                HandleCookieEcho(chunk.Value);
                return true;
            case SctpChunkType.CookieAck:
                HandleCookieAck();
                return true;
            case SctpChunkType.Heartbeat:
                HandleHeartbeat(chunk.Value);
                return true;
            case SctpChunkType.HeartbeatAck:
                HandleHeartbeatAck(chunk.Value);
                return true;
            case SctpChunkType.Abort:
                HandleAbort(chunk.Value);
                return false;
            case SctpChunkType.Shutdown:
                HandleShutdown(chunk.Value);
                return true;
            case SctpChunkType.ShutdownAck:
                HandleShutdownAck();
                return true;
            case SctpChunkType.ShutdownComplete:
                if (_state == SctpAssociationState.ShutdownAckSent)
                {
                    Terminate("shutdown complete", aborted: false);
                }

                return false;
            case SctpChunkType.Error:
                Log.PeerError(_logger, ErrorChunk.TryParse(chunk.Value, out var error) ? error.Cause : 0);
                return true;
            case SctpChunkType.ForwardTsn:
                if (HandleForwardTsn(chunk.Value))
                {
                    dataReceived = true;
                    immediateAck = true;
                }

                return true;
            case SctpChunkType.ReConfig:
                HandleReconfig(chunk.Value);
                return true;
            default:
                // RFC 9260 §3.2: the two high bits of an unknown type say whether to skip it and whether to report it.
                var action = chunk.RawType >> 6;
                if ((action & 1) != 0 && _peerTag != 0 && IsPeerKnown)
                {
                    SendUnrecognizedChunkError(chunk);
                }

                return (action & 2) != 0;
        }
    }

    private bool IsPeerKnown => _state is not (SctpAssociationState.Closed or SctpAssociationState.CookieWait);

    private void HandleInit(ReadOnlySpan<byte> value)
    {
        if (!InitChunk.TryParse(value, out var init))
        {
            DropPacket("malformed INIT");
            return;
        }

        if (_state is SctpAssociationState.ShutdownAckSent)
        {
            return;
        }

        // RFC 9260 §5.1 / §5.2.1 / §5.2.2: answer with INIT-ACK carrying our (unchanged) tag and initial TSN and a
        // cookie; no state is kept until the COOKIE-ECHO comes back. In COOKIE-WAIT/COOKIE-ECHOED this resolves the
        // simultaneous-open collision WebRTC produces.
        var cookie = new SctpStateCookie(
            _localTag,
            init.InitiateTag,
            init.InitialTsn,
            init.AdvertisedReceiverWindow,
            init.OutboundStreams,
            init.InboundStreams,
            init.SupportsForwardTsn,
            init.SupportsReconfig,
            _now.Ticks);
        Span<byte> cookieBytes = stackalloc byte[SctpStateCookie.Length];
        cookie.Write(cookieBytes, _cookieKey);
        var writer = new SctpPacketWriter(_scratch, _options.LocalPort, _remotePort, init.InitiateTag);
        InitChunk.Write(ref writer, SctpChunkType.InitAck, _localTag, (uint)_options.ReceiveWindow, _options.OutboundStreams, _options.InboundStreams, _localInitialTsn, cookieBytes);
        EnqueueControl(ref writer);
    }

    private void HandleInitAck(ReadOnlySpan<byte> value)
    {
        if (_state != SctpAssociationState.CookieWait)
        {
            return; // RFC 9260 §5.2.3: discard an unexpected INIT-ACK.
        }

        if (!InitChunk.TryParse(value, out var ack) || ack.StateCookie.IsEmpty || ack.StateCookie.Length > 1024)
        {
            DropPacket("malformed INIT-ACK");
            return;
        }

        ApplyPeerParameters(ack.InitiateTag, ack.InitialTsn, ack.AdvertisedReceiverWindow, ack.OutboundStreams, ack.InboundStreams, ack.SupportsForwardTsn, ack.SupportsReconfig);
        _cookieToEcho = ack.StateCookie.ToArray();
        SendCookieEcho();
        SetState(SctpAssociationState.CookieEchoed);
        _initRetransmits = 0;
        _t1Deadline = _now + _rto;
    }

    private void HandleCookieEcho(ReadOnlySpan<byte> value)
    {
        if (!CookieEchoChunk.TryParse(value, out var echo) || !SctpStateCookie.TryRead(echo.Cookie, _cookieKey, out var cookie) || cookie.LocalTag != _localTag)
        {
            DropPacket("invalid state cookie");
            return;
        }

        var age = _now - new TimeSpan(cookie.CreatedTicks);
        if (age > _options.CookieLifetime || age < -_options.CookieLifetime)
        {
            DropPacket("stale state cookie");
            return;
        }

        switch (_state)
        {
            case SctpAssociationState.Closed:
            case SctpAssociationState.CookieWait:
            case SctpAssociationState.CookieEchoed:
                // RFC 9260 §5.1 D and §5.2.4 (cases B/D during a collision): the association is set up from the cookie.
                if (_peerTag != cookie.PeerTag)
                {
                    ApplyPeerParameters(cookie.PeerTag, cookie.PeerInitialTsn, cookie.PeerReceiverWindow, cookie.PeerOutboundStreams, cookie.PeerInboundStreams, cookie.PeerSupportsForwardTsn, cookie.PeerSupportsReconfig);
                }

                SendCookieAck();
                OnEstablished();
                break;
            default:
                // RFC 9260 §5.2.4 case D: both tags match an existing association: just acknowledge again. A peer
                // restart (case A, new peer tag) is not supported by WebRTC stacks; the cookie is dropped.
                if (cookie.PeerTag == _peerTag)
                {
                    SendCookieAck();
                }
                else
                {
                    DropPacket("COOKIE-ECHO of a restarted peer");
                }

                break;
        }
    }

    private void HandleCookieAck()
    {
        if (_state == SctpAssociationState.CookieEchoed)
        {
            OnEstablished();
        }
    }

    private void ApplyPeerParameters(uint peerTag, uint peerInitialTsn, uint peerRwnd, ushort peerOutbound, ushort peerInbound, bool forwardTsn, bool reconfig)
    {
        _peerTag = peerTag;
        _peerSupportsForwardTsn = forwardTsn;
        _peerSupportsReconfig = reconfig;
        _outboundStreamCount = Math.Min(_options.OutboundStreams, peerInbound);
        _inboundStreamCount = Math.Min(_options.InboundStreams, peerOutbound);
        InitReceiver(peerInitialTsn);
        _peerRwnd = peerRwnd;
        _congestion.OnPeerReceiveWindow(peerRwnd);
        _streamReset.SetPeerInitialSequence(peerInitialTsn);
    }

    private void OnEstablished()
    {
        _t1Deadline = null;
        _cookieToEcho = null;
        SetState(SctpAssociationState.Established);
        _errorCount = 0;
        ScheduleHeartbeat();
        _events.Enqueue(new SctpEvent(SctpEventKind.Connected));
    }

    private void HandleAbort(ReadOnlySpan<byte> value)
    {
        var reason = "aborted by peer";
        var abort = AbortChunk.Parse(value);
        if (abort.HasCause)
        {
            reason += $" (cause {abort.Cause})";
        }

        Terminate(reason, aborted: true);
    }

    private void SendInit()
    {
        var writer = new SctpPacketWriter(_scratch, _options.LocalPort, _remotePort, 0);
        InitChunk.Write(ref writer, SctpChunkType.Init, _localTag, (uint)_options.ReceiveWindow, _options.OutboundStreams, _options.InboundStreams, _localInitialTsn, default);
        EnqueueControl(ref writer);
    }

    private void SendCookieEcho()
    {
        if (_cookieToEcho is null)
        {
            return;
        }

        var writer = new SctpPacketWriter(_scratch, _options.LocalPort, _remotePort, _peerTag);
        CookieEchoChunk.Write(ref writer, _cookieToEcho);
        EnqueueControl(ref writer);
    }

    private void SendCookieAck() => SendSimpleChunk(SctpChunkType.CookieAck, 0);

    private void SendSimpleChunk(SctpChunkType type, byte flags)
    {
        var writer = new SctpPacketWriter(_scratch, _options.LocalPort, _remotePort, _peerTag);
        EmptyChunk.Write(ref writer, type, flags);
        EnqueueControl(ref writer);
    }

    private void SendAbort(SctpErrorCause cause, string? detail)
    {
        var writer = new SctpPacketWriter(_scratch, _options.LocalPort, _remotePort, _peerTag);
        Span<byte> info = stackalloc byte[64];
        var n = 0;
        if (detail is not null && cause is SctpErrorCause.UserInitiatedAbort or SctpErrorCause.ProtocolViolation)
        {
            n = System.Text.Encoding.UTF8.GetBytes(detail.AsSpan(0, Math.Min(detail.Length, 16)), info);
        }

        AbortChunk.Write(ref writer, cause, info[..n]);
        EnqueueControl(ref writer);
    }

    private void SendUnrecognizedChunkError(in SctpChunk chunk)
    {
        var writer = new SctpPacketWriter(_scratch, _options.LocalPort, _remotePort, _peerTag);
        ErrorChunk.WriteUnrecognizedChunk(ref writer, chunk.RawType, chunk.Flags, chunk.Value.Length);
        EnqueueControl(ref writer);
    }

    private void EnqueueControl(ref SctpPacketWriter writer)
    {
        if (_controlPackets.Count >= MaxQueuedControlPackets)
        {
            // A peer flooding HEARTBEATs or unknown chunks cannot grow the queue without bound.
            DropPacket("control queue full");
            return;
        }

        var length = writer.Finish();
        _controlPackets.Enqueue(_scratch.AsSpan(0, length).ToArray());
    }

    private void ProtocolViolation(string reason)
    {
        if (_peerTag != 0)
        {
            SendAbort(SctpErrorCause.ProtocolViolation, reason);
        }

        Terminate("protocol violation: " + reason, aborted: true);
    }

    private void Terminate(string reason, bool aborted)
    {
        if (_terminated)
        {
            return;
        }

        _terminated = true;
        SetState(SctpAssociationState.Closed);
        _t1Deadline = _t2Deadline = _t3Deadline = _delayedAckDeadline = _heartbeatDeadline = null;
        _streamReset.Stop();
        ReleaseSender();
        ReleaseReceiver();
        Log.Terminated(_logger, reason);
        _events.Enqueue(new SctpEvent(SctpEventKind.Closed, Reason: reason, Aborted: aborted));
    }

    private void SetState(SctpAssociationState state)
    {
        if (_state != state)
        {
            Log.StateChanged(_logger, _state, state);
            _state = state;
        }
    }

    private void DropPacket(string reason)
    {
        Statistics.PacketsDropped++;
        Log.PacketDropped(_logger, reason);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "SCTP packet dropped: {Reason}")]
        public static partial void PacketDropped(ILogger logger, string reason);

        [LoggerMessage(EventId = 4002, Level = LogLevel.Debug, Message = "SCTP state {From} -> {To}")]
        public static partial void StateChanged(ILogger logger, SctpAssociationState from, SctpAssociationState to);

        [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "SCTP association ended: {Reason}")]
        public static partial void Terminated(ILogger logger, string reason);

        [LoggerMessage(EventId = 4004, Level = LogLevel.Debug, Message = "SCTP ERROR chunk received, cause {Cause}")]
        public static partial void PeerError(ILogger logger, int cause);

        [LoggerMessage(EventId = 4005, Level = LogLevel.Debug, Message = "SCTP DATA chunk dropped: {Reason}")]
        public static partial void DataDropped(ILogger logger, string reason);
    }
}
