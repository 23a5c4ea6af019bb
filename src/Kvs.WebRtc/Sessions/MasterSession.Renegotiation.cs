using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Signaling;

namespace Kvs.WebRtc.Sessions;

/// <summary>Renegotiation: the master re-offers a connected viewer's peer connection after a change (a track added).</summary>
public sealed partial class MasterSession
{
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
