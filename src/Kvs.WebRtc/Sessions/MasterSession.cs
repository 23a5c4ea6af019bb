using System.Collections.Concurrent;
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
/// closes, or a new offer with the same client id replaces it. One viewer's bad SDP or failed ICE is logged and ends
/// only that viewer.</para>
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
    private readonly ConcurrentDictionary<string, ViewerPeer> _peers = new(StringComparer.Ordinal);
    private readonly SessionEvents<KvsViewer> _joined;
    private readonly SessionEvents<KvsViewer> _left;
    private readonly SessionEvents<KvsPeerMessage> _messages;
    private readonly SessionEvents<KvsRemoteTrack> _remoteTracks;
    private readonly CancellationTokenSource _stop = new();
    private readonly SignalingInbox _inbox;
    private int _disposed;

    private MasterSession(KvsChannel channel, MasterSessionOptions options)
    {
        _channel = channel;
        _options = options;
        _logger = (options.Channel.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<MasterSession>();
        _joined = new SessionEvents<KvsViewer>(_logger, nameof(ViewerJoined));
        _left = new SessionEvents<KvsViewer>(_logger, nameof(ViewerLeft));
        _messages = new SessionEvents<KvsPeerMessage>(_logger, nameof(Messages));
        _remoteTracks = new SessionEvents<KvsRemoteTrack>(_logger, nameof(RemoteTracks));
        _inbox = new SignalingInbox(
            channel.Signaling, [SignalingMessageType.SdpOffer, SignalingMessageType.IceCandidate], HandleAsync, _logger, _stop.Token);
    }

    /// <summary>Raised when a viewer's peer connection is connected.</summary>
    public IObservable<KvsViewer> ViewerJoined => _joined.Observable;

    /// <summary>Raised when a joined viewer leaves (channel closed, connection failed or replaced, session disposed).</summary>
    public IObservable<KvsViewer> ViewerLeft => _left.Observable;

    /// <summary>Messages from all viewers, tagged with the sender's client id.</summary>
    public IObservable<KvsPeerMessage> Messages => _messages.Observable;

    /// <summary>Tracks viewers send to the master (talkback audio, a viewer's camera), raised when a viewer's offer announces them.</summary>
    public IObservable<KvsRemoteTrack> RemoteTracks => _remoteTracks.Observable;

    /// <summary>The viewers whose peer connection is connected now.</summary>
    public IReadOnlyList<KvsViewer> Viewers => [.. _peers.Values.Select(p => p.Joined).OfType<KvsViewer>()];

    /// <summary>The underlying signaling channel (endpoints, ICE servers, raw signaling).</summary>
    public KvsChannel Channel => _channel;

    /// <summary>Resolves the channel (creating it when allowed), connects as its master and starts answering viewers.</summary>
    /// <param name="options">Channel and peer-connection options.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running session; dispose it to disconnect every viewer.</returns>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <exception cref="Kvs.WebRtc.Signaling.ControlPlane.KinesisVideoException">A control-plane call failed.</exception>
    /// <exception cref="SignalingException">The signaling WebSocket could not be connected.</exception>
    public static async Task<MasterSession> StartAsync(MasterSessionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var channel = await KvsChannel.OpenMasterAsync(options.Channel, cancellationToken).ConfigureAwait(false);
        var session = new MasterSession(channel, options);
        try
        {
            // Subscribed before connecting: offers buffered by the service while no master was online arrive at once.
            await channel.ConnectAsync(cancellationToken).ConfigureAwait(false);
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
    /// <exception cref="InvalidOperationException">No viewer with that id has an open data channel.</exception>
    /// <exception cref="WebRtcException">The viewer's send buffer and waiting room are full (<see cref="WebRtcError.SendBufferFull"/>).</exception>
    public ValueTask SendAsync(string clientId, string text, CancellationToken cancellationToken = default) =>
        OpenChannelOf(clientId).SendAsync(text, cancellationToken);

    /// <summary>Sends a binary message to one viewer, with back-pressure as <see cref="SendAsync(string, string, CancellationToken)"/>; keep <paramref name="data"/> unchanged until the task completes.</summary>
    /// <exception cref="InvalidOperationException">No viewer with that id has an open data channel.</exception>
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
        foreach (var clientId in _peers.Keys)
        {
            await RemoveAsync(clientId, expected: null).ConfigureAwait(false);
        }

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
            : throw new InvalidOperationException($"Viewer '{clientId}' has no open data channel.");
    }

    private async Task HandleAsync(SignalingMessage message)
    {
        try
        {
            if (message.Type == SignalingMessageType.SdpOffer)
            {
                await HandleOfferAsync(message).ConfigureAwait(false);
            }
            else if (message is { IceCandidate: { } candidate, SenderClientId: { } sender } && _peers.TryGetValue(sender, out var peer))
            {
                await peer.Link.AddRemoteCandidateAsync(candidate, _stop.Token).ConfigureAwait(false);
            }
            else
            {
                Log.CandidateForUnknownViewer(_logger, message.SenderClientId);
            }
        }
        catch (Exception ex) when (ex is WebRtcException or SignalingException or InvalidOperationException or ArgumentException)
        {
            // One viewer's bad input ends that viewer only.
            Log.ViewerFailed(_logger, message.SenderClientId, ex.Message);
            if (message.SenderClientId is { } id)
            {
                await RemoveAsync(id, expected: null).ConfigureAwait(false);
            }
        }
    }

    private async Task HandleOfferAsync(SignalingMessage offer)
    {
        if (offer.SenderClientId is not { Length: > 0 } clientId || offer.SessionDescription is not { } description)
        {
            Log.OfferWithoutSender(_logger);
            return;
        }

        // A new offer from the same client id replaces its old session (the viewer restarted).
        await RemoveAsync(clientId, expected: null).ConfigureAwait(false);
        if (_peers.Count >= _options.MaxViewers)
        {
            Log.TooManyViewers(_logger, clientId, _options.MaxViewers);
            return;
        }

        var servers = await _channel.IceServers.GetIceServersAsync(_stop.Token).ConfigureAwait(false);
        var link = new PeerLink(
            _channel.Signaling,
            clientId,
            clientId,
            PeerLink.WithIceServers(_options.PeerConfiguration, servers),
            new RTCPeerConnectionOptions { LoggerFactory = _options.Channel.LoggerFactory, TimeProvider = _options.Channel.TimeProvider },
            _logger);
        var peer = new ViewerPeer(link);
        _peers[clientId] = peer;
        link.Connection.DataChannel += (_, e) => OnDataChannel(peer, e.Channel);
        link.Connection.Track += (_, e) => _remoteTracks.Emit(new KvsRemoteTrack(clientId, e.Track));
        link.Connection.ConnectionStateChanged += (_, _) =>
        {
            switch (link.Connection.ConnectionState)
            {
                case RTCPeerConnectionState.Connected:
                    MarkJoined(peer);
                    break;
                case RTCPeerConnectionState.Failed or RTCPeerConnectionState.Closed:
                    _ = RemoveAsync(clientId, peer);
                    break;
            }
        };

        // Added before the offer is applied, so that each offered audio/video section takes the track of its kind (JSEP §5.10).
        foreach (var track in _options.Tracks)
        {
            link.Connection.AddTrack(track, StreamId);
        }

        await link.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Offer, description.Sdp), _stop.Token).ConfigureAwait(false);
        var answer = await link.Connection.CreateAnswerAsync(_stop.Token).ConfigureAwait(false);
        await link.Connection.SetLocalDescriptionAsync(answer, _stop.Token).ConfigureAwait(false);
        await _channel.Signaling.SendAnswerAsync(SessionDescriptionPayload.Answer(answer.Sdp), clientId, cancellationToken: _stop.Token).ConfigureAwait(false);
        Log.Answered(_logger, clientId);
        _ = DropIfNotJoinedAsync(clientId, peer);
    }

    private void OnDataChannel(ViewerPeer peer, RTCDataChannel channel)
    {
        var clientId = peer.Link.RemoteClientId;
        if (peer.DataChannel is not null)
        {
            // The session speaks on the first channel a viewer opens; later ones stay with the peer connection.
            return;
        }

        peer.DataChannel = channel;
        channel.MessageReceived += (_, e) =>
            _messages.Emit(new KvsPeerMessage(clientId, e.Type == RTCDataChannelMessageType.Text, e.Data));
        channel.Closed += (_, _) => _ = RemoveAsync(clientId, peer);
    }

    private void MarkJoined(ViewerPeer peer)
    {
        var viewer = new KvsViewer(peer.Link.RemoteClientId, (_options.Channel.TimeProvider ?? TimeProvider.System).GetUtcNow());
        if (Interlocked.CompareExchange(ref peer.JoinedField, viewer, null) is null)
        {
            Log.ViewerJoined(_logger, viewer.ClientId);
            _joined.Emit(viewer);
        }
    }

    private async Task DropIfNotJoinedAsync(string clientId, ViewerPeer peer)
    {
        try
        {
            await Task.Delay(_options.ViewerConnectTimeout, _options.Channel.TimeProvider ?? TimeProvider.System, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (peer.Joined is null)
        {
            Log.ViewerTimedOut(_logger, clientId, _options.ViewerConnectTimeout);
            await RemoveAsync(clientId, peer).ConfigureAwait(false);
        }
    }

    /// <summary>Removes the viewer's peer (only <paramref name="expected"/> when given, so a replaced peer's late events do not remove its successor).</summary>
    private async Task RemoveAsync(string clientId, ViewerPeer? expected)
    {
        ViewerPeer? removed;
        if (expected is null)
        {
            if (!_peers.TryRemove(clientId, out removed))
            {
                return;
            }
        }
        else
        {
            if (!_peers.TryRemove(new KeyValuePair<string, ViewerPeer>(clientId, expected)))
            {
                return;
            }

            removed = expected;
        }

        if (removed.Joined is { } viewer)
        {
            Log.ViewerLeft(_logger, clientId);
            _left.Emit(viewer);
        }

        await removed.Link.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class ViewerPeer(PeerLink link)
    {
        public KvsViewer? JoinedField;

        public PeerLink Link { get; } = link;

        public RTCDataChannel? DataChannel { get; set; }

        public KvsViewer? Joined => Volatile.Read(ref JoinedField);
    }

    private static partial class Log
    {
        [LoggerMessage(9100, LogLevel.Information, "Answered the offer of viewer {ClientId}")]
        public static partial void Answered(ILogger logger, string clientId);

        [LoggerMessage(9101, LogLevel.Information, "Viewer {ClientId} joined")]
        public static partial void ViewerJoined(ILogger logger, string clientId);

        [LoggerMessage(9102, LogLevel.Information, "Viewer {ClientId} left")]
        public static partial void ViewerLeft(ILogger logger, string clientId);

        [LoggerMessage(9103, LogLevel.Warning, "Viewer {ClientId} failed: {Reason}")]
        public static partial void ViewerFailed(ILogger logger, string? clientId, string reason);

        [LoggerMessage(9104, LogLevel.Warning, "Refused the offer of viewer {ClientId}: {Max} viewers are connected")]
        public static partial void TooManyViewers(ILogger logger, string clientId, int max);

        [LoggerMessage(9105, LogLevel.Warning, "Viewer {ClientId} did not connect within {Timeout}; dropped")]
        public static partial void ViewerTimedOut(ILogger logger, string clientId, TimeSpan timeout);


        [LoggerMessage(9107, LogLevel.Debug, "ICE candidate from {ClientId}, which has no session; ignored")]
        public static partial void CandidateForUnknownViewer(ILogger logger, string? clientId);

        [LoggerMessage(9108, LogLevel.Warning, "An offer without a sender client id or SDP was ignored")]
        public static partial void OfferWithoutSender(ILogger logger);

        [LoggerMessage(9109, LogLevel.Debug, "Broadcast to {ClientId} failed: {Reason}")]
        public static partial void SendFailed(ILogger logger, string clientId, string reason);
    }
}
