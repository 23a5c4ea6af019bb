using System.Collections.Concurrent;
using System.Diagnostics;
using Kvs.WebRtc.Diagnostics;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.Signaling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kvs.WebRtc.Sessions;

/// <summary>
/// The master side of a KVS signaling channel (a camera, robot or server): answers every viewer's offer with its own
/// peer connection, sends them its audio and video tracks, and exchanges data-channel messages with each viewer.
/// </summary>
/// <remarks>
/// <para>Each viewer gets an <see cref="RTCPeerConnection"/> configured with the channel's ICE servers (KVS STUN and
/// TURN) and the session's <see cref="MasterSessionOptions.Tracks"/>. A viewer counts as joined when its peer connection
/// is connected (with or without a data channel); it leaves when its connection fails or closes, its data channel
/// closes, or a new connection with the same client id replaces it. One viewer's bad SDP or failed ICE is logged and
/// ends only that viewer.</para>
/// <para>Slots: at most <see cref="MasterSessionOptions.MaxViewers"/> viewers are connected; an offer beyond is refused
/// at once with a reason the viewer understands. Viewers between offer and connection are pending: they have
/// <see cref="MasterSessionOptions.ViewerConnectTimeout"/> to connect and at most
/// <see cref="MasterSessionOptions.MaxPendingViewers"/> wait at once, the oldest evicted for a new offer. A new offer
/// under a connected viewer's client id does not disturb the working connection: it is closed when the new one
/// connects, and keeps working if the new one fails. Warnings a client causes are rate-limited per client id, and one
/// client's burst of signaling messages cannot crowd out another viewer's offer.</para>
/// <para>Members are thread-safe. Events are raised off the protocol loops; a throwing subscriber is logged and
/// isolated.</para>
/// </remarks>
/// <example>
/// <code>
/// await using var master = await MasterSession.StartAsync(new MasterSessionOptions
/// {
///     Channel = new KvsChannelOptions { Channel = "front-door", Region = "us-west-2" },
/// });
/// // Each echo awaits back-pressure; Concat keeps them in order (System.Reactive.Linq).
/// using var echo = master.Messages
///     .Select(m => Observable.FromAsync(ct => master.SendAsync(m.ClientId, $"echo: {m.Text}", ct).AsTask()))
///     .Concat()
///     .Subscribe();
/// </code>
/// </example>
public sealed partial class MasterSession : IAsyncDisposable
{
    /// <summary>The media stream id the master's tracks are announced with (<c>a=msid</c>).</summary>
    public const string StreamId = "kvs-master";

    private readonly KvsChannel _channel;
    private readonly MasterSessionOptions _options;
    private readonly ILogger _logger;
    private readonly SessionTelemetry _telemetry;
    private readonly ConcurrentDictionary<string, ViewerPeer> _peers = new(StringComparer.Ordinal);
    private readonly SessionEvents<KvsViewer> _joined;
    private readonly SessionEvents<KvsViewer> _left;
    private readonly SessionEvents<KvsPeerMessage> _messages;
    private readonly SessionEvents<KvsRemoteTrack> _remoteTracks;
    private readonly CancellationTokenSource _stop = new();
    private readonly SignalingInbox _inbox;
    private readonly ClientWarningLimiter _warnings;
    private readonly object _slots = new();
    private readonly Dictionary<string, ViewerPeer> _replacements = new(StringComparer.Ordinal);
    private long _offerSequence;
    private int _disposed;

    private MasterSession(KvsChannel channel, MasterSessionOptions options)
    {
        _channel = channel;
        _options = options;
        _logger = (options.Channel.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<MasterSession>();
        _telemetry = SessionTelemetry.For(options.Channel.MeterFactory);
        _joined = new SessionEvents<KvsViewer>(_logger, nameof(ViewerJoined));
        _left = new SessionEvents<KvsViewer>(_logger, nameof(ViewerLeft));
        _messages = new SessionEvents<KvsPeerMessage>(_logger, nameof(Messages));
        _remoteTracks = new SessionEvents<KvsRemoteTrack>(_logger, nameof(RemoteTracks));
        _warnings = new ClientWarningLimiter(_logger, options.Channel.TimeProvider ?? TimeProvider.System);
        _inbox = new SignalingInbox(
            channel.Signaling.Messages, [SignalingMessageType.SdpOffer, SignalingMessageType.SdpAnswer, SignalingMessageType.IceCandidate], HandleAsync, _logger, _warnings, _stop.Token);
    }

    /// <summary>Raised when a viewer's peer connection is connected.</summary>
    public IObservable<KvsViewer> ViewerJoined => _joined.Observable;

    /// <summary>Raised when a joined viewer leaves (channel closed, connection failed or replaced, session disposed).</summary>
    public IObservable<KvsViewer> ViewerLeft => _left.Observable;

    /// <summary>
    /// Messages from all viewers, tagged with the sender's client id and the <see cref="KvsPeerMessage.Label"/> of the
    /// data channel: every channel a viewer opens (sends go out on the first one). Channels the master opens itself
    /// through <see cref="GetPeerConnection"/> belong to the application and are not included.
    /// </summary>
    public IObservable<KvsPeerMessage> Messages => _messages.Observable;

    /// <summary>Tracks viewers send to the master (talkback audio, a viewer's camera), raised when a viewer's offer announces them.</summary>
    public IObservable<KvsRemoteTrack> RemoteTracks => _remoteTracks.Observable;

    /// <summary>The viewers whose peer connection is connected now.</summary>
    public IReadOnlyList<KvsViewer> Viewers => [.. _peers.Values.Select(p => p.Joined).OfType<KvsViewer>()];

    /// <summary>The underlying signaling channel (endpoints, ICE servers, raw signaling).</summary>
    public KvsChannel Channel => _channel;

    /// <summary>Viewers between offer and connection now, replacements of connected viewers included (for tests and stats).</summary>
    internal int PendingViewerCount
    {
        get
        {
            lock (_slots)
            {
                return PendingCount();
            }
        }
    }

    /// <summary>Resolves the channel (creating it when allowed), connects as its master and starts answering viewers.</summary>
    /// <param name="options">Channel and peer-connection options.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running session; dispose it to disconnect every viewer.</returns>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <exception cref="SignalingException">A control-plane call failed.</exception>
    /// <exception cref="SignalingException">The signaling WebSocket could not be connected.</exception>
    public static async Task<MasterSession> StartAsync(MasterSessionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        options = options.Snapshot();
        var channel = await KvsChannel.OpenMasterForSessionAsync(options.Channel, options.JoinStorageSession, cancellationToken).ConfigureAwait(false);
        var session = new MasterSession(channel, options);
        try
        {
            // Subscribed before connecting: offers buffered by the service while no master was online arrive at once.
            session.WatchStorageRejoins();
            await channel.ConnectAsync(cancellationToken).ConfigureAwait(false);
            await session.JoinStorageOnStartAsync(cancellationToken).ConfigureAwait(false);
            return session;
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Sends a text message to one viewer. The task completes once the message is in the viewer's send buffer: it waits
    /// (back-pressure) while that buffer is full, so awaiting each call keeps the master's memory flat however slow the
    /// viewer is. A call that is not awaited fails with <see cref="WebRtcError.SendBufferFull"/> once the channel's
    /// <see cref="RTCDataChannel.MaxBufferedAmount"/> (4 MiB by default) is taken, never queueing without bound.
    /// </summary>
    /// <exception cref="KvsSessionException">No viewer with that id has an open data channel (<see cref="KvsSessionError.ViewerNotConnected"/>).</exception>
    /// <exception cref="WebRtcException">The viewer's send buffer and waiting room are full (<see cref="WebRtcError.SendBufferFull"/>).</exception>
    public ValueTask SendAsync(string clientId, string text, CancellationToken cancellationToken = default) =>
        OpenChannelOf(clientId).SendAsync(text, cancellationToken);

    /// <summary>Sends a binary message to one viewer, with back-pressure as <see cref="SendAsync(string, string, CancellationToken)"/>; keep <paramref name="data"/> unchanged until the task completes.</summary>
    /// <exception cref="KvsSessionException">No viewer with that id has an open data channel (<see cref="KvsSessionError.ViewerNotConnected"/>).</exception>
    /// <exception cref="WebRtcException">The viewer's send buffer and waiting room are full (<see cref="WebRtcError.SendBufferFull"/>).</exception>
    public ValueTask SendAsync(string clientId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        OpenChannelOf(clientId).SendAsync(data, cancellationToken);

    /// <summary>
    /// Sends a text message to every joined viewer; returns how many it was sent to. The sends run side by side and each
    /// waits for its own viewer's buffer (back-pressure), so one slow viewer delays only the completion of this call, not
    /// the others' messages; a viewer that is leaving or whose buffer is full is skipped (logged).
    /// </summary>
    public Task<int> BroadcastAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return BroadcastAsync(static (channel, state, ct) => channel.SendAsync((string)state!, ct), text, cancellationToken);
    }

    /// <summary>Sends a binary message to every joined viewer, as <see cref="BroadcastAsync(string, CancellationToken)"/>; keep <paramref name="data"/> unchanged until the task completes.</summary>
    public Task<int> BroadcastAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        BroadcastAsync(static (channel, state, ct) => channel.SendAsync((ReadOnlyMemory<byte>)state!, ct), data, cancellationToken);

    private async Task<int> BroadcastAsync(Func<RTCDataChannel, object?, CancellationToken, ValueTask> send, object? state, CancellationToken cancellationToken)
    {
        var sent = 0;
        List<(string ClientId, Task Send)>? waiting = null;
        foreach (var peer in _peers.Values)
        {
            if (peer.DataChannel is not { ReadyState: RTCDataChannelState.Open } channel)
            {
                continue;
            }

            try
            {
                var pending = send(channel, state, cancellationToken);
                if (pending.IsCompletedSuccessfully)
                {
                    sent++;
                }
                else
                {
                    (waiting ??= []).Add((peer.Link.RemoteClientId, pending.AsTask()));
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or WebRtcException)
            {
                Log.SendFailed(_logger, peer.Link.RemoteClientId, ex.Message);
            }
        }

        if (waiting is null)
        {
            return sent;
        }

        foreach (var (clientId, pending) in waiting)
        {
            try
            {
                await pending.ConfigureAwait(false);
                sent++;
            }
            catch (Exception ex) when (ex is InvalidOperationException or WebRtcException)
            {
                // The viewer is leaving or cannot keep up; it must not keep the others from getting the message.
                Log.SendFailed(_logger, clientId, ex.Message);
            }
        }

        return sent;
    }

    /// <summary>The peer connection of a viewer, or null when there is none (for stats or extra channels).</summary>
    public RTCPeerConnection? GetPeerConnection(string clientId) =>
        _peers.TryGetValue(clientId, out var peer) ? peer.Link.Connection : null;

    /// <summary>Disconnects every viewer, closes the signaling channel and completes the observables. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _inbox.DisposeAsync().ConfigureAwait(false);
        List<ViewerPeer> all;
        lock (_slots)
        {
            all = [.. _peers.Values, .. _replacements.Values];
        }

        foreach (var peer in all)
        {
            await RemoveAsync(peer).ConfigureAwait(false);
        }

        await DisposeStorageAsync().ConfigureAwait(false);

        await _channel.DisposeAsync().ConfigureAwait(false);
        _joined.Dispose();
        _left.Dispose();
        _messages.Dispose();
        _remoteTracks.Dispose();
        _stop.Dispose();
    }

    private RTCDataChannel OpenChannelOf(string clientId)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        return _peers.TryGetValue(clientId, out var peer) && peer.DataChannel is { ReadyState: RTCDataChannelState.Open } channel
            ? channel
            : throw new KvsSessionException(KvsSessionError.ViewerNotConnected, $"Viewer '{clientId}' has no open data channel.");
    }

    private async Task HandleAsync(SignalingMessage message)
    {
        try
        {
            if (IsForStorageSession(message))
            {
                await HandleStorageMessageAsync(message).ConfigureAwait(false);
            }
            else if (message.Type == SignalingMessageType.SdpOffer)
            {
                await HandleOfferAsync(message).ConfigureAwait(false);
            }
            else if (message.Type == SignalingMessageType.SdpAnswer)
            {
                HandleAnswer(message);
            }
            else if (message is { IceCandidate: { } candidate, SenderClientId: { } sender } && FindNewest(sender) is { } peer)
            {
                await peer.Link.AddRemoteCandidateAsync(candidate, _stop.Token).ConfigureAwait(false);
            }
            else
            {
                Log.CandidateForUnknownViewer(_logger, message.SenderClientId);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is WebRtcException or SignalingException or InvalidOperationException or ArgumentException or ObjectDisposedException)
        {
            // A message for a peer that is being removed: that peer's own path reports it.
            WarnViewerFailed(message.SenderClientId, ex.Message);
        }
    }

    private async Task HandleOfferAsync(SignalingMessage offer)
    {
        var clock = _options.Channel.TimeProvider ?? TimeProvider.System;
        var offerReceivedAt = clock.GetTimestamp();
        var offerReceivedTime = clock.GetUtcNow();

        // Each viewer's join is a trace of its own: offer → answer, ICE, DTLS (the peer connection's spans) below it.
        var join = SessionTelemetry.StartRoot("kvs.webrtc.viewer.join", ActivityKind.Server);
        if (offer.SenderClientId is not { Length: > 0 } clientId || offer.SessionDescription is not { } description)
        {
            _telemetry.OfferReceived("failed", "invalid_offer");
            SessionTelemetry.Fail(join, "invalid_offer", "An offer without a sender client id or SDP.");
            if (_warnings.ShouldLog(offer.SenderClientId))
            {
                Log.OfferWithoutSender(_logger);
            }

            return;
        }

        if (_peers.TryGetValue(clientId, out var joined) && joined.Joined is not null && !joined.Detached
            && IceRecovery.SessionIdOf(description.Sdp) is { } sessionId && sessionId == IceRecovery.SessionIdOf(joined.Link.Connection.RemoteDescription?.Sdp))
        {
            // The connected viewer renegotiates its own connection (an ICE restart after a network change): answered on
            // the same peer connection, so media and data channels carry on (docs/recovery.md).
            join?.Dispose();
            await AnswerInPlaceAsync(joined, description.Sdp).ConfigureAwait(false);
            return;
        }

        ViewerPeer? superseded = null;
        ViewerPeer? evicted = null;
        bool refuse;
        lock (_slots)
        {
            _peers.TryGetValue(clientId, out var current);
            if (current is { Joined: not null })
            {
                // A connected viewer offers again (it restarted, or renegotiates): the working connection stays until
                // the new one connects, and is closed then; if the new one fails, the old one keeps working.
                _replacements.Remove(clientId, out superseded);
                refuse = false;
            }
            else
            {
                // A pending offer of the same client is superseded by this one.
                if (current is not null && _peers.TryRemove(new KeyValuePair<string, ViewerPeer>(clientId, current)))
                {
                    superseded = current;
                }

                refuse = JoinedCount() >= _options.MaxViewers;
            }

            if (superseded is not null)
            {
                superseded.Detached = true;
            }

            if (!refuse && PendingCount() >= _options.MaxPendingViewers)
            {
                evicted = OldestPending();
                if (evicted is not null)
                {
                    Detach(evicted);
                }
            }
        }

        if (superseded is not null)
        {
            await ReleaseAsync(superseded).ConfigureAwait(false);
        }

        if (evicted is not null)
        {
            Log.PendingViewerEvicted(_logger, evicted.Link.RemoteClientId, clientId, _options.MaxPendingViewers);
            await ReleaseAsync(evicted).ConfigureAwait(false);
        }

        join?.SetTag("kvs.webrtc.client_id", clientId);
        if (refuse)
        {
            _telemetry.OfferReceived("refused", "viewer_limit_reached");
            SessionTelemetry.Fail(join, "viewer_limit_reached", KvsSessionException.ViewerLimitReached);
            await RefuseAsync(clientId, description.Sdp, KvsSessionException.ViewerLimitReached).ConfigureAwait(false);
            return;
        }

        var servers = await IceServersForOfferAsync(join).ConfigureAwait(false);
        var link = new PeerLink(
            _channel.Signaling,
            clientId,
            clientId,
            PeerLink.WithIceServers(_options.PeerConfiguration, servers),
            new RTCPeerConnectionOptions { LoggerFactory = _options.Channel.LoggerFactory, TimeProvider = _options.Channel.TimeProvider, MeterFactory = _options.Channel.MeterFactory },
            _logger,
            _warnings);
        var peer = new ViewerPeer(link, Interlocked.Increment(ref _offerSequence)) { OfferReceivedAt = offerReceivedAt, JoinActivity = join };
        lock (_slots)
        {
            if (_peers.TryGetValue(clientId, out var current) && current.Joined is not null)
            {
                _replacements[clientId] = peer;
            }
            else
            {
                _peers[clientId] = peer;
            }
        }

        try
        {
            link.Connection.DataChannel += (_, e) => OnDataChannel(peer, e.Channel);
            link.Connection.Track += (_, e) => _remoteTracks.Emit(new KvsRemoteTrack(clientId, e.Track));
            link.Connection.ConnectionStateChanged += (_, _) =>
            {
                switch (link.Connection.ConnectionState)
                {
                    case RTCPeerConnectionState.Connected:
                        _ = OnConnectedAsync(peer);
                        break;
                    case RTCPeerConnectionState.Failed or RTCPeerConnectionState.Closed:
                        _ = RemoveAsync(peer);
                        break;
                }
            };
            link.Connection.IceConnectionStateChanged += (_, _) =>
            {
                if (IceRecovery.IsLost(link.Connection) && peer.Joined is not null)
                {
                    _ = RecoverAsync(peer);
                }
            };

            // Added before the offer is applied, so that each offered audio/video section takes the track of its kind (JSEP §5.10).
            foreach (var track in _options.Tracks)
            {
                link.Connection.AddTrack(track, StreamId);
            }

            // The clock starts before the answer: a viewer gets one timeout from its offer to a connected peer connection.
            peer.ConnectTimer = (_options.Channel.TimeProvider ?? TimeProvider.System).CreateTimer(
                static state => ((PendingTimeout)state!).Fire(), new PendingTimeout(this, peer), _options.ViewerConnectTimeout, Timeout.InfiniteTimeSpan);
            if (_options.ConfigureViewer is { } configure
                && await ConfigureViewerAsync(configure, new ViewerOffer(clientId, link.Connection, description.Sdp)).ConfigureAwait(false) is { } refusal)
            {
                _telemetry.OfferReceived("refused", "application");
                SessionTelemetry.Fail(Interlocked.Exchange(ref peer.JoinActivity, null), "application", refusal);
                await RefuseAsync(clientId, description.Sdp, refusal, tooManyViewers: false).ConfigureAwait(false);
                await RemoveAsync(peer).ConfigureAwait(false);
                return;
            }

            await link.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Offer, description.Sdp), _stop.Token).ConfigureAwait(false);
            var answer = await link.Connection.CreateAnswerAsync(_stop.Token).ConfigureAwait(false);
            await link.Connection.SetLocalDescriptionAsync(answer, _stop.Token).ConfigureAwait(false);
            await _channel.Signaling.SendAnswerAsync(SessionDescriptionPayload.Answer(answer.Sdp), clientId, cancellationToken: _stop.Token).ConfigureAwait(false);
            Log.Answered(_logger, clientId);
            _telemetry.OfferReceived("answered");
            SessionTelemetry.EmitSpan("kvs.webrtc.offer_answer", join?.Context ?? default, offerReceivedTime, clock.GetUtcNow());
        }
        catch (Exception ex) when (ex is WebRtcException or SignalingException or InvalidOperationException or ArgumentException)
        {
            _telemetry.OfferReceived("failed", SessionTelemetry.ErrorType(ex));
            SessionTelemetry.Fail(Interlocked.Exchange(ref peer.JoinActivity, null), ex);
            // One viewer's bad offer ends that offer only: a connection it was to replace keeps working.
            WarnViewerFailed(clientId, ex.Message);
            await RemoveAsync(peer).ConfigureAwait(false);
        }
    }

    // The ICE servers for a new viewer; an offer that cannot get them failed (counted, its join span ended).
    private async Task<IReadOnlyList<Kvs.WebRtc.Signaling.IceServers.IceServer>> IceServersForOfferAsync(Activity? join)
    {
        try
        {
            return await _channel.IceServers.GetIceServersAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _telemetry.OfferReceived("failed", SessionTelemetry.ErrorType(ex));
            SessionTelemetry.Fail(join, ex);
            throw;
        }
    }

    /// <summary>Runs the application's hook for one offer; returns the refusal reason, or null to answer.</summary>
    private async Task<string?> ConfigureViewerAsync(Func<ViewerOffer, CancellationToken, ValueTask> configure, ViewerOffer offer)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        limit.CancelAfter(_options.ViewerConnectTimeout);
        try
        {
            await configure(offer, limit.Token).ConfigureAwait(false);
            return offer.RefusalReason;
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // The application's hook may throw anything: it refuses that viewer only.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.ConfigureViewerFailed(_logger, offer.ClientId, ex);
            return limit.IsCancellationRequested ? "the master did not set up this viewer in time" : "the master could not set up this viewer";
        }
    }

    private async Task RefuseAsync(string clientId, string offerSdp, string reason, bool tooManyViewers = true)
    {
        if (tooManyViewers)
        {
            Log.TooManyViewers(_logger, clientId, _options.MaxViewers);
        }
        else
        {
            Log.RefusedByApplication(_logger, clientId, reason);
        }

        try
        {
            var refusal = ViewerRefusal.CreateAnswerSdp(offerSdp, reason);
            await _channel.Signaling.SendAnswerAsync(SessionDescriptionPayload.Answer(refusal), clientId, cancellationToken: _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SignalingException or InvalidOperationException or ObjectDisposedException or OperationCanceledException)
        {
            Log.RefusalNotSent(_logger, clientId, ex.Message);
        }
    }

    private void WarnViewerFailed(string? clientId, string reason)
    {
        if (_warnings.ShouldLog(clientId))
        {
            Log.ViewerFailed(_logger, clientId, reason);
        }
    }

    private void OnDataChannel(ViewerPeer peer, RTCDataChannel channel)
    {
        var clientId = peer.Link.RemoteClientId;
        channel.MessageReceived += (_, e) =>
            _messages.Emit(new KvsPeerMessage(clientId, e.Type == RTCDataChannelMessageType.Text, e.Data) { Label = channel.Label });
        if (peer.DataChannel is not null)
        {
            // The session sends on the first channel a viewer opens; messages on later ones arrive too, with their label.
            return;
        }

        peer.DataChannel = channel;
        channel.Closed += (_, _) => _ = RemoveAsync(peer);
    }

    private async Task OnConnectedAsync(ViewerPeer peer)
    {
        var clientId = peer.Link.RemoteClientId;
        var clock = _options.Channel.TimeProvider ?? TimeProvider.System;
        var viewer = new KvsViewer(clientId, clock.GetUtcNow()) { JoinTime = clock.GetElapsedTime(peer.OfferReceivedAt) };
        ViewerPeer? replaced = null;
        bool full;
        lock (_slots)
        {
            if (peer.Detached || peer.Joined is not null)
            {
                return;
            }

            var isReplacement = _replacements.TryGetValue(clientId, out var r) && ReferenceEquals(r, peer);
            full = false;
            if (isReplacement)
            {
                _replacements.Remove(clientId);
                if (_peers.TryGetValue(clientId, out var old))
                {
                    replaced = old;
                    old.Detached = true;
                }
                else
                {
                    full = JoinedCount() >= _options.MaxViewers;
                }

                if (!full)
                {
                    _peers[clientId] = peer;
                }
                else
                {
                    peer.Detached = true;
                }
            }
            else
            {
                // Pending viewers do not hold slots; the first to connect takes one.
                if (!_peers.TryGetValue(clientId, out var current) || !ReferenceEquals(current, peer))
                {
                    return;
                }

                full = JoinedCount() >= _options.MaxViewers;
                if (full && _peers.TryRemove(new KeyValuePair<string, ViewerPeer>(clientId, peer)))
                {
                    peer.Detached = true;
                }
            }

            if (!full)
            {
                peer.JoinedField = viewer;
            }
        }

        if (full)
        {
            Log.TooManyViewers(_logger, clientId, _options.MaxViewers);
            await ReleaseAsync(peer).ConfigureAwait(false);
            return;
        }

        peer.StopConnectTimer();
        if (replaced is not null)
        {
            Log.ViewerReplaced(_logger, clientId);
            await ReleaseAsync(replaced).ConfigureAwait(false);
        }

        Log.ViewerJoined(_logger, clientId);
        _telemetry.ViewersConnected.Add(1);
        if (viewer.JoinTime is { } joinTime)
        {
            _telemetry.ViewerJoinDuration.Record(joinTime.TotalSeconds);
        }

        Interlocked.Exchange(ref peer.JoinActivity, null)?.Stop();
        _joined.Emit(viewer);
    }

    private async Task DropIfNotJoinedAsync(ViewerPeer peer)
    {
        if (peer.Joined is null && !peer.Detached)
        {
            if (_warnings.ShouldLog(peer.Link.RemoteClientId))
            {
                Log.ViewerTimedOut(_logger, peer.Link.RemoteClientId, _options.ViewerConnectTimeout);
            }

            await RemoveAsync(peer).ConfigureAwait(false);
        }
    }

    /// <summary>Removes one peer, wherever it is (current or replacement), once; a replaced peer's late events do not touch its successor.</summary>
    private async Task RemoveAsync(ViewerPeer peer)
    {
        lock (_slots)
        {
            if (peer.Detached)
            {
                return;
            }

            Detach(peer);
        }

        await ReleaseAsync(peer).ConfigureAwait(false);
    }

    /// <summary>Takes <paramref name="peer"/> out of the slots (call under <see cref="_slots"/>).</summary>
    private void Detach(ViewerPeer peer)
    {
        var clientId = peer.Link.RemoteClientId;
        peer.Detached = true;
        if (!_peers.TryRemove(new KeyValuePair<string, ViewerPeer>(clientId, peer)) &&
            _replacements.TryGetValue(clientId, out var replacement) && ReferenceEquals(replacement, peer))
        {
            _replacements.Remove(clientId);
        }
    }

    /// <summary>Reports and disposes a detached peer; nothing of the session refers to it afterwards.</summary>
    private async Task ReleaseAsync(ViewerPeer peer)
    {
        peer.Detached = true;
        peer.StopConnectTimer();
        var clientId = peer.Link.RemoteClientId;
        if (peer.Joined is { } viewer && Interlocked.Exchange(ref peer.LeftReported, 1) == 0)
        {
            Log.ViewerLeft(_logger, clientId);
            _telemetry.ViewersConnected.Add(-1);
            _left.Emit(viewer);
        }

        SessionTelemetry.Fail(Interlocked.Exchange(ref peer.JoinActivity, null), "not_connected", "The viewer left before its peer connection connected.");

        if (peer.Joined is not null && FindNewest(clientId) is null)
        {
            // A viewer that was connected leaves: its suppressed warnings are summed up now. (Not for every dropped
            // offer: a client sending bad offers in a loop would get a summary line per offer.)
            _warnings.Forget(clientId);
        }

        await peer.Link.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The peer that should get the client's next ICE candidate: its pending replacement, else its current peer.</summary>
    private ViewerPeer? FindNewest(string clientId)
    {
        lock (_slots)
        {
            return _replacements.GetValueOrDefault(clientId) ?? _peers.GetValueOrDefault(clientId);
        }
    }

    // Under _slots.
    private int JoinedCount() => _peers.Values.Count(p => p.Joined is not null);

    // Under _slots.
    private int PendingCount() => _peers.Values.Count(p => p.Joined is null) + _replacements.Count;

    // Under _slots.
    private ViewerPeer? OldestPending() =>
        _peers.Values.Where(p => p.Joined is null).Concat(_replacements.Values).MinBy(p => p.OfferSequence);

    /// <summary>The state of a pending viewer's timer: it refers to the peer only until the timer is disposed.</summary>
    private sealed class PendingTimeout(MasterSession session, ViewerPeer peer)
    {
        public void Fire() => _ = session.DropIfNotJoinedAsync(peer);
    }

    private sealed class ViewerPeer(PeerLink link, long offerSequence)
    {
        public KvsViewer? JoinedField;

        public int LeftReported;

        /// <summary>The viewer's join span until it ends (connected, or released before): taken with <see cref="Interlocked.Exchange{T}(ref T, T)"/>.</summary>
        public Activity? JoinActivity;

        private ITimer? _connectTimer;

        private volatile bool _detached;

        public PeerLink Link { get; } = link;

        /// <summary>Orders pending offers: the lowest is the oldest, evicted first.</summary>
        public long OfferSequence { get; } = offerSequence;

        /// <summary>When its offer arrived (a timestamp of the channel's clock): the start of <see cref="KvsViewer.JoinTime"/>.</summary>
        public long OfferReceivedAt { get; init; }

        public RTCDataChannel? DataChannel { get; set; }

        /// <summary>The master's re-offer waiting for this viewer's answer (see <see cref="RenegotiateAsync"/>).</summary>
        public TaskCompletionSource<string>? PendingAnswer;

        /// <summary>One renegotiation of this viewer at a time.</summary>
        public SemaphoreSlim Renegotiation { get; } = new(1, 1);

        /// <summary>1 while an ICE recovery of this viewer runs (see <c>RecoverAsync</c>).</summary>
        public int Recovering;

        public KvsViewer? Joined => Volatile.Read(ref JoinedField);

        /// <summary>Out of the session's slots (removed, replaced, evicted, refused): its events change nothing any more.</summary>
        public bool Detached
        {
            get => _detached;
            set => _detached = value;
        }

        public ITimer? ConnectTimer
        {
            set => Volatile.Write(ref _connectTimer, value);
        }

        public void StopConnectTimer() => Interlocked.Exchange(ref _connectTimer, null)?.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(9145, LogLevel.Information, "Viewer {ClientId} renegotiated its connection (an ICE restart or a change); answered on the same connection")]
        public static partial void AnsweredInPlace(ILogger logger, string clientId);

        [LoggerMessage(9146, LogLevel.Warning, "The path to viewer {ClientId} is lost and the viewer did not restart ICE: restarting it from the master (attempt {Attempt})")]
        public static partial void RestartingIce(ILogger logger, string clientId, int attempt);

        [LoggerMessage(9147, LogLevel.Information, "The connection to viewer {ClientId} recovered after {Attempt} ICE restart attempt(s)")]
        public static partial void IceRecovered(ILogger logger, string clientId, int attempt);

        [LoggerMessage(9148, LogLevel.Warning, "ICE restart attempt {Attempt} toward viewer {ClientId} failed: {Reason}")]
        public static partial void RestartFailed(ILogger logger, string clientId, int attempt, string reason);

        [LoggerMessage(9100, LogLevel.Information, "Answered the offer of viewer {ClientId}")]
        public static partial void Answered(ILogger logger, string clientId);

        [LoggerMessage(9101, LogLevel.Information, "Viewer {ClientId} joined")]
        public static partial void ViewerJoined(ILogger logger, string clientId);

        [LoggerMessage(9102, LogLevel.Information, "Viewer {ClientId} left")]
        public static partial void ViewerLeft(ILogger logger, string clientId);

        [LoggerMessage(9103, LogLevel.Warning, "Viewer {ClientId} failed: {Reason}")]
        public static partial void ViewerFailed(ILogger logger, string? clientId, string reason);

        [LoggerMessage(9104, LogLevel.Warning, "Refused the offer of viewer {ClientId}: viewer limit reached ({Max} viewers are connected)")]
        public static partial void TooManyViewers(ILogger logger, string clientId, int max);

        [LoggerMessage(9105, LogLevel.Warning, "Viewer {ClientId} did not connect within {Timeout}; dropped")]
        public static partial void ViewerTimedOut(ILogger logger, string clientId, TimeSpan timeout);


        [LoggerMessage(9107, LogLevel.Debug, "ICE candidate from {ClientId}, which has no session; ignored")]
        public static partial void CandidateForUnknownViewer(ILogger logger, string? clientId);

        [LoggerMessage(9108, LogLevel.Warning, "An offer without a sender client id or SDP was ignored")]
        public static partial void OfferWithoutSender(ILogger logger);

        [LoggerMessage(9109, LogLevel.Debug, "Broadcast to {ClientId} failed: {Reason}")]
        public static partial void SendFailed(ILogger logger, string clientId, string reason);

        [LoggerMessage(9111, LogLevel.Warning, "Evicted the oldest pending viewer {ClientId} for the offer of {NewClientId}: {Max} viewers were waiting to connect")]
        public static partial void PendingViewerEvicted(ILogger logger, string clientId, string newClientId, int max);

        [LoggerMessage(9112, LogLevel.Information, "Viewer {ClientId} reconnected; its previous connection is closed")]
        public static partial void ViewerReplaced(ILogger logger, string clientId);

        [LoggerMessage(9130, LogLevel.Warning, "Viewer {ClientId} refused: ConfigureViewer threw")]
        public static partial void ConfigureViewerFailed(ILogger logger, string clientId, Exception exception);

        [LoggerMessage(9131, LogLevel.Information, "Viewer {ClientId} refused by ConfigureViewer: {Reason}")]
        public static partial void RefusedByApplication(ILogger logger, string clientId, string reason);

        [LoggerMessage(9113, LogLevel.Debug, "Could not tell viewer {ClientId} it was refused: {Reason}")]
        public static partial void RefusalNotSent(ILogger logger, string clientId, string reason);

        [LoggerMessage(9120, LogLevel.Information, "Renegotiated the connection of viewer {ClientId}")]
        public static partial void Renegotiated(ILogger logger, string clientId);

        [LoggerMessage(9121, LogLevel.Warning, "Renegotiating the connection of viewer {ClientId} failed: {Reason}; the connection keeps its previous media")]
        public static partial void RenegotiationFailed(ILogger logger, string clientId, string reason);

        [LoggerMessage(9122, LogLevel.Debug, "An answer from {ClientId}, to which no offer is waiting; ignored")]
        public static partial void UnexpectedAnswer(ILogger logger, string? clientId);
    }
}
