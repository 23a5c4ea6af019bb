using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Signaling;

namespace Kvs.WebRtc.Sessions;

/// <summary>Renegotiation: the master re-offers a connected viewer's peer connection after a change (a track added).</summary>
public sealed partial class MasterSession
{
    /// <summary>How long the master leaves a lost viewer to restart ICE itself before the master restarts it.</summary>
    private static readonly TimeSpan MasterRestartGrace = TimeSpan.FromSeconds(8);

    /// <summary>
    /// Adds <paramref name="track"/> to one connected viewer's peer connection (with <see cref="StreamId"/>) and
    /// renegotiates it (<see cref="RenegotiateAsync"/>), so that viewer receives the track on its working connection:
    /// a <see cref="ViewerSession"/> surfaces it as <see cref="ViewerSession.VideoTrack"/> or
    /// <see cref="ViewerSession.AudioTrack"/>, a browser page that answers re-offers raises <c>ontrack</c>. Tracks for every viewer, including
    /// later ones, belong in <see cref="MasterSessionOptions.Tracks"/>.
    /// </summary>
    /// <param name="clientId">The viewer's client id.</param>
    /// <param name="track">The track; one <see cref="EncodedFrameTrack"/> can feed any number of viewers.</param>
    /// <param name="cancellationToken">Cancels the wait for the viewer's answer.</param>
    /// <returns>The sender of the track on that viewer's connection, once the viewer's answer is applied.</returns>
    /// <exception cref="KvsSessionException">No connected viewer with that id (<see cref="KvsSessionError.ViewerNotConnected"/>).</exception>
    /// <exception cref="KvsSessionException">The viewer did not answer within <see cref="MasterSessionOptions.ViewerConnectTimeout"/> (<see cref="KvsSessionError.AnswerTimeout"/>); the track is removed again.</exception>
    /// <exception cref="WebRtcException">The offer could not be made or the viewer's answer was not acceptable; the track is removed again.</exception>
    public async Task<RTCRtpSender> AddTrackAsync(string clientId, LocalMediaTrack track, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(track);
        var peer = JoinedPeerOf(clientId);
        var sender = peer.Link.Connection.AddTrack(track, StreamId);
        try
        {
            await RenegotiateCoreAsync(peer, cancellationToken).ConfigureAwait(false);
            return sender;
        }
        catch
        {
            try
            {
                peer.Link.Connection.RemoveTrack(sender);
            }
            catch (Exception ex) when (ex is InvalidOperationException or WebRtcException or ObjectDisposedException)
            {
                // The connection is closing; nothing is sent on it any more.
            }

            throw;
        }
    }

    /// <summary>
    /// Re-offers one connected viewer's peer connection after the application changed it (tracks or transceivers added
    /// or removed through <see cref="GetPeerConnection"/>) and applies the viewer's answer. The connection keeps
    /// working throughout; renegotiations of one viewer run one at a time. The viewer must answer a master's re-offer:
    /// <see cref="ViewerSession"/> does; a browser page does when it handles the master's <c>SDP_OFFER</c> (the KVS JS
    /// SDK raises <c>sdpOffer</c> on a viewer's signaling client too).
    /// </summary>
    /// <param name="clientId">The viewer's client id.</param>
    /// <param name="cancellationToken">Cancels the wait for the viewer's answer (the offer is rolled back).</param>
    /// <returns>A task that completes once the viewer's answer is applied.</returns>
    /// <exception cref="KvsSessionException">No connected viewer with that id (<see cref="KvsSessionError.ViewerNotConnected"/>).</exception>
    /// <exception cref="KvsSessionException">The viewer did not answer within <see cref="MasterSessionOptions.ViewerConnectTimeout"/> (<see cref="KvsSessionError.AnswerTimeout"/>; the offer is rolled back).</exception>
    /// <exception cref="WebRtcException">The offer could not be made or the viewer's answer was not acceptable (the offer is rolled back).</exception>
    public Task RenegotiateAsync(string clientId, CancellationToken cancellationToken = default) =>
        RenegotiateCoreAsync(JoinedPeerOf(clientId), cancellationToken);

    private ViewerPeer JoinedPeerOf(string clientId)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _peers.TryGetValue(clientId, out var peer) && peer.Joined is not null
            ? peer
            : throw new KvsSessionException(KvsSessionError.ViewerNotConnected, $"Viewer '{clientId}' is not connected.");
    }

    private async Task RenegotiateCoreAsync(ViewerPeer peer, CancellationToken cancellationToken)
    {
        var clientId = peer.Link.RemoteClientId;
        var connection = peer.Link.Connection;
        await peer.Renegotiation.WaitAsync(cancellationToken).ConfigureAwait(false);
        var answered = false;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        limit.CancelAfter(_options.ViewerConnectTimeout);
        try
        {
            var offer = await connection.CreateOfferAsync(limit.Token).ConfigureAwait(false);
            var answer = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref peer.PendingAnswer, answer);
            await connection.SetLocalDescriptionAsync(offer, limit.Token).ConfigureAwait(false);
            await _channel.Signaling.SendOfferAsync(SessionDescriptionPayload.Offer(offer.Sdp), clientId, cancellationToken: limit.Token).ConfigureAwait(false);
            var sdp = await answer.Task.WaitAsync(limit.Token).ConfigureAwait(false);
            await peer.Link.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Answer, sdp), limit.Token).ConfigureAwait(false);
            answered = true;
            Log.Renegotiated(_logger, clientId);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested && !_stop.IsCancellationRequested)
        {
            Log.RenegotiationFailed(_logger, clientId, "no answer in time");
            throw new KvsSessionException(KvsSessionError.AnswerTimeout, $"Viewer '{clientId}' did not answer the new offer within {_options.ViewerConnectTimeout}.");
        }
        catch (WebRtcException ex)
        {
            Log.RenegotiationFailed(_logger, clientId, ex.Message);
            throw;
        }
        finally
        {
            Volatile.Write(ref peer.PendingAnswer, null);
            if (!answered)
            {
                await RollBackAsync(connection).ConfigureAwait(false);
            }

            peer.Renegotiation.Release();
        }
    }

    // A re-offer that got no usable answer is withdrawn, so the connection is stable and can be renegotiated again.
    private static async Task RollBackAsync(RTCPeerConnection connection)
    {
        if (connection.SignalingState != RTCSignalingState.HaveLocalOffer)
        {
            return;
        }

        try
        {
            await connection.SetLocalDescriptionAsync(new RTCSessionDescription(RTCSdpType.Rollback, string.Empty), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebRtcException or InvalidOperationException or ObjectDisposedException)
        {
            // The connection is closing.
        }
    }

    /// <summary>
    /// A connected viewer's offer for its existing connection (same SDP session id): applied and answered on that
    /// connection. The master yields: its own re-offer in flight is withdrawn first (the viewer ignores it).
    /// </summary>
    private async Task AnswerInPlaceAsync(ViewerPeer peer, string sdp)
    {
        var clientId = peer.Link.RemoteClientId;
        var connection = peer.Link.Connection;
        Volatile.Read(ref peer.PendingAnswer)?.TrySetCanceled();
        await peer.Renegotiation.WaitAsync(_stop.Token).ConfigureAwait(false);
        try
        {
            await RollBackAsync(connection).ConfigureAwait(false);
            await peer.Link.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Offer, sdp), _stop.Token).ConfigureAwait(false);
            var answer = await connection.CreateAnswerAsync(_stop.Token).ConfigureAwait(false);
            await connection.SetLocalDescriptionAsync(answer, _stop.Token).ConfigureAwait(false);
            await _channel.Signaling.SendAnswerAsync(SessionDescriptionPayload.Answer(answer.Sdp), clientId, cancellationToken: _stop.Token).ConfigureAwait(false);
            Log.AnsweredInPlace(_logger, clientId);
        }
        finally
        {
            peer.Renegotiation.Release();
        }
    }

    /// <summary>
    /// A connected viewer's path was lost. The viewer (the offerer) restarts ICE; the master restarts only when the viewer
    /// has not within <see cref="MasterRestartGrace"/> (a viewer that cannot notice, or an older one), then again with
    /// back-off while the viewer is still listed. The master removes a viewer whose connection failed (consent lost for 30 s).
    /// </summary>
    private async Task RecoverAsync(ViewerPeer peer)
    {
        if (Interlocked.Exchange(ref peer.Recovering, 1) != 0)
        {
            return;
        }

        var clientId = peer.Link.RemoteClientId;
        var connection = peer.Link.Connection;
        var clock = _options.Channel.TimeProvider ?? TimeProvider.System;
        try
        {
            if (await IceRecovery.WaitUpAsync(connection, MasterRestartGrace, clock, _stop.Token).ConfigureAwait(false))
            {
                return;
            }

            for (var attempt = 1; !peer.Detached && !IceRecovery.IsUp(connection); attempt++)
            {
                Log.RestartingIce(_logger, clientId, attempt);
                try
                {
                    await peer.Link.RefreshIceServersAsync(_channel.IceServers, _options.PeerConfiguration, _stop.Token).ConfigureAwait(false);
                    connection.RestartIce();
                    await RenegotiateCoreAsync(peer, _stop.Token).ConfigureAwait(false);
                    if (await IceRecovery.WaitUpAsync(connection, _options.ViewerConnectTimeout, clock, _stop.Token).ConfigureAwait(false))
                    {
                        Log.IceRecovered(_logger, clientId, attempt);
                        return;
                    }
                }
                catch (Exception ex) when (ex is KvsSessionException or TimeoutException or WebRtcException or SignalingException or InvalidOperationException
                    or ObjectDisposedException || (ex is OperationCanceledException && !_stop.IsCancellationRequested))
                {
                    Log.RestartFailed(_logger, clientId, attempt, ex.Message);
                }

                await Task.Delay(IceRecovery.BackOff(attempt), clock, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        finally
        {
            Volatile.Write(ref peer.Recovering, 0);
        }
    }

    /// <summary>A viewer's answer to a re-offer of the master (handled on the inbox loop).</summary>
    private void HandleAnswer(SignalingMessage message)
    {
        if (message is { SenderClientId: { } sender, SessionDescription: { } answer } &&
            _peers.TryGetValue(sender, out var peer) && Volatile.Read(ref peer.PendingAnswer) is { } pending)
        {
            pending.TrySetResult(answer.Sdp);
        }
        else if (_warnings.ShouldLog(message.SenderClientId))
        {
            Log.UnexpectedAnswer(_logger, message.SenderClientId);
        }
    }
}
