using System.Diagnostics;
using Kvs.WebRtc.Diagnostics;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Signaling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kvs.WebRtc.Sessions;

/// <summary>
/// The viewer side of a KVS signaling channel: offers the master a peer connection that receives its video and audio
/// (<see cref="VideoTrack"/>, <see cref="AudioTrack"/>), opens a data channel, and sends the viewer's own tracks if any.
/// </summary>
/// <remarks>
/// <see cref="ConnectAsync"/> returns when the peer connection is connected and the data channel (when asked for and
/// accepted by the master) is open, so the session is ready to send and the remote tracks exist. Remote tracks buffer
/// frames from the first packet, so nothing is lost between <see cref="ConnectAsync"/> and the first read. Members are
/// thread-safe; events are raised off the protocol loops and a throwing subscriber is logged and isolated.
/// </remarks>
/// <example>
/// <code>
/// await using var viewer = await ViewerSession.ConnectAsync(new ViewerSessionOptions
/// {
///     Channel = new KvsChannelOptions { Channel = "front-door", Region = "us-west-2" },
///     ClientId = "ops-console-1",
/// });
/// viewer.Messages.Subscribe(m => Console.WriteLine(m.Text));
/// await viewer.SendAsync("hello");
/// await foreach (var frame in viewer.VideoTrack!.ReadFramesAsync()) { /* decode or record */ }
/// </code>
/// </example>
public sealed partial class ViewerSession : IAsyncDisposable
{
    /// <summary>The <see cref="KvsPeerMessage.ClientId"/> of messages that come from the master.</summary>
    public const string MasterClientId = "MASTER";

    private readonly KvsChannel _channel;
    private readonly ViewerSessionOptions _options;
    private readonly ILogger _logger;
    private readonly SessionEvents<KvsPeerMessage> _messages;
    private readonly SessionEvents<RTCDataChannel> _dataChannels;
    private readonly SessionEvents<RemoteMediaTrack> _remoteTracks;
    private readonly List<RemoteMediaTrack> _emittedTracks = [];
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly SignalingInbox _inbox;
    private readonly TimeProvider _clock;
    private readonly long _started;
    private readonly DateTimeOffset _startedAt;
    private readonly TaskCompletionSource<ConnectTimeline> _firstFrame = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _signalingConnected = NotYet;
    private long _offerSent = NotYet;
    private long _answerReceived = NotYet;
    private long _iceConnected = NotYet;
    private long _dtlsConnected = NotYet;
    private RemoteMediaTrack? _frameTrack;
    private readonly SessionTelemetry _telemetry;
    private ActivityContext _connectSpan;
    private DateTimeOffset _offerSentAt;
    private int _offerAnswerEmitted;
    private PeerLink? _link;
    private RTCDataChannel? _dataChannel;
    private int _disposed;
    private readonly SemaphoreSlim _restartGate = new(1, 1);
    private TaskCompletionSource? _restartAnswer;
    private int _recovering;

    private ViewerSession(KvsChannel channel, ViewerSessionOptions options, TimeProvider clock, long started, DateTimeOffset startedAt)
    {
        _channel = channel;
        _options = options;
        _clock = clock;
        _started = started;
        _startedAt = startedAt;
        _logger = (options.Channel.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<ViewerSession>();
        _telemetry = SessionTelemetry.For(options.Channel.MeterFactory);
        _messages = new SessionEvents<KvsPeerMessage>(_logger, nameof(Messages));
        _dataChannels = new SessionEvents<RTCDataChannel>(_logger, nameof(DataChannels), replay: MaxReplayedDataChannels);
        _remoteTracks = new SessionEvents<RemoteMediaTrack>(_logger, nameof(RemoteTracks), replay: MaxReplayedDataChannels);
        _inbox = new SignalingInbox(
            channel.Signaling.Messages,
            [SignalingMessageType.SdpAnswer, SignalingMessageType.SdpOffer, SignalingMessageType.IceCandidate],
            HandleAsync,
            _logger,
            new ClientWarningLimiter(_logger, clock),
            _stop.Token);
    }

    /// <summary>How many data channels <see cref="DataChannels"/> replays to a new subscriber.</summary>
    public const int MaxReplayedDataChannels = 64;

    private const long NotYet = long.MinValue;

    /// <summary>The wait before the one retry of a signaling connect refused with ClientLimitExceededException.</summary>
    private static readonly TimeSpan s_limitRetryDelay = TimeSpan.FromSeconds(1.1);

    /// <summary>
    /// The milestones of the connect so far, from the call of <see cref="ConnectAsync"/> (signaling, offer, answer, ICE,
    /// DTLS, first RTP packet, first key frame): a snapshot, read it again for later milestones. Time to first frame is
    /// <see cref="ConnectTimeline.FirstKeyFrame"/>; see <see cref="FirstFrame"/> to wait for it.
    /// </summary>
    public ConnectTimeline Timeline => new(
        _startedAt,
        Since(Interlocked.Read(ref _signalingConnected)),
        Since(Interlocked.Read(ref _offerSent)),
        Since(Interlocked.Read(ref _answerReceived)),
        Since(Interlocked.Read(ref _iceConnected)),
        Since(Interlocked.Read(ref _dtlsConnected)),
        Since(Volatile.Read(ref _frameTrack)?.FirstPacketTimestamp ?? NotYet),
        Since(Volatile.Read(ref _frameTrack)?.FirstKeyFrameTimestamp ?? NotYet));

    /// <summary>
    /// Completes with the <see cref="Timeline"/> once the first complete key frame of the master's video is readable from
    /// <see cref="VideoTrack"/> (the first frame of <see cref="AudioTrack"/> when the master sends no video). Stays pending
    /// while no media arrives; canceled when the session is disposed first. Reading frames is not needed for it to complete.
    /// </summary>
    public Task<ConnectTimeline> FirstFrame => _firstFrame.Task;

    /// <summary>
    /// Messages from the master (their <see cref="KvsPeerMessage.ClientId"/> is <see cref="MasterClientId"/>), on the
    /// viewer's own data channel and on every channel the master opens; <see cref="KvsPeerMessage.Label"/> tells the
    /// channels apart.
    /// </summary>
    public IObservable<KvsPeerMessage> Messages => _messages.Observable;

    /// <summary>
    /// The session's data channels: the viewer's own (<see cref="DataChannel"/>, when it opens one) and each channel the
    /// master opens. Replayed (up to <see cref="MaxReplayedDataChannels"/>) to every subscriber, so a subscriber attached
    /// after <see cref="ConnectAsync"/> also gets the channels the master opened before; completes on dispose.
    /// </summary>
    public IObservable<RTCDataChannel> DataChannels => _dataChannels.Observable;

    /// <summary>
    /// The master's audio and video tracks this viewer receives: those of the first answer (also in
    /// <see cref="VideoTrack"/>/<see cref="AudioTrack"/>) and any the master adds later by re-offering
    /// (<see cref="MasterSession.AddTrackAsync"/>). Replayed (up to <see cref="MaxReplayedDataChannels"/>) to every
    /// subscriber; completes on dispose.
    /// </summary>
    public IObservable<RemoteMediaTrack> RemoteTracks => _remoteTracks.Observable;

    /// <summary>The peer connection to the master.</summary>
    public RTCPeerConnection PeerConnection => _link?.Connection ?? throw new InvalidOperationException("The session is not connected.");

    /// <summary>
    /// The data channel to the master (open once <see cref="ConnectAsync"/> returned): the viewer's own, or, when it opens
    /// none (<see cref="ViewerSessionOptions.OpenDataChannel"/> false), the first channel the master opens.
    /// </summary>
    /// <exception cref="InvalidOperationException">No data channel: none asked for and none opened by the master yet, or not connected.</exception>
    public RTCDataChannel DataChannel => _dataChannel ?? throw new InvalidOperationException("The session has no data channel.");

    /// <summary>The master's video, once its answer says it sends video; null otherwise.</summary>
    public RemoteMediaTrack? VideoTrack { get; private set; }

    /// <summary>The master's audio, once its answer says it sends audio; null otherwise.</summary>
    public RemoteMediaTrack? AudioTrack { get; private set; }

    /// <summary>The underlying signaling channel (endpoints, ICE servers, raw signaling).</summary>
    public KvsChannel Channel => _channel;

    /// <summary>
    /// Resolves the channel, connects as a viewer, offers a peer connection with one data channel to the master, and
    /// returns once that data channel is open.
    /// </summary>
    /// <param name="options">Channel, client id and peer-connection options.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>The connected session.</returns>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <exception cref="SignalingException">A control-plane call failed.</exception>
    /// <exception cref="SignalingException">The signaling WebSocket could not be connected or the offer not sent.</exception>
    /// <exception cref="WebRtcException">The peer connection failed (ICE, DTLS, SCTP), or the master's answer was bad.</exception>
    /// <exception cref="KvsSessionException">
    /// <see cref="KvsSessionError.ConnectTimeout"/>: no answer, connection or open data channel within
    /// <see cref="ViewerSessionOptions.ConnectTimeout"/>. <see cref="KvsSessionError.ViewerRefused"/>: the master refused
    /// the viewer, e.g. <see cref="KvsSessionException.ViewerLimitReached"/>, thrown as soon as its answer arrives; or the
    /// signaling service refused it at the channel's viewer limit (<see cref="KvsSessionException.RefusedBySignalingService"/>,
    /// after one retry a second later).
    /// </exception>
    public static async Task<ViewerSession> ConnectAsync(ViewerSessionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        options = options.Snapshot();
        var clock = options.Channel.TimeProvider ?? TimeProvider.System;
        var started = clock.GetTimestamp();
        var startedAt = clock.GetUtcNow();
        var channel = await KvsChannel.OpenViewerAsync(options.Channel, options.ClientId, cancellationToken).ConfigureAwait(false);
        var session = new ViewerSession(channel, options, clock, started, startedAt);
        try
        {
            await session.StartAsync(cancellationToken).ConfigureAwait(false);
            return session;
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Sends a text message to the master (waits while the channel's buffer is full).</summary>
    public ValueTask SendAsync(string text, CancellationToken cancellationToken = default) => DataChannel.SendAsync(text, cancellationToken);

    /// <summary>Sends a binary message to the master (waits while the channel's buffer is full).</summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) => DataChannel.SendAsync(data, cancellationToken);

    /// <summary>
    /// Restarts ICE with the master now (RFC 8445 §9): a new offer with new ICE credentials goes over signaling, the
    /// master answers it on the same peer connection, and host candidates are gathered again, so the connection moves to
    /// the device's current network while media, data channels and DTLS carry on. The session does this by itself when
    /// the path to the master is lost (ICE disconnected or failed), retrying with back-off while it runs; call this when
    /// the application learns earlier that the network changed (see <c>docs/recovery.md</c>).
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait for the master's answer (the offer is withdrawn).</param>
    /// <returns>A task that completes once the master's answer is applied (checks on the new candidates then run).</returns>
    /// <exception cref="InvalidOperationException">The session is not connected.</exception>
    /// <exception cref="KvsSessionException">No answer within <see cref="ViewerSessionOptions.ConnectTimeout"/> (<see cref="KvsSessionError.AnswerTimeout"/>).</exception>
    /// <exception cref="WebRtcException">The master's answer was not acceptable.</exception>
    /// <exception cref="SignalingException">The offer could not be sent.</exception>
    public async Task RestartIceAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var link = _link is { } l && _connected.Task.IsCompletedSuccessfully ? l : throw new InvalidOperationException("The session is not connected.");
        await _restartGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await RestartIceCoreAsync(link, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _restartGate.Release();
        }
    }

    private async Task RestartIceCoreAsync(PeerLink link, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        limit.CancelAfter(_options.ConnectTimeout);
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _restartAnswer, answered);
        try
        {
            await link.RefreshIceServersAsync(_channel.IceServers, _options.PeerConfiguration, limit.Token).ConfigureAwait(false);
            link.Connection.RestartIce();
            var offer = await link.Connection.CreateOfferAsync(limit.Token).ConfigureAwait(false);
            await link.Connection.SetLocalDescriptionAsync(offer, limit.Token).ConfigureAwait(false);
            await _channel.Signaling.SendOfferAsync(SessionDescriptionPayload.Offer(offer.Sdp), cancellationToken: limit.Token).ConfigureAwait(false);
            await answered.Task.WaitAsync(limit.Token).ConfigureAwait(false);
            Log.IceRestarted(_logger);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested && !_stop.IsCancellationRequested)
        {
            throw new KvsSessionException(KvsSessionError.AnswerTimeout, $"The master did not answer the ICE restart within {_options.ConnectTimeout}.");
        }
        finally
        {
            Volatile.Write(ref _restartAnswer, null);
            if (link.Connection.SignalingState == RTCSignalingState.HaveLocalOffer)
            {
                try
                {
                    await link.Connection.SetLocalDescriptionAsync(new RTCSessionDescription(RTCSdpType.Rollback, string.Empty), CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is WebRtcException or ObjectDisposedException)
                {
                    // Closing.
                }
            }
        }
    }

    // The path to the master was lost: the viewer, the offerer, restarts ICE (the master waits for it, docs/recovery.md),
    // then again with back-off while the session runs and the path is not back.
    private async Task RecoverAsync(PeerLink link)
    {
        if (Interlocked.Exchange(ref _recovering, 1) != 0)
        {
            return;
        }

        try
        {
            for (var attempt = 1; !_stop.IsCancellationRequested && !IceRecovery.IsUp(link.Connection); attempt++)
            {
                Log.RestartingIce(_logger, attempt, link.Connection.IceConnectionState);
                try
                {
                    await _restartGate.WaitAsync(_stop.Token).ConfigureAwait(false);
                    try
                    {
                        await RestartIceCoreAsync(link, _stop.Token).ConfigureAwait(false);
                    }
                    finally
                    {
                        _restartGate.Release();
                    }

                    if (await IceRecovery.WaitUpAsync(link.Connection, _options.ConnectTimeout, _clock, _stop.Token).ConfigureAwait(false))
                    {
                        Log.IceRecovered(_logger, attempt);
                        return;
                    }
                }
                catch (Exception ex) when (ex is KvsSessionException or TimeoutException or WebRtcException or SignalingException or InvalidOperationException)
                {
                    Log.RestartFailed(_logger, attempt, ex.Message);
                }

                await Task.Delay(IceRecovery.BackOff(attempt), _clock, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException && _stop.IsCancellationRequested)
        {
        }
        finally
        {
            Volatile.Write(ref _recovering, 0);
        }
    }

    /// <summary>Closes the peer connection and the signaling channel and completes <see cref="Messages"/>. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _inbox.DisposeAsync().ConfigureAwait(false);
        if (_link is not null)
        {
            await _link.DisposeAsync().ConfigureAwait(false);
        }

        await _channel.DisposeAsync().ConfigureAwait(false);
        _firstFrame.TrySetCanceled();
        _messages.Dispose();
        _dataChannels.Dispose();
        _remoteTracks.Dispose();
        _stop.Dispose();
    }

    // The connect span: signaling connect, offer → answer, ICE and DTLS (the peer connection's spans) are its children.
    private async Task StartAsync(CancellationToken cancellationToken)
    {
        using var activity = SessionTelemetry.Source.StartActivity("kvs.webrtc.viewer.connect", ActivityKind.Client);
        _connectSpan = activity?.Context ?? default;
        try
        {
            await StartCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (activity is not null)
        {
            SessionTelemetry.Fail(activity, ex);
            throw;
        }
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        var ct = timeout.Token;
        try
        {
            await ConnectSignalingAsync(ct).ConfigureAwait(false);
            Mark(ref _signalingConnected);
            var servers = await _channel.IceServers.GetIceServersAsync(ct).ConfigureAwait(false);
            var link = new PeerLink(
                _channel.Signaling,
                MasterClientId,
                recipientClientId: null,
                PeerLink.WithIceServers(_options.PeerConfiguration, servers),
                new RTCPeerConnectionOptions { LoggerFactory = _options.Channel.LoggerFactory, TimeProvider = _options.Channel.TimeProvider, MeterFactory = _options.Channel.MeterFactory },
                _logger);
            _link = link;
            link.Connection.ConnectionStateChanged += (_, _) =>
            {
                switch (link.Connection.ConnectionState)
                {
                    case RTCPeerConnectionState.Connected:
                        _connected.TrySetResult();
                        break;
                    case RTCPeerConnectionState.Failed:
                        Fail(link.Connection.Failure ?? new WebRtcException(WebRtcError.IceFailed, "The connection to the master failed."));
                        break;
                }
            };
            link.Connection.IceConnectionStateChanged += (_, _) =>
            {
                if (IceRecovery.IsLost(link.Connection) && _connected.Task.IsCompletedSuccessfully && Volatile.Read(ref _disposed) == 0)
                {
                    _ = RecoverAsync(link);
                }
            };
            link.Connection.Track += (_, e) =>
            {
                if (e.Track.Kind == MediaStreamTrackKind.Video)
                {
                    VideoTrack ??= e.Track;
                }
                else
                {
                    AudioTrack ??= e.Track;
                }

                EmitTrack(e.Track);
            };

            if (_options.JoinStorageSession)
            {
                AddStorageSessionTracks(link.Connection);
            }
            else
            {
                AddTransceivers(link.Connection);
            }

            // Attached before the offer: a channel the master opens (in-band, any time once connected) is never missed.
            link.Connection.DataChannel += (_, e) => OnRemoteDataChannel(e.Channel);
            if (_options.OpenDataChannel && !_options.JoinStorageSession)
            {
                var dataChannel = link.Connection.CreateDataChannel(_options.DataChannelLabel);
                _dataChannel = dataChannel;
                dataChannel.MessageReceived += (_, e) => OnMessage(dataChannel, e);
                dataChannel.Opened += (_, _) => _opened.TrySetResult();
                _dataChannels.Emit(dataChannel);
            }
            else
            {
                _opened.TrySetResult();
            }

            if (_options.JoinStorageSession)
            {
                WatchTransports(link.Connection);
                await JoinStorageSessionUntilOfferAsync(ct).ConfigureAwait(false);
            }
            else
            {
                var offer = await link.Connection.CreateOfferAsync(ct).ConfigureAwait(false);
                await link.Connection.SetLocalDescriptionAsync(offer, ct).ConfigureAwait(false);
                WatchTransports(link.Connection);
                _offerSentAt = _clock.GetUtcNow();
                Mark(ref _offerSent); // before the send: the answer can arrive before the send call returns
                await _channel.Signaling.SendOfferAsync(SessionDescriptionPayload.Offer(offer.Sdp), cancellationToken: ct).ConfigureAwait(false);
            }

            await _connected.Task.WaitAsync(ct).ConfigureAwait(false);

            // Connected implies the answer was applied; its Track events may still be queued behind the state event on
            // a fast loopback, so take the remote tracks from the negotiated transceivers now.
            foreach (var transceiver in link.Connection.GetTransceivers())
            {
                if (transceiver.CurrentDirection is RTCRtpTransceiverDirection.RecvOnly or RTCRtpTransceiverDirection.SendRecv)
                {
                    if (transceiver.Kind == MediaStreamTrackKind.Video)
                    {
                        VideoTrack ??= transceiver.Receiver.Track;
                    }
                    else
                    {
                        AudioTrack ??= transceiver.Receiver.Track;
                    }

                    EmitTrack(transceiver.Receiver.Track);
                }
            }

            await _opened.Task.WaitAsync(ct).ConfigureAwait(false);
            Log.Connected(_logger, _options.ClientId);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new KvsSessionException(KvsSessionError.ConnectTimeout, _connected.Task.IsCompletedSuccessfully
                ? $"The data channel to the master did not open within {_options.ConnectTimeout}."
                : $"The connection to the master was not established within {_options.ConnectTimeout}.");
        }
    }

    // KVS refuses a viewer at the channel's viewer limit and a too fast connect with the same 400
    // ClientLimitExceededException: a retry after the per-second rate window tells them apart; a second refusal is the
    // viewer limit, reported at once instead of waiting for the connect timeout.
    private async Task ConnectSignalingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _channel.ConnectAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (SignalingException ex) when (ex.Error == SignalingError.ClientLimitExceeded)
        {
            Log.LimitExceededRetry(_logger, s_limitRetryDelay.TotalMilliseconds);
        }

        await Task.Delay(s_limitRetryDelay, _clock, cancellationToken).ConfigureAwait(false);
        try
        {
            await _channel.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SignalingException ex) when (ex.Error == SignalingError.ClientLimitExceeded)
        {
            Log.ServiceRefused(_logger);
            throw KvsSessionException.RefusedAtServiceLimit(ex);
        }
    }

    private void OnRemoteDataChannel(RTCDataChannel channel)
    {
        channel.MessageReceived += (_, e) => OnMessage(channel, e);
        Interlocked.CompareExchange(ref _dataChannel, channel, null);
        Log.RemoteDataChannel(_logger, channel.Label);
        _dataChannels.Emit(channel);
    }

    private void OnMessage(RTCDataChannel channel, RTCDataChannelMessageEventArgs e) =>
        _messages.Emit(new KvsPeerMessage(MasterClientId, e.Type == RTCDataChannelMessageType.Text, e.Data) { Label = channel.Label });

    // One transceiver per kind: sendrecv with the viewer's own track of that kind, else recvonly when receiving that kind.
    private void AddTransceivers(RTCPeerConnection connection)
    {
        foreach (var kind in (ReadOnlySpan<MediaStreamTrackKind>)[MediaStreamTrackKind.Video, MediaStreamTrackKind.Audio])
        {
            var receive = kind == MediaStreamTrackKind.Video ? _options.ReceiveVideo : _options.ReceiveAudio;
            var track = _options.Tracks.FirstOrDefault(t => t.Kind == kind);
            if (track is not null)
            {
                connection.AddTransceiver(track, new RTCRtpTransceiverInit
                {
                    Direction = receive ? RTCRtpTransceiverDirection.SendRecv : RTCRtpTransceiverDirection.SendOnly, StreamIds = [_options.ClientId],
                });
            }
            else if (receive)
            {
                connection.AddTransceiver(kind, new RTCRtpTransceiverInit { Direction = RTCRtpTransceiverDirection.RecvOnly });
            }
        }
    }

    private async Task HandleAsync(SignalingMessage message)
    {
        var link = _link;
        if (link is null)
        {
            Log.MessageBeforeOffer(_logger, message.Type);
            return;
        }

        try
        {
            if (message is { Type: SignalingMessageType.SdpAnswer, SessionDescription: { } refusal } &&
                ViewerRefusal.TryGetReason(refusal.Sdp, out var reason))
            {
                Log.Refused(_logger, reason);
                EmitOfferAnswer("refused");
                Fail(KvsSessionException.RefusedByMaster(reason));
            }
            else if (message is { Type: SignalingMessageType.SdpAnswer, SessionDescription: { } answer })
            {
                Mark(ref _answerReceived);
                EmitOfferAnswer("answered");
                await link.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Answer, answer.Sdp), _stop.Token).ConfigureAwait(false);
                Volatile.Read(ref _restartAnswer)?.TrySetResult();
                WatchFirstFrame(link.Connection);
                if (_dataChannel is not null && !AcceptsDataChannel(answer.Sdp))
                {
                    // A master without data channels (a media-only camera): media still works.
                    Log.DataChannelRejected(_logger);
                    _opened.TrySetResult();
                }
            }
            else if (message is { Type: SignalingMessageType.SdpOffer, SessionDescription: { } offer })
            {
                // The master renegotiates (it added a track or a transceiver), or the storage session makes its first
                // offer (JoinStorageSession): answer it on the same connection.
                var first = OnStorageSessionOffer();
                await link.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Offer, offer.Sdp), _stop.Token).ConfigureAwait(false);
                var reply = await link.Connection.CreateAnswerAsync(_stop.Token).ConfigureAwait(false);
                await link.Connection.SetLocalDescriptionAsync(reply, _stop.Token).ConfigureAwait(false);
                await _channel.Signaling.SendAnswerAsync(SessionDescriptionPayload.Answer(reply.Sdp), cancellationToken: _stop.Token).ConfigureAwait(false);
                WatchFirstFrame(link.Connection);
                if (first)
                {
                    Mark(ref _answerReceived);
                    EmitOfferAnswer("answered");
                    Log.StorageSessionAnswered(_logger);
                }
                else
                {
                    Log.Renegotiated(_logger);
                }
            }
            else if (message.IceCandidate is { } candidate)
            {
                await link.AddRemoteCandidateAsync(candidate, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (WebRtcException ex) when (message.Type == SignalingMessageType.SdpOffer)
        {
            // A bad re-offer leaves the working connection as it is.
            Log.BadOffer(_logger, ex.Message);
        }
        catch (SignalingException ex) when (message.Type == SignalingMessageType.SdpOffer)
        {
            Log.BadOffer(_logger, ex.Message);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (WebRtcException ex)
        {
            Log.BadAnswer(_logger, ex.Message);
            Volatile.Read(ref _restartAnswer)?.TrySetException(ex);
            Fail(ex);
        }
    }

    // Fails the connect; both tasks are marked observed, so whichever ConnectAsync does not await leaves no unobserved exception.
    private void Fail(Exception error)
    {
        _connected.TrySetException(error);
        _opened.TrySetException(error);
        _ = _connected.Task.Exception;
        _ = _opened.Task.Exception;
    }

    // ICE and DTLS milestones from the W3C transport objects (the BUNDLE transport, which every negotiated receiver shares);
    // a session without media sections has none before the answer, so it watches the connection's own states.
    private void WatchTransports(RTCPeerConnection connection)
    {
        var dtls = connection.GetTransceivers().Select(t => t.Receiver.Transport).FirstOrDefault(t => t is not null);
        if (dtls is not null)
        {
            dtls.IceTransport.StateChanged += (_, _) =>
            {
                if (dtls.IceTransport.State is RTCIceConnectionState.Connected or RTCIceConnectionState.Completed)
                {
                    Mark(ref _iceConnected);
                }
            };
            dtls.StateChanged += (_, _) =>
            {
                if (dtls.State == RTCDtlsTransportState.Connected)
                {
                    MarkDtlsConnected();
                }
            };
            return;
        }

        connection.IceConnectionStateChanged += (_, _) =>
        {
            if (connection.IceConnectionState is RTCIceConnectionState.Connected or RTCIceConnectionState.Completed)
            {
                Mark(ref _iceConnected);
            }
        };
        connection.ConnectionStateChanged += (_, _) =>
        {
            if (connection.ConnectionState == RTCPeerConnectionState.Connected)
            {
                MarkDtlsConnected(); // connected = ICE and DTLS connected
            }
        };
    }

    // Once a description is applied: the track whose first key frame is the first frame is the received video, else audio.
    // Each remote track once, whichever comes first: its Track event or the look at the transceivers after connecting.
    private void EmitTrack(RemoteMediaTrack track)
    {
        lock (_emittedTracks)
        {
            if (_emittedTracks.Contains(track))
            {
                return;
            }

            _emittedTracks.Add(track);
        }

        _remoteTracks.Emit(track);
    }

    private void WatchFirstFrame(RTCPeerConnection connection)
    {
        if (Volatile.Read(ref _frameTrack) is not null)
        {
            return;
        }

        RemoteMediaTrack? video = null;
        RemoteMediaTrack? audio = null;
        foreach (var transceiver in connection.GetTransceivers())
        {
            if (transceiver.CurrentDirection is RTCRtpTransceiverDirection.RecvOnly or RTCRtpTransceiverDirection.SendRecv)
            {
                if (transceiver.Kind == MediaStreamTrackKind.Video)
                {
                    video ??= transceiver.Receiver.Track;
                }
                else
                {
                    audio ??= transceiver.Receiver.Track;
                }
            }
        }

        if ((video ?? audio) is not { } track || Interlocked.CompareExchange(ref _frameTrack, track, null) is not null)
        {
            return;
        }

        track.FirstKeyFrame.ContinueWith(
            static (_, state) => ((ViewerSession)state!).OnFirstFrame(), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void OnFirstFrame()
    {
        var timeline = Timeline;
        Log.FirstFrame(_logger, timeline.FirstKeyFrame?.TotalMilliseconds ?? 0);
        if (_firstFrame.TrySetResult(timeline) && timeline.FirstKeyFrame is { } timeToFirstFrame)
        {
            _telemetry.TimeToFirstFrame.Record(timeToFirstFrame.TotalSeconds);
        }
    }

    // The offer → answer span, once (the first answer, or the refusal).
    private void EmitOfferAnswer(string result)
    {
        if (Interlocked.Exchange(ref _offerAnswerEmitted, 1) == 0)
        {
            SessionTelemetry.EmitSpan(
                "kvs.webrtc.offer_answer", _connectSpan, _offerSentAt, _clock.GetUtcNow(), new KeyValuePair<string, object?>(SessionTelemetry.OfferResultTag, result));
        }
    }

    // DTLS can finish on a working candidate pair before the controlling agent's nomination makes ICE "connected"; the
    // pair evidently worked, so ICE counts as connected no later than DTLS.
    private void MarkDtlsConnected()
    {
        Mark(ref _iceConnected);
        Mark(ref _dtlsConnected);
    }

    private void Mark(ref long milestone) => Interlocked.CompareExchange(ref milestone, _clock.GetTimestamp(), NotYet);

    private TimeSpan? Since(long timestamp) => timestamp == NotYet ? null : _clock.GetElapsedTime(_started, timestamp);

    private static bool AcceptsDataChannel(string sdp) =>
        Internal.SdpMediaSections.TryParse(sdp, out var sections) && sections.Any(m => m.IsDataChannel && !m.IsRejected);

    private static partial class Log
    {
        [LoggerMessage(9204, LogLevel.Warning, "The master's answer rejected the data channel; the session carries media only")]
        public static partial void DataChannelRejected(ILogger logger);

        [LoggerMessage(9200, LogLevel.Information, "Viewer {ClientId} connected")]
        public static partial void Connected(ILogger logger, string clientId);

        [LoggerMessage(9201, LogLevel.Warning, "The master's answer was rejected: {Reason}")]
        public static partial void BadAnswer(ILogger logger, string reason);


        [LoggerMessage(9205, LogLevel.Warning, "The master refused this viewer: {Reason}")]
        public static partial void Refused(ILogger logger, string reason);

        [LoggerMessage(9210, LogLevel.Information, "The signaling service refused the connect with ClientLimitExceededException (viewer limit or connect rate); retrying once in {Milliseconds:0} ms")]
        public static partial void LimitExceededRetry(ILogger logger, double milliseconds);

        [LoggerMessage(9211, LogLevel.Warning, "The signaling service refused this viewer again with ClientLimitExceededException: the channel's viewer limit is reached")]
        public static partial void ServiceRefused(ILogger logger);

        [LoggerMessage(9207, LogLevel.Information, "Answered the master's new offer")]
        public static partial void Renegotiated(ILogger logger);

        [LoggerMessage(9208, LogLevel.Warning, "The master's new offer was rejected: {Reason}")]
        public static partial void BadOffer(ILogger logger, string reason);

        [LoggerMessage(9206, LogLevel.Debug, "The master opened data channel '{Label}'")]
        public static partial void RemoteDataChannel(ILogger logger, string label);

        [LoggerMessage(9209, LogLevel.Debug, "First frame from the master {Milliseconds:0} ms after the connect began")]
        public static partial void FirstFrame(ILogger logger, double milliseconds);

        [LoggerMessage(9212, LogLevel.Information, "ICE restart answered by the master; checks run on the new candidates")]
        public static partial void IceRestarted(ILogger logger);

        [LoggerMessage(9213, LogLevel.Warning, "The path to the master is lost (ICE {State}): restarting ICE, attempt {Attempt}")]
        public static partial void RestartingIce(ILogger logger, int attempt, RTCIceConnectionState state);

        [LoggerMessage(9214, LogLevel.Information, "The connection to the master recovered after {Attempt} ICE restart attempt(s)")]
        public static partial void IceRecovered(ILogger logger, int attempt);

        [LoggerMessage(9215, LogLevel.Warning, "ICE restart attempt {Attempt} failed: {Reason}")]
        public static partial void RestartFailed(ILogger logger, int attempt, string reason);

        [LoggerMessage(9203, LogLevel.Debug, "A {Type} arrived before the offer was sent; ignored")]
        public static partial void MessageBeforeOffer(ILogger logger, SignalingMessageType type);
    }
}
