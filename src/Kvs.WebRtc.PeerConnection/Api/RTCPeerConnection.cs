using System.Security.Cryptography;
using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.PeerConnection.Dtls;
using Kvs.WebRtc.PeerConnection.Ice;
using Kvs.WebRtc.PeerConnection.Jsep;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection.Sdp;
using Kvs.WebRtc.PeerConnection.Transport;
using Kvs.WebRtc.PeerConnection.Turn;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// A WebRTC peer connection (W3C <see href="https://www.w3.org/TR/webrtc/#interface-definition">RTCPeerConnection</see>):
/// JSEP offer/answer (RFC 8829) with any mix of audio, video and one data channel section BUNDLEd on one transport
/// (RFC 8843, rtcp-mux), trickle ICE (RFC 8838), DTLS 1.2 with fingerprint verification (RFC 8827), SRTP keyed by
/// DTLS (RFC 5764) for RTP/RTCP, SCTP (RFC 8261) and DCEP (RFC 8832) for data channels.
/// </summary>
/// <remarks>
/// <para>Typical use: <c>CreateDataChannel</c>, <c>CreateOfferAsync</c>, <c>SetLocalDescriptionAsync</c>, send the
/// offer and every <see cref="IceCandidate"/> to the peer, then <c>SetRemoteDescriptionAsync</c> with the answer and
/// <c>AddIceCandidateAsync</c> for the peer's candidates. Media: <see cref="AddTrack"/> or <see cref="AddTransceiver(MediaStreamTrackKind, RTCRtpTransceiverInit?)"/>
/// before the offer or answer; remote tracks arrive through <see cref="Track"/>. Offered sections that cannot be
/// accepted (no common codec, unknown media) are answered with port 0 and logged at Warning with the reason.</para>
/// <para>Thread-safety: every member may be called from any thread. Events are raised one at a time, in order, on a
/// dedicated task of this connection — never under a lock or on a network loop; a throwing handler is logged and
/// does not affect the connection. Data channel events (<see cref="RTCDataChannel.MessageReceived"/> etc.) are raised
/// on the same task.</para>
/// <para>Bad input (malformed SDP, a description in the wrong state, an unknown mid, a malformed candidate) throws
/// <see cref="WebRtcException"/> with the matching <see cref="WebRtcError"/> and leaves the connection usable.</para>
/// </remarks>
public sealed partial class RTCPeerConnection : IAsyncDisposable
{
    private const string DefaultMid = "0";
    private const int DefaultRemoteMaxMessageSize = 65536;

    private readonly object _sync = new();
    private RTCConfiguration _configuration; // replaced by SetConfiguration under _sync
    private readonly TimeProvider _timeProvider;
    private readonly RTCNackOptions _nackOptions;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly DtlsCertificate _certificate;
    private readonly bool _ownsCertificate;
    private readonly SerialDispatcher _dispatcher;
    private readonly PeerConnectionTransport _transport;
    private IceCredentials _localCredentials;
    private readonly SdpFingerprint _localFingerprint;
    private readonly ulong _sessionId;
    private readonly SignalingStateMachine _signaling = new();
    private readonly IDatagramSocketFactory? _socketFactory;
    private readonly JsepNegotiator _negotiator = new();
    private readonly List<RTCRtpTransceiver> _transceivers = [];
    private readonly string _cname = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));
    private readonly RTCIceTransport _iceTransport;
    private readonly RTCDtlsTransport _dtlsTransport;
    private volatile RTCSctpTransport? _sctpTransport;
    private int _remoteMaxMessageSize = DefaultRemoteMaxMessageSize;
    private int? _sctpConnectedChannels;
    private bool _dataRequested;

    private IceTransport? _ice;
    private bool _iceStarted;
    private Task _iceDisposal = Task.CompletedTask;
    private SessionDescription? _localSession;
    private RTCSdpType _localType;
    private SessionDescription? _remoteSession;
    private RTCSdpType _remoteType;
    private string? _remoteUfrag;
    private HashSet<string> _remoteMids = [];
    private string _bundleMid = DefaultMid;
    private int _bundleMLineIndex;
    private DtlsRole? _dtlsRole;
    private ulong _sessionVersion = 2;
    private bool _closed;
    private int _disposed;

    // ICE restart (docs/recovery.md): asked for by RestartIce, the credentials of the next offer, candidates of a new
    // generation held until the description that carries its credentials is applied locally.
    private const int MaxHeldRemoteCandidates = 64;
    private bool _iceRestartRequested;
    private bool _iceRestartInProgress;
    private IceCredentials? _offeredCredentials;
    private string? _appliedLocalUfrag;
    private readonly List<RTCIceCandidateInit?> _heldCandidates = [];
    // Remote candidates of an ICE generation whose description has not arrived yet (trickle may overtake it).
    private readonly List<RTCIceCandidateInit> _heldRemoteCandidates = [];
    private readonly HashSet<string> _pastRemoteUfrags = new(StringComparer.Ordinal);

    private RTCIceConnectionState _iceState = RTCIceConnectionState.New;
    private RTCIceGatheringState _gatheringState = RTCIceGatheringState.New;
    private RTCPeerConnectionState _connectionState = RTCPeerConnectionState.New;
    private DtlsState _dtlsState = DtlsState.New;
    private WebRtcException? _failure;
    private readonly Diagnostics.PeerConnectionProbe _probe;

    /// <summary>Creates a peer connection (W3C <c>new RTCPeerConnection(configuration)</c>).</summary>
    /// <param name="configuration">ICE servers and policy; null for the defaults. Validated and copied here.</param>
    /// <param name="options">Clock, logging and certificate; null for the defaults. Validated and copied here.</param>
    /// <exception cref="ArgumentException">
    /// A property of <paramref name="configuration"/> or <paramref name="options"/> is out of range; the exception's
    /// <see cref="ArgumentException.ParamName"/> names it. Nothing is allocated then.
    /// </exception>
    public RTCPeerConnection(RTCConfiguration? configuration = null, RTCPeerConnectionOptions? options = null)
    {
        configuration ??= new RTCConfiguration();
        configuration.Validate();
        _configuration = configuration.Snapshot();
        options ??= new RTCPeerConnectionOptions();
        options.Validate();
        options = options.Snapshot();
        _timeProvider = options.TimeProvider ?? TimeProvider.System;
        _nackOptions = options.Nack ?? new RTCNackOptions();
        _socketFactory = options.SocketFactory;
        _loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<RTCPeerConnection>();
        InitializeRtcp(options);
        if (options.Certificate is { } certificate)
        {
            _certificate = certificate;
        }
        else
        {
            _certificate = DtlsCertificate.Generate();
            _ownsCertificate = true;
        }

        _localFingerprint = ToSdpFingerprint(_certificate.Fingerprint);
        _localCredentials = IceCredentials.Generate();
        // A random 62-bit session id (RFC 8829 §5.2.1: under 2^63).
        _sessionId = (System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(RandomNumberGenerator.GetBytes(8)) >> 2) + 1;
        _dispatcher = new SerialDispatcher(_logger);
        _transport = new PeerConnectionTransport(_certificate, _timeProvider, _loggerFactory, _dispatcher);
        _transport.DtlsStateChanged += OnDtlsStateChanged;
        // Already on the dispatcher, before the channel's Opened and messages: raise inline so handlers attach in time.
        _transport.DataChannelAnnounced += channel => RaiseNow(DataChannel, new RTCDataChannelEventArgs(channel));
        _transport.MediaReceiver = OnMediaPacket;
        _transport.TransportFeedbackEnabled = !options.DisableTransportFeedback;
        _transport.ConfigurePacing(options.Pacing ?? new RTCPacingOptions());
        if (options.OutgoingMediaLossRate is > 0 and var lossRate)
        {
            _transport.SetOutgoingMediaLoss(Math.Min(lossRate, 1), options.OutgoingMediaLossSeed);
        }
        _transport.SrtpReady += OnSrtpReady;
        _transport.AssociationConnected += OnAssociationConnected;
        _transport.AssociationClosed += _ => OnAssociationClosed();
        Action<Exception> reportHandlerFailure = ex => Log.HandlerFailed(_logger, ex);
        _iceTransport = new RTCIceTransport(_localCredentials.Ufrag, () => (_bundleMid, _bundleMLineIndex), reportHandlerFailure);
        _dtlsTransport = new RTCDtlsTransport(_iceTransport, () => _transport.RemoteCertificate, reportHandlerFailure);
        _probe = new Diagnostics.PeerConnectionProbe(Diagnostics.PeerConnectionTelemetry.For(options.MeterFactory), this, _iceTransport, _dtlsTransport, _timeProvider);
    }

    /// <summary>A local candidate to send to the peer; null <see cref="RTCPeerConnectionIceEventArgs.Candidate"/> marks the end (W3C <c>onicecandidate</c>).</summary>
    public event EventHandler<RTCPeerConnectionIceEventArgs>? IceCandidate;

    /// <summary>The peer opened a data channel (W3C <c>ondatachannel</c>).</summary>
    public event EventHandler<RTCDataChannelEventArgs>? DataChannel;

    /// <summary><see cref="ConnectionState"/> changed (W3C <c>onconnectionstatechange</c>).</summary>
    public event EventHandler? ConnectionStateChanged;

    /// <summary><see cref="IceConnectionState"/> changed (W3C <c>oniceconnectionstatechange</c>).</summary>
    public event EventHandler? IceConnectionStateChanged;

    /// <summary><see cref="IceGatheringState"/> changed (W3C <c>onicegatheringstatechange</c>).</summary>
    public event EventHandler? IceGatheringStateChanged;

    /// <summary><see cref="SignalingState"/> changed (W3C <c>onsignalingstatechange</c>).</summary>
    public event EventHandler? SignalingStateChanged;

    /// <summary>The aggregate state of ICE and DTLS (W3C <c>connectionState</c>).</summary>
    public RTCPeerConnectionState ConnectionState => _connectionState;

    /// <summary>The ICE state (W3C <c>iceConnectionState</c>).</summary>
    public RTCIceConnectionState IceConnectionState => _iceState;

    /// <summary>The gathering state (W3C <c>iceGatheringState</c>).</summary>
    public RTCIceGatheringState IceGatheringState => _gatheringState;

    /// <summary>The offer/answer state (W3C <c>signalingState</c>).</summary>
    public RTCSignalingState SignalingState
    {
        get
        {
            lock (_sync)
            {
                return _signaling.State;
            }
        }
    }

    /// <summary>Why <see cref="ConnectionState"/> became <see cref="RTCPeerConnectionState.Failed"/> (for example <see cref="WebRtcError.FingerprintMismatch"/>), else null.</summary>
    public WebRtcException? Failure => _failure;

    /// <summary>The local description, with the candidates gathered so far (W3C <c>localDescription</c>).</summary>
    public RTCSessionDescription? LocalDescription
    {
        get
        {
            lock (_sync)
            {
                return _localSession is null ? null : new RTCSessionDescription(_localType, _localSession.ToSdpString());
            }
        }
    }

    /// <summary>The remote description (W3C <c>remoteDescription</c>).</summary>
    public RTCSessionDescription? RemoteDescription
    {
        get
        {
            lock (_sync)
            {
                return _remoteSession is null ? null : new RTCSessionDescription(_remoteType, _remoteSession.ToSdpString());
            }
        }
    }

    /// <summary>
    /// The SCTP transport of the data channels (W3C <see href="https://www.w3.org/TR/webrtc/#dom-rtcpeerconnection-sctp">sctp</see>):
    /// null until an answer that accepts a data section was applied. Its <see cref="RTCSctpTransport.Transport"/> is the
    /// connection's BUNDLE <see cref="RTCDtlsTransport"/>, the same as every <see cref="RTCRtpSender.Transport"/>.
    /// </summary>
    public RTCSctpTransport? Sctp => _sctpTransport;

    /// <summary>The local certificate's fingerprint as it appears in the SDP (<c>sha-256 AB:CD:...</c>).</summary>
    public string LocalFingerprint => _certificate.Fingerprint.ToString();

    /// <summary>
    /// Creates an offer (W3C <see href="https://www.w3.org/TR/webrtc/#dom-rtcpeerconnection-createoffer">createOffer</see>): the
    /// sections of earlier negotiations in their order, one per new transceiver, and a data channel section once a data
    /// channel was created (or when there is nothing else to offer); BUNDLE, rtcp-mux, ice-ufrag/pwd, trickle, a sha-256
    /// fingerprint, setup:actpass.
    /// </summary>
    /// <exception cref="WebRtcException"><see cref="WebRtcError.Closed"/> after <see cref="Close"/>.</exception>
    public Task<RTCSessionDescription> CreateOfferAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_sync)
        {
            ThrowIfClosed();
            var wantData = _dataRequested || _transceivers.Count == 0;
            var credentials = _localCredentials;
            if (_iceRestartRequested && _ice is not null)
            {
                // RFC 8445 §9 / JSEP §5.2.1: an ICE restart is an offer with new credentials; the same ones until it is applied.
                credentials = _offeredCredentials ??= IceCredentials.Generate();
            }

            var session = _negotiator.CreateOffer(Models(), wantData, LocalTransportParameters(SdpSetup.ActPass, credentials), _sessionId, _sessionVersion, _cname);
            return Task.FromResult(new RTCSessionDescription(RTCSdpType.Offer, session.ToSdpString()));
        }
    }

    /// <summary>
    /// Answers the remote offer (W3C <see href="https://www.w3.org/TR/webrtc/#dom-rtcpeerconnection-createanswer">createAnswer</see>):
    /// audio and video sections are accepted with the transceivers they were associated with (see <see cref="Track"/>),
    /// the first data section is accepted, with setup:active (passive when the offer is active); anything else is
    /// answered with port 0 and logged at Warning with the reason.
    /// </summary>
    /// <exception cref="WebRtcException"><see cref="WebRtcError.InvalidState"/> without a remote offer; <see cref="WebRtcError.Closed"/>.</exception>
    public Task<RTCSessionDescription> CreateAnswerAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_sync)
        {
            ThrowIfClosed();
            if (_signaling.State is not (RTCSignalingState.HaveRemoteOffer or RTCSignalingState.HaveLocalPranswer) || _remoteSession is null)
            {
                throw new WebRtcException(WebRtcError.InvalidState, $"Cannot create an answer in signaling state {_signaling.State}.");
            }

            return Task.FromResult(new RTCSessionDescription(RTCSdpType.Answer, BuildAnswer(_remoteSession).ToSdpString()));
        }
    }

    /// <summary>
    /// Creates the description the signaling state calls for (an offer when stable, else an answer) and applies it
    /// (W3C parameterless <c>setLocalDescription()</c>).
    /// </summary>
    public async Task<RTCSessionDescription> SetLocalDescriptionAsync(CancellationToken cancellationToken = default)
    {
        var description = SignalingState is RTCSignalingState.HaveRemoteOffer or RTCSignalingState.HaveLocalPranswer
            ? await CreateAnswerAsync(cancellationToken).ConfigureAwait(false)
            : await CreateOfferAsync(cancellationToken).ConfigureAwait(false);
        await SetLocalDescriptionAsync(description, cancellationToken).ConfigureAwait(false);
        return description;
    }

    /// <summary>
    /// Applies a local offer or answer (W3C <see href="https://www.w3.org/TR/webrtc/#dom-rtcpeerconnection-setlocaldescription">setLocalDescription</see>);
    /// ICE gathering starts and <see cref="IceCandidate"/> begins to fire.
    /// </summary>
    /// <exception cref="WebRtcException"><see cref="WebRtcError.InvalidSessionDescription"/> for malformed SDP or one this
    /// connection did not create; <see cref="WebRtcError.InvalidState"/> in the wrong signaling state.</exception>
    public Task SetLocalDescriptionAsync(RTCSessionDescription description, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(description);
        cancellationToken.ThrowIfCancellationRequested();
        RTCSignalingState before, after;
        bool startIce;
        var restartIce = false;
        List<RTCIceCandidateInit?> release = [];
        IReadOnlyList<JsepTransceiver> negotiated = [];
        lock (_sync)
        {
            ThrowIfClosed();
            before = _signaling.State;
            if (description.Type == RTCSdpType.Rollback)
            {
                if (_iceRestartInProgress)
                {
                    // The restart offer is withdrawn but the agent already runs the new generation: the next offer restarts again.
                    _iceRestartInProgress = false;
                    _iceRestartRequested = true;
                }

                after = _signaling.Apply(local: true, RTCSdpType.Rollback);
                RaiseSignalingIfChanged(before, after);
                return Task.CompletedTask;
            }

            if (_signaling.Peek(local: true, description.Type) is null)
            {
                throw new WebRtcException(WebRtcError.InvalidState,
                    $"Cannot set a local {description.TypeName} in signaling state {_signaling.State}.");
            }

            var session = ParseSdp(description.Sdp);
            var data = FindBundleSection(session);
            if (data is not null)
            {
                var ufrag = session.GetIceUfrag(data);
                var pwd = session.GetIcePwd(data);
                if (description.Type == RTCSdpType.Offer && _offeredCredentials is { } offered && ufrag == offered.Ufrag && pwd == offered.Password)
                {
                    restartIce = true;
                }
                else if (ufrag != _localCredentials.Ufrag || pwd != _localCredentials.Password)
                {
                    throw new WebRtcException(WebRtcError.InvalidSessionDescription, "The local description's ICE credentials were not created by this connection.");
                }

                _bundleMid = data.Mid ?? DefaultMid;
                _bundleMLineIndex = session.Media.IndexOf(data);
            }

            _negotiator.ApplyLocal(session);
            if (description.Type == RTCSdpType.Answer && _remoteSession is not null)
            {
                negotiated = _negotiator.Complete(_remoteSession, session, localIsOfferer: false, Models());
            }

            if (description.Type == RTCSdpType.Offer)
            {
                EnsureIceLocked(IceRole.Controlling);
            }

            after = _signaling.Apply(local: true, description.Type);
            _localSession = session;
            _localType = description.Type;
            _sessionVersion++;
            startIce = data is not null && !_iceStarted && _ice is not null;
            _iceStarted |= startIce;
            if (restartIce)
            {
                RestartIceLocked(_offeredCredentials!, offerer: true);
            }

            if (data is not null)
            {
                // The candidates of this generation were held until its description was applied: released in order.
                _appliedLocalUfrag = _localCredentials.Ufrag;
                release = [.. _heldCandidates];
                _heldCandidates.Clear();
            }
        }

        if (release.Count > 0)
        {
            _dispatcher.Post(() => ReleaseHeldCandidates(release));
        }

        RaiseSignalingIfChanged(before, after);
        AfterNegotiation(negotiated, []);
        UpdateTransportObjects(description.Type, local: true);
        if (startIce)
        {
            SetGatheringState(RTCIceGatheringState.Gathering);
            var started = _ice!.StartAsync(cancellationToken);
            return started;
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Applies the peer's offer or answer (W3C <see href="https://www.w3.org/TR/webrtc/#dom-rtcpeerconnection-setremotedescription">setRemoteDescription</see>):
    /// ICE credentials, fingerprints, setup role, sctp-port, max-message-size and any candidates are taken from it.
    /// </summary>
    /// <exception cref="WebRtcException"><see cref="WebRtcError.InvalidSessionDescription"/> for malformed SDP or missing
    /// ICE/DTLS attributes; <see cref="WebRtcError.InvalidState"/> in the wrong signaling state.</exception>
    public Task SetRemoteDescriptionAsync(RTCSessionDescription description, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(description);
        cancellationToken.ThrowIfCancellationRequested();
        RTCSignalingState before, after;
        IReadOnlyList<JsepTransceiver> negotiated = [];
        IReadOnlyList<JsepTransceiver> associated = [];
        List<RTCIceCandidateInit> released = [];
        lock (_sync)
        {
            ThrowIfClosed();
            before = _signaling.State;
            if (description.Type == RTCSdpType.Rollback)
            {
                after = _signaling.Apply(local: false, RTCSdpType.Rollback);
                RaiseSignalingIfChanged(before, after);
                return Task.CompletedTask;
            }

            if (_signaling.Peek(local: false, description.Type) is null)
            {
                throw new WebRtcException(WebRtcError.InvalidState,
                    $"Cannot set a remote {description.TypeName} in signaling state {_signaling.State}.");
            }

            var session = ParseSdp(description.Sdp);
            var remote = RemoteTransport.From(session, description.Type);
            if (remote is not null)
            {
                var role = description.Type == RTCSdpType.Offer ? IceRole.Controlled : IceRole.Controlling;
                var ice = EnsureIceLocked(role);
                if (_remoteUfrag is not null && _remoteUfrag != remote.Credentials.Ufrag)
                {
                    if (description.Type == RTCSdpType.Offer)
                    {
                        // The peer restarts ICE (RFC 8445 §9): this side answers with new credentials too (RFC 8839 §4.4.1.1.1).
                        Log.RemoteIceRestart(_logger);
                        RestartIceLocked(IceCredentials.Generate(), offerer: false);
                    }
                    else if (!_iceRestartInProgress)
                    {
                        throw new WebRtcException(WebRtcError.InvalidSessionDescription,
                            "The answer changed the remote ICE credentials although this side did not restart ICE.");
                    }
                }
                else if (_iceRestartInProgress && description.Type == RTCSdpType.Answer && _remoteUfrag is not null)
                {
                    throw new WebRtcException(WebRtcError.InvalidSessionDescription, "The answer to an ICE restart kept the old ICE credentials.");
                }

                _iceRestartInProgress = false;
                if (_remoteUfrag is not null && _remoteUfrag != remote.Credentials.Ufrag)
                {
                    _pastRemoteUfrags.Add(_remoteUfrag);
                    released = _heldRemoteCandidates.FindAll(c => c.UsernameFragment == remote.Credentials.Ufrag);
                    _heldRemoteCandidates.Clear();
                }

                _remoteUfrag = remote.Credentials.Ufrag;
                _iceTransport.SetRemoteUsernameFragment(remote.Credentials.Ufrag);
                _remoteMaxMessageSize = remote.MaxMessageSize;
                ice.SetRemoteCredentials(remote.Credentials);
                foreach (var candidate in remote.Candidates)
                {
                    ice.AddRemoteCandidate(candidate);
                }

                if (remote.EndOfCandidates)
                {
                    ice.SetRemoteEndOfCandidates();
                }

                _dtlsRole = remote.LocalDtlsRole;
                if (description.Type == RTCSdpType.Offer)
                {
                    _bundleMid = remote.Mid;
                    _bundleMLineIndex = remote.MLineIndex;
                }

                if (remote.SctpPort is < 1 or > ushort.MaxValue)
                {
                    throw new WebRtcException(WebRtcError.InvalidSessionDescription, $"a=sctp-port {remote.SctpPort} is not a port number.");
                }

                if (remote.SctpPort is { } port && port != WebRtcSdp.DefaultSctpPort)
                {
                    Log.UnusualSctpPort(_logger, port);
                }

                _transport.ConfigureDtls(remote.LocalDtlsRole, remote.Fingerprints, remote.MaxMessageSize, (ushort)(remote.SctpPort ?? WebRtcSdp.DefaultSctpPort),
                    startSctp: remote.SctpPort is not null);
            }

            if (description.Type == RTCSdpType.Offer)
            {
                associated = _negotiator.ApplyRemoteOffer(session, Models(), CreateRemoteTransceiverLocked);
            }
            else if (description.Type == RTCSdpType.Answer && _localSession is not null)
            {
                negotiated = _negotiator.Complete(_localSession, session, localIsOfferer: true, Models());
            }

            after = _signaling.Apply(local: false, description.Type);
            _remoteSession = session;
            _remoteType = description.Type;
            _remoteMids = session.Media.Select(m => m.Mid).OfType<string>().ToHashSet(StringComparer.Ordinal);
        }

        RaiseSignalingIfChanged(before, after);
        AfterNegotiation(negotiated, associated);
        UpdateTransportObjects(description.Type, local: false);
        foreach (var candidate in released)
        {
            try
            {
                _ = AddIceCandidateAsync(candidate, CancellationToken.None);
            }
            catch (WebRtcException ex)
            {
                Log.HeldRemoteCandidateRefused(_logger, ex.Message);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Adds a remote candidate (W3C <see href="https://www.w3.org/TR/webrtc/#dom-peerconnection-addicecandidate">addIceCandidate</see>):
    /// <c>candidate:...</c> or <c>a=candidate:...</c>; an empty candidate means end-of-candidates (RFC 8838).
    /// </summary>
    /// <exception cref="WebRtcException"><see cref="WebRtcError.InvalidState"/> before a remote description;
    /// <see cref="WebRtcError.InvalidCandidate"/> for a malformed candidate, an unknown mid or m-line index, or a
    /// ufrag of another generation.</exception>
    public Task AddIceCandidateAsync(RTCIceCandidateInit candidate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_sync)
        {
            ThrowIfClosed();
            if (_remoteSession is null)
            {
                throw new WebRtcException(WebRtcError.InvalidState, "A remote description must be set before adding ICE candidates.");
            }

            if (candidate.SdpMid is { } mid && !_remoteMids.Contains(mid))
            {
                throw new WebRtcException(WebRtcError.InvalidCandidate, $"The candidate's mid '{mid}' is not in the remote description.");
            }

            if (candidate.SdpMid is null && candidate.SdpMLineIndex is { } index && (index < 0 || index >= _remoteSession.Media.Count))
            {
                throw new WebRtcException(WebRtcError.InvalidCandidate, $"The candidate's m-line index {index} is not in the remote description.");
            }

            if (candidate.UsernameFragment is { Length: > 0 } ufrag && _remoteUfrag is not null && ufrag != _remoteUfrag)
            {
                if (_pastRemoteUfrags.Contains(ufrag))
                {
                    throw new WebRtcException(WebRtcError.InvalidCandidate, "The candidate's ufrag belongs to an earlier ICE generation of the peer.");
                }

                // Possibly the peer's next generation (an ICE restart whose description is still on its way): kept,
                // bounded, and added once a remote description with that ufrag is applied.
                if (_heldRemoteCandidates.Count >= MaxHeldRemoteCandidates)
                {
                    throw new WebRtcException(WebRtcError.InvalidCandidate,
                        $"The candidate's ufrag does not match the remote description, and {MaxHeldRemoteCandidates} candidates already wait for one that does.");
                }

                _heldRemoteCandidates.Add(candidate);
                return Task.CompletedTask;
            }

            if (candidate.IsEndOfCandidates)
            {
                _ice?.SetRemoteEndOfCandidates();
                return Task.CompletedTask;
            }

            if (!Ice.IceCandidate.TryParse(candidate.Candidate.Trim(), out var parsed, out var error))
            {
                throw new WebRtcException(WebRtcError.InvalidCandidate, $"The candidate is malformed ({error}).");
            }

            if (_ice is null || !_ice.AddRemoteCandidate(parsed!))
            {
                Log.CandidateIgnored(_logger, parsed!.Type.ToString());
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Asks for an ICE restart (W3C <see href="https://www.w3.org/TR/webrtc/#dom-rtcpeerconnection-restartice">restartIce</see>):
    /// the next <see cref="CreateOfferAsync"/> carries new ICE credentials; applying it restarts connectivity checks
    /// with candidates gathered again (host addresses are listed again, so an interface that appeared since is used).
    /// The current candidate pair keeps carrying media and data until a new one is selected. Send that offer to the
    /// peer as a renegotiation; see <c>docs/recovery.md</c>. Does nothing before the first offer/answer or after
    /// <see cref="Close"/>.
    /// </summary>
    public void RestartIce()
    {
        lock (_sync)
        {
            if (!_closed && _ice is not null)
            {
                _iceRestartRequested = true;
            }
        }
    }

    /// <summary>
    /// Replaces the connection's STUN and TURN servers (W3C
    /// <see href="https://www.w3.org/TR/webrtc/#dom-rtcpeerconnection-setconfiguration">setConfiguration</see>), for
    /// example with TURN credentials fetched again before <see cref="RestartIce"/>: relay allocations made from now on
    /// (a lost relay allocated again, a refused one retried at the next ICE restart) use them. Only
    /// <see cref="RTCConfiguration.IceServers"/> may change; relays need TURN servers in the configuration the connection
    /// was created with.
    /// </summary>
    /// <param name="configuration">The new configuration; copied.</param>
    /// <exception cref="ArgumentException">The configuration is not valid (see <see cref="RTCConfiguration.Validate"/>).</exception>
    /// <exception cref="WebRtcException"><see cref="WebRtcError.InvalidParameter"/> when a property other than the ICE
    /// servers differs from the current configuration; <see cref="WebRtcError.Closed"/> after <see cref="Close"/>.</exception>
    public void SetConfiguration(RTCConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.Validate();
        var snapshot = configuration.Snapshot();
        lock (_sync)
        {
            ThrowIfClosed();
            var current = _configuration;
            if (snapshot.IceTransportPolicy != current.IceTransportPolicy || snapshot.IncludeLoopbackCandidates != current.IncludeLoopbackCandidates
                || snapshot.EnableIpv6 != current.EnableIpv6
                || !(snapshot.HostAddresses ?? []).SequenceEqual(current.HostAddresses ?? [])
                || (snapshot.HostAddresses is null) != (current.HostAddresses is null))
            {
                throw new WebRtcException(WebRtcError.InvalidParameter,
                    "SetConfiguration can change only IceServers; IceTransportPolicy, IncludeLoopbackCandidates, EnableIpv6 and HostAddresses are fixed at creation.");
            }

            _configuration = snapshot;
            _ice?.UpdateServers(ParseIceServers(snapshot, out _));
        }
    }

    /// <summary>
    /// Creates a data channel (W3C <see href="https://www.w3.org/TR/webrtc/#dom-peerconnection-createdatachannel">createDataChannel</see>).
    /// It opens once the connection is up (<see cref="RTCDataChannel.Opened"/>); in-band channels announce themselves
    /// with DATA_CHANNEL_OPEN, negotiated ones (<see cref="RTCDataChannelInit.Negotiated"/>) need the same id on both sides.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid <paramref name="init"/>, or the id is in use.</exception>
    /// <exception cref="WebRtcException"><see cref="WebRtcError.Closed"/> after <see cref="Close"/>.</exception>
    public RTCDataChannel CreateDataChannel(string label, RTCDataChannelInit? init = null)
    {
        ArgumentNullException.ThrowIfNull(label);
        DataChannelManager manager;
        lock (_sync)
        {
            ThrowIfClosed();
            _dataRequested = true;

            // Before the answer the DTLS role is unknown: answerers normally pick setup:active, making us the server.
            manager = _transport.GetOrCreateManager(_dtlsRole == DtlsRole.Client);
        }

        try
        {
            return manager.CreateDataChannel(label, init);
        }
        catch (InvalidOperationException ex)
        {
            throw new WebRtcException(WebRtcError.DataChannelFailed, ex.Message, ex);
        }
    }

    /// <summary>
    /// A snapshot of the statistics (W3C <c>getStats</c>): transport, DTLS, SRTP and SCTP as flat fields, and the typed W3C
    /// objects in <see cref="RTCStatsReport.Stats"/>: the RTP streams (inbound-rtp, outbound-rtp, remote-inbound-rtp from
    /// the peer's receiver reports with the round-trip time, remote-outbound-rtp from its sender reports), codec,
    /// media-source, transport, candidate-pair, local-candidate, remote-candidate, certificate and data-channel.
    /// </summary>
    public RTCStatsReport GetStats()
    {
        var snapshot = _transport.GetSnapshot();
        var pair = _ice?.SelectedPair;
        var manager = _transport.Manager;
        var srtp = _transport.SrtpCounters;
        return new RTCStatsReport
        {
            Timestamp = _timeProvider.GetUtcNow(),
            BytesSent = snapshot.BytesSent,
            BytesReceived = snapshot.BytesReceived,
            PacketsSent = snapshot.PacketsSent,
            PacketsReceived = snapshot.PacketsReceived,
            MessagesReceived = snapshot.MessagesReceived,
            DataChunksSent = snapshot.DataChunksSent,
            DataChunksReceived = snapshot.DataChunksReceived,
            Retransmissions = snapshot.Retransmissions + snapshot.FastRetransmits,
            SctpSmoothedRoundTripTime = snapshot.SmoothedRtt,
            SctpCongestionWindow = snapshot.CongestionWindow,
            SelectedCandidatePair = pair is null ? null
                : $"{pair.Local.Address}:{pair.Local.Port} {Ice.IceCandidate.TypeToken(pair.Local.Type)} -> {pair.RemoteEndPoint} {Ice.IceCandidate.TypeToken(pair.Remote.Type)}",
            DtlsCipher = CipherSuiteName(snapshot.CipherSuite),
            DtlsRole = DtlsRoleName(snapshot.DtlsRole),
            IceConnectionState = _iceState,
            DataChannelsOpen = manager?.Channels.Count ?? 0,
            SrtpPacketsSent = srtp.PacketsSent,
            SrtpPacketsReceived = srtp.PacketsReceived,
            SrtpPacketsDropped = srtp.Dropped,
            RtpPacketsUnroutable = RtpPacketsUnroutable,
            DatagramsDroppedByLoop = _transport.LoopDroppedInputs,
            PacketsRefusedByLoop = _transport.SendsRefused,
            Stats = CollectStats(snapshot),
        };
    }

    /// <summary>
    /// Closes the connection (W3C <see href="https://www.w3.org/TR/webrtc/#dom-rtcpeerconnection-close">close</see>):
    /// aborts the SCTP association, sends DTLS close_notify and releases the sockets. No state events are raised.
    /// </summary>
    public void Close()
    {
        IceTransport? ice;
        List<RTCRtpTransceiver> transceivers;
        lock (_sync)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            _signaling.Close();
            ice = _ice;
            transceivers = _transceivers.ToList();
        }

        _probe.Retire();
        StopRtcp(transceivers);
        _transport.Close();
        CloseMedia();
        _iceTransport.Close();
        _dtlsTransport.Close();
        _sctpTransport?.Close();
        _iceState = RTCIceConnectionState.Closed;
        _connectionState = RTCPeerConnectionState.Closed;
        if (ice is not null)
        {
            _iceDisposal = ice.DisposeAsync().AsTask();
        }
    }

    /// <summary>Closes the connection and waits (bounded) for its sockets, timers and event task to stop. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Close();
        await _iceDisposal.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _transport.DisposeAsync().ConfigureAwait(false);
        await _dispatcher.DisposeAsync().ConfigureAwait(false);
        if (_ownsCertificate)
        {
            _certificate.Dispose();
        }
    }

    /// <summary>Test hook: the transport, to send arbitrary (SRTP-protected) RTP/RTCP and read its state and counters.</summary>
    internal PeerConnectionTransport TransportForTests => _transport;

    /// <summary>Test hook: the user-event dispatcher, to read its queue bound and peaks.</summary>
    internal SerialDispatcher DispatcherForTests => _dispatcher;

    private static SdpFingerprint ToSdpFingerprint(DtlsFingerprint fingerprint) =>
        SdpFingerprint.TryParse(fingerprint.ToString(), out var parsed) ? parsed! : throw new InvalidOperationException("Unexpected fingerprint format.");

    private static SessionDescription ParseSdp(string? sdp)
    {
        if (string.IsNullOrWhiteSpace(sdp))
        {
            throw new WebRtcException(WebRtcError.InvalidSessionDescription, "The SDP is empty.");
        }

        if (!SessionDescription.TryParse(sdp, out var session, out var error))
        {
            throw new WebRtcException(WebRtcError.InvalidSessionDescription, $"The SDP is malformed: {error!.Message}", error);
        }

        return session!;
    }

    private static MediaDescription? FindBundleSection(SessionDescription session) =>
        session.Media.Find(m => !m.IsRejected && (m.IsDataChannel || JsepNegotiator.IsRtpMedia(m)));

    private SdpTransportParameters LocalTransportParameters(SdpSetup setup, IceCredentials? credentials = null) =>
        new((credentials ?? _localCredentials).Ufrag, (credentials ?? _localCredentials).Password, [_localFingerprint], setup);

    private SessionDescription BuildAnswer(SessionDescription offer)
    {
        var rejections = new List<JsepRejection>();
        var answer = _negotiator.CreateAnswer(offer, Models(), acceptData: true, LocalTransportParameters(SdpSetup.Active), _sessionId, _sessionVersion,
            _cname, rejections);
        foreach (var rejection in rejections)
        {
            MediaLog.SectionRejected(_logger, rejection.Media, rejection.Mid, rejection.MLineIndex, rejection.Reason);
        }

        return answer;
    }

    // Under _sync: the agent restarts with new local credentials (RFC 8445 §9), forgets the remote ones and gathers again.
    private void RestartIceLocked(IceCredentials credentials, bool offerer)
    {
        _localCredentials = credentials;
        _offeredCredentials = null;
        _iceRestartRequested = false;
        _iceRestartInProgress = offerer;
        _iceTransport.SetLocalUsernameFragment(credentials.Ufrag);
        if (_failure?.Error == WebRtcError.IceFailed)
        {
            _failure = null;
        }

        Log.LocalIceRestart(_logger, offerer ? "offer" : "answer");
        _ice!.Restart(credentials);
        SetGatheringState(RTCIceGatheringState.Gathering);
    }

    private void ThrowIfClosed()
    {
        if (_closed)
        {
            throw new WebRtcException(WebRtcError.Closed, "The peer connection is closed.");
        }
    }

    private static List<IceServer> ParseIceServers(RTCConfiguration configuration, out bool hasTurn)
    {
        var servers = new List<IceServer>();
        hasTurn = false;
        foreach (var server in configuration.IceServers)
        {
            foreach (var parsed in IceServer.FromUrls(server.Urls, server.Username, server.Credential))
            {
                servers.Add(parsed);
                hasTurn |= parsed.Uri.IsTurn;
            }
        }

        return servers;
    }

    private IceTransport EnsureIceLocked(IceRole role)
    {
        if (_ice is not null)
        {
            return _ice;
        }

        var servers = ParseIceServers(_configuration, out var hasTurn);

        var options = new IceTransportOptions
        {
            Role = role,
            LocalCredentials = _localCredentials,
            Servers = servers,
            Policy = _configuration.IceTransportPolicy == RTCIceTransportPolicy.Relay ? IceTransportPolicy.Relay : IceTransportPolicy.All,
            IncludeLoopback = _configuration.IncludeLoopbackCandidates,
            IncludeIPv6 = _configuration.EnableIpv6,
            HostAddresses = _configuration.HostAddresses,
            SocketFactory = _socketFactory,
        };
        var relays = hasTurn ? new TurnRelayFactory(null, _timeProvider, _loggerFactory) : null;
        var ice = new IceTransport(options, relays, _timeProvider, _loggerFactory);
        ice.CandidateGathered += candidate => _dispatcher.Post(() => OnLocalCandidate(candidate));
        ice.StateChanged += state =>
        {
            _transport.SetIceUsable(state is Ice.IceConnectionState.Connected or Ice.IceConnectionState.Completed);
            _dispatcher.Post(() => OnIceStateChanged(state));
        };
        ice.SelectedPairChanged += pair => _dispatcher.Post(() =>
        {
            if (!_closed)
            {
                _iceTransport.UpdateSelectedPair(pair);
            }
        });
        _iceTransport.Attach(ice);
        _transport.AttachIce(ice);
        _ice = ice;
        return ice;
    }
}
