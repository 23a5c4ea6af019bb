using System.Net.WebSockets;
using System.Threading.Channels;

namespace Kvs.WebRtc.Signaling;

/// <summary>Sending: validation, the bounded queue and the single writer.</summary>
public sealed partial class SignalingClient
{
    /// <summary>Sends an SDP offer (<c>SDP_OFFER</c>).</summary>
    /// <param name="offer">The offer; its <see cref="SessionDescriptionPayload.Type"/> must be <c>"offer"</c>.</param>
    /// <param name="recipientClientId">The viewer to send to: required for a master, must be null for a viewer (a viewer always sends to the master).</param>
    /// <param name="correlationId">Optional id (<c>[a-zA-Z0-9_.-]{1,256}</c>, see <see cref="CreateCorrelationId"/>) so a failure comes back on <see cref="StatusResponses"/>.</param>
    /// <param name="cancellationToken">Cancels waiting for the frame to be written (a frame already being written may still go out).</param>
    /// <returns>A task that completes when the frame has been written to the socket. While reconnecting, it completes after the reconnect.</returns>
    /// <exception cref="ArgumentException">Invalid payload, recipient or correlation id.</exception>
    /// <exception cref="SignalingException">The client is disposed (<see cref="SignalingError.Disposed"/>) or its connection is lost for good (<see cref="SignalingError.ConnectionLost"/>), before or while the frame waits.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the frame was written.</exception>
    public Task SendOfferAsync(SessionDescriptionPayload offer, string? recipientClientId = null, string? correlationId = null, CancellationToken cancellationToken = default) =>
        SendDescriptionAsync(offer, SessionDescriptionPayload.OfferType, SignalingMessageType.SdpOffer, nameof(offer), recipientClientId, correlationId, cancellationToken);

    /// <summary>Sends an SDP answer (<c>SDP_ANSWER</c>).</summary>
    /// <param name="answer">The answer; its <see cref="SessionDescriptionPayload.Type"/> must be <c>"answer"</c>.</param>
    /// <param name="recipientClientId">The viewer to send to: required for a master, must be null for a viewer.</param>
    /// <param name="correlationId">Optional correlation id (<c>[a-zA-Z0-9_.-]{1,256}</c>).</param>
    /// <param name="cancellationToken">Cancels waiting for the frame to be written.</param>
    /// <returns>A task that completes when the frame has been written to the socket.</returns>
    /// <exception cref="ArgumentException">Invalid payload, recipient or correlation id.</exception>
    /// <exception cref="SignalingException">The client is disposed or its connection is lost for good.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the frame was written.</exception>
    public Task SendAnswerAsync(SessionDescriptionPayload answer, string? recipientClientId = null, string? correlationId = null, CancellationToken cancellationToken = default) =>
        SendDescriptionAsync(answer, SessionDescriptionPayload.AnswerType, SignalingMessageType.SdpAnswer, nameof(answer), recipientClientId, correlationId, cancellationToken);

    // SDP_OFFER and SDP_ANSWER differ only in the expected description type and the action.
    private Task SendDescriptionAsync(
        SessionDescriptionPayload description, string expectedType, SignalingMessageType action, string paramName,
        string? recipientClientId, string? correlationId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(description, paramName);
        RequireDescriptionType(description, expectedType, paramName);
        ValidateRouting(recipientClientId, correlationId);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        var bytes = SignalingClientCodec.EncodeFrameUtf8(action, description, recipientClientId, correlationId, out var length, out var payloadLength);
        return EnqueueAsync(new OutboundFrame(bytes, length, action, recipientClientId, correlationId, payloadLength), cancellationToken);
    }

    /// <summary>Sends a trickled ICE candidate (<c>ICE_CANDIDATE</c>).</summary>
    /// <param name="candidate">The candidate; <see cref="IceCandidatePayload.Candidate"/> must not be empty (do not send end-of-candidates markers).</param>
    /// <param name="recipientClientId">The viewer to send to: required for a master, must be null for a viewer.</param>
    /// <param name="correlationId">Optional correlation id (<c>[a-zA-Z0-9_.-]{1,256}</c>).</param>
    /// <param name="cancellationToken">Cancels waiting for the frame to be written.</param>
    /// <returns>A task that completes when the frame has been written to the socket.</returns>
    /// <exception cref="ArgumentException">Invalid payload, recipient or correlation id.</exception>
    /// <exception cref="SignalingException">The client is disposed or its connection is lost for good.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the frame was written.</exception>
    public Task SendIceCandidateAsync(IceCandidatePayload candidate, string? recipientClientId = null, string? correlationId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        if (string.IsNullOrEmpty(candidate.Candidate))
        {
            throw new ArgumentException("The candidate string must not be empty.", nameof(candidate));
        }

        ValidateRouting(recipientClientId, correlationId);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        var bytes = SignalingClientCodec.EncodeFrameUtf8(candidate, recipientClientId, correlationId, out var length, out var payloadLength);
        return EnqueueAsync(new OutboundFrame(bytes, length, SignalingMessageType.IceCandidate, recipientClientId, correlationId, payloadLength), cancellationToken);
    }

    private static void RequireDescriptionType(SessionDescriptionPayload payload, string expected, string paramName)
    {
        if (!string.Equals(payload.Type, expected, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The description type must be \"{expected}\".", paramName);
        }

        ArgumentNullException.ThrowIfNull(payload.Sdp, paramName);
    }

    private void ValidateRouting(string? recipientClientId, string? correlationId)
    {
        if (IsMaster && recipientClientId is null && _options.AllowUnaddressedMasterMessages)
        {
            // For the storage session.
        }
        else if (IsMaster)
        {
            if (string.IsNullOrEmpty(recipientClientId))
            {
                throw new ArgumentException("A master must name the recipient viewer.", nameof(recipientClientId));
            }

            if (!SignalingIdentifiers.IsValidRecipientClientId(recipientClientId))
            {
                throw new ArgumentException("A recipient client id is 1-256 characters of [a-zA-Z0-9_.-].", nameof(recipientClientId));
            }
        }
        else if (recipientClientId is not null)
        {
            throw new ArgumentException("A viewer must not set a recipient: its messages always go to the master.", nameof(recipientClientId));
        }

        if (correlationId is not null && !SignalingIdentifiers.IsValidCorrelationId(correlationId))
        {
            throw new ArgumentException("A correlation id is 1-256 characters of [a-zA-Z0-9_.-].", nameof(correlationId));
        }
    }

    private async Task EnqueueAsync(OutboundFrame frame, CancellationToken cancellationToken)
    {
        var terminal = GetTerminalError();
        if (terminal is not null)
        {
            frame.ReturnBuffer();
            throw CloneTerminal(terminal);
        }

        if (frame.PayloadLength > PayloadWarningThreshold)
        {
            Log.LargePayload(_logger, frame.Action, frame.PayloadLength, PayloadWarningThreshold);
        }

        frame.RegisterCancellation(cancellationToken);
        if (!_sendQueue.Writer.TryWrite(frame))
        {
            try
            {
                await _sendQueue.Writer.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            }
            catch (ChannelClosedException)
            {
                frame.ReturnBuffer();
                throw CloneTerminal(GetTerminalError());
            }
            catch (OperationCanceledException)
            {
                frame.ReturnBuffer();
                throw;
            }
        }

        await frame.Completion.ConfigureAwait(false);
    }

    private SignalingException? GetTerminalError()
    {
        lock (_gate)
        {
            return _terminalError;
        }
    }

    private static SignalingException CloneTerminal(SignalingException? terminal) =>
        terminal is null
            ? new SignalingException(SignalingError.Disposed, "The signaling client is closed.")
            : new SignalingException(terminal.Error, terminal.Message, terminal.InnerException, terminal.StatusCode, terminal.ErrorCode, terminal.RequestId, terminal.IsRetryable);

    private async Task WriterLoopAsync()
    {
        var reader = _sendQueue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_lifetime.Token).ConfigureAwait(false))
            {
                SignalingConnection? connection;
                Task<SignalingConnection?> ready;
                lock (_gate)
                {
                    connection = _connection is { IsClosing: false } current ? current : null;
                    ready = _connectionReady.Task;
                }

                if (connection is null)
                {
                    connection = await ready.WaitAsync(_lifetime.Token).ConfigureAwait(false);
                    if (connection is null)
                    {
                        return; // terminal: the finally block fails what is left.
                    }

                    if (connection.IsClosing)
                    {
                        // Ended before we used it; EndConnection has installed the next waiter.
                        continue;
                    }
                }

                await DrainToAsync(connection).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
            // Disposed.
        }
#pragma warning disable CA1031 // The writer must never die silently: log and fail the client.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.LoopFailed(_logger, ex);
            Fail(new SignalingException(SignalingError.ConnectionLost, "The signaling writer failed unexpectedly.", ex));
        }
        finally
        {
            FailQueuedSends();
        }
    }

    private async Task DrainToAsync(SignalingConnection connection)
    {
        var reader = _sendQueue.Reader;
        if (!await connection.SendLock.WaitAsync(Timeout.Infinite, _lifetime.Token).ConfigureAwait(false))
        {
            return;
        }

        var sendTimeout = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        try
        {
            while (!connection.IsClosing && reader.TryPeek(out var frame))
            {
                if (!frame.TryBeginSend())
                {
                    reader.TryRead(out _);
                    frame.ReturnBuffer();
                    continue;
                }

                if (frame.CorrelationId is { } correlationId)
                {
                    _correlations.Record(new SignalingSendInfo(frame.Action, frame.RecipientClientId, correlationId, _time.GetUtcNow()));
                }

                sendTimeout.CancelAfter(_options.SendTimeout);
                try
                {
                    await connection.Socket.SendAsync(frame.Utf8, WebSocketMessageType.Text, endOfMessage: true, sendTimeout.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
                {
                    frame.RevertToQueued();
                    var timedOut = sendTimeout.IsCancellationRequested;
                    Log.SendFailed(_logger, frame.Action, connection.Generation, timedOut, ex);
                    if (EndConnection(connection, ConnectionEndReason.SendFailed))
                    {
                        // A failed or cancelled send leaves the WebSocket unusable: drop it so the run loop reconnects.
                        connection.Abort();
                    }

                    return;
                }

                if (!sendTimeout.TryReset())
                {
                    // The send completed; the timer may have fired since, or it belongs to a custom TimeProvider whose
                    // timers cannot be reset. Either way, use a fresh source for the next frame.
                    sendTimeout.Dispose();
                    sendTimeout = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
                }

                reader.TryRead(out _);
                frame.ReturnBuffer();
                frame.Complete();
            }
        }
        finally
        {
            sendTimeout.Dispose();
            connection.SendLock.Release();
        }
    }

    /// <summary>Fails every frame still queued with the terminal error (disposed or connection lost).</summary>
    private void FailQueuedSends()
    {
        var error = GetTerminalError();
        if (error is null)
        {
            return;
        }

        while (_sendQueue.Reader.TryRead(out var frame))
        {
            frame.ReturnBuffer();
            frame.Fail(CloneTerminal(error));
        }
    }
}
