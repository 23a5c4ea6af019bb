using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using Kvs.WebRtc.Signaling.ControlPlane.Internal;

namespace Kvs.WebRtc.Signaling;

/// <summary>Connection lifecycle: connect, receive, reconnect, close.</summary>
public sealed partial class SignalingClient
{
    private async Task<SignalingConnection> ConnectOnceAsync(int attempt, CancellationToken cancellationToken)
    {
        Log.Connecting(_logger, _options.Endpoint.Host, _role, attempt + 1);
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        ClientWebSocket? socket = null;
        DateTimeOffset? signedAt = null;
        try
        {
            var credentials = await _options.Credentials.GetCredentialsAsync(linked.Token).ConfigureAwait(false);
            var query = ClientId is null
                ? new[] { KeyValuePair.Create("X-Amz-ChannelARN", _options.ChannelArn) }
                : [KeyValuePair.Create("X-Amz-ChannelARN", _options.ChannelArn), KeyValuePair.Create("X-Amz-ClientId", ClientId)];

            // The signer returns the URL percent-encoded exactly once; Uri keeps reserved escapes (%3A, %2F, %2B, %3D)
            // as they are, so the request target on the wire is the signed one.
            var signingTime = NextSigningTime();
            signedAt = signingTime;
            var url = _signer.PresignUrl(_options.Endpoint.OriginalString, query, credentials, _options.Region, signingTime: signingTime);
            socket = new ClientWebSocket();
            socket.Options.KeepAliveInterval = _options.KeepAliveInterval == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : _options.KeepAliveInterval;
            socket.Options.CollectHttpResponseDetails = true;
            _options.ConfigureWebSocket?.Invoke(socket.Options);
            await socket.ConnectAsync(new Uri(url, UriKind.Absolute), linked.Token).ConfigureAwait(false);

            var generation = Interlocked.Increment(ref _generation);
            Log.Connected(_logger, _options.Endpoint.Host, _role, generation);
            return new SignalingConnection(socket, generation, _time.GetUtcNow());
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            socket?.Dispose();
            var error = new SignalingException(SignalingError.ConnectTimeout, $"The signaling connection was not opened within {_options.ConnectTimeout.TotalSeconds:0.###} s.");
            Log.ConnectFailed(_logger, _options.Endpoint.Host, attempt + 1, error.Error, null);
            throw error;
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or IOException or System.Security.Authentication.AuthenticationException)
        {
            int? status = socket is { HttpStatusCode: > 0 } ? (int)socket.HttpStatusCode : null;
            var errorType = ErrorTypeOf(socket?.HttpResponseHeaders);
            if (status is 403 && signedAt is { } signed)
            {
                CorrectClockFrom(socket?.HttpResponseHeaders, signed);
            }

            socket?.Dispose();
            var code = status switch
            {
                403 or 401 => SignalingError.AccessDenied,
                404 => SignalingError.ResourceNotFound,
                400 when errorType is not null && ServiceErrorParser.ErrorOf(HttpStatusCode.BadRequest, errorType) is var known
                    && known is not (SignalingError.ServiceError or SignalingError.AccessDenied) => known,
                400 => SignalingError.BadRequest,
                _ => SignalingError.ConnectFailed,
            };
            var message = status is { } s
                ? $"The signaling service refused the WebSocket upgrade with HTTP {s} ({code}{DescribeErrorType(errorType)})."
                : "The signaling WebSocket connection could not be opened.";
            Log.ConnectFailed(_logger, _options.Endpoint.Host, attempt + 1, code, status);

            // The inner exception is kept for diagnosis; neither it nor this message carries the presigned URL.
            throw new SignalingException(code, message, ex, (HttpStatusCode?)status, errorType);
        }
        catch
        {
            socket?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A refused upgrade (403) whose <c>Date</c> header lies further from our signing clock than the service tolerates
    /// (5 minutes) was refused for clock skew: move the shared signer's offset to the service's time so that the next
    /// attempt signs with a current date, as the control-plane client does on "Signature expired" (the upgrade body is
    /// not read). A device clock that jumps while connected would otherwise be refused forever. See
    /// docs/architecture.md (signaling) and docs/soak.md.
    /// </summary>
    private void CorrectClockFrom(IReadOnlyDictionary<string, IEnumerable<string>>? headers, DateTimeOffset signedAt)
    {
        if (headers is null)
        {
            return;
        }

        foreach (var (name, values) in headers)
        {
            if (!string.Equals(name, "Date", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (values.FirstOrDefault() is { Length: > 0 and <= 64 } value
                && DateTimeOffset.TryParseExact(value, "r", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var serverTime)
                && (serverTime - signedAt).Duration() > MaxToleratedSkew)
            {
                var previous = _signer.ClockOffset;
                _signer.ClockOffset = serverTime - _time.GetUtcNow();
                Log.ClockSkewCorrected(_logger, previous.TotalSeconds, _signer.ClockOffset.TotalSeconds);
            }

            return;
        }
    }

    /// <summary>The clock skew the service accepts either side of a signature's date.</summary>
    private static readonly TimeSpan MaxToleratedSkew = TimeSpan.FromMinutes(5);

    /// <summary>The error code of a throttled connect or of a channel at its viewer limit (HTTP 400 either way).</summary>
    private const string ClientLimitExceededErrorType = "ClientLimitExceededException";

    /// <summary>The service's error code (<c>x-amzn-ErrorType</c>, the part before the first <c>:</c>) of a refused upgrade, if sent.</summary>
    private static string? ErrorTypeOf(IReadOnlyDictionary<string, IEnumerable<string>>? headers)
    {
        if (headers is null)
        {
            return null;
        }

        foreach (var (name, values) in headers)
        {
            if (string.Equals(name, "x-amzn-ErrorType", StringComparison.OrdinalIgnoreCase) && values.FirstOrDefault() is { Length: > 0 } value)
            {
                var type = value.Split(':', 2)[0].Trim();
                // Only a plain identifier goes into messages: the header comes from the remote side.
                return type.Length <= 64 && type.All(char.IsAsciiLetterOrDigit) ? type : null;
            }
        }

        return null;
    }

    private static string DescribeErrorType(string? errorType) => errorType switch
    {
        null => string.Empty,
        ClientLimitExceededErrorType => ", ClientLimitExceededException: too many connects per second, or the channel's viewer limit reached",
        _ => ", " + errorType,
    };

    private void Attach(SignalingConnection connection, bool initial = false)
    {
        lock (_gate)
        {
            _connection = connection;
            _connectionReady.TrySetResult(connection);
        }

        if (_options.MaxConnectionAge != Timeout.InfiniteTimeSpan)
        {
            connection.AgeTimer = _time.CreateTimer(
                static state =>
                {
                    var (client, conn) = ((SignalingClient, SignalingConnection))state!;
                    client.OnMaxAge(conn);
                },
                (this, connection),
                _options.MaxConnectionAge,
                Timeout.InfiniteTimeSpan);
        }

        if (initial)
        {
            // Before the loops run: publish directly so that States replays Connected as soon as the connect call
            // returns (the dispatch queue could lag behind).
            lock (_gate)
            {
                if (_state != SignalingConnectionState.Connecting)
                {
                    return;
                }

                _state = SignalingConnectionState.Connected;
            }

            lock (_stateEmitGate)
            {
                _states.OnNext(SignalingConnectionState.Connected);
            }
        }
        else
        {
            SetState(SignalingConnectionState.Connected);
        }
    }

    /// <summary>
    /// Marks a connection as ending (first reason wins) and detaches it, so the writer stops using it and waits for
    /// the next one. Returns true for the first request.
    /// </summary>
    private bool EndConnection(SignalingConnection connection, ConnectionEndReason reason)
    {
        lock (_gate)
        {
            if (!connection.RequestEnd(reason))
            {
                return false;
            }

            if (ReferenceEquals(_connection, connection))
            {
                _connection = null;
            }

            if (_connectionReady.Task.IsCompleted)
            {
                _connectionReady = NewConnectionWaiter();
                if (_terminalError is not null)
                {
                    _connectionReady.TrySetResult(null);
                }
            }
        }

        connection.AgeTimer?.Dispose();
        return true;
    }

    private void OnMaxAge(SignalingConnection connection)
    {
        if (!EndConnection(connection, ConnectionEndReason.MaxAge))
        {
            return;
        }

        Log.MaxAgeReached(_logger, connection.Generation, _options.MaxConnectionAge);
        _ = CloseOutputAsync(connection);
    }

    /// <summary>The connection loop: receive until the connection ends, then reconnect (or give up).</summary>
    private async Task RunAsync(SignalingConnection first)
    {
        var connection = first;
        try
        {
            while (true)
            {
                var reason = await ReceiveLoopAsync(connection).ConfigureAwait(false);
                Log.ConnectionEnded(_logger, connection.Generation, reason);
                EndConnection(connection, reason);
                await CloseAfterReceiveAsync(connection).ConfigureAwait(false);
                connection.Dispose();

                if (reason == ConnectionEndReason.Disposing || _lifetime.IsCancellationRequested || IsTerminal())
                {
                    return;
                }

                if (!_options.Reconnect.Enabled)
                {
                    Fail(new SignalingException(SignalingError.ConnectionLost, $"The signaling connection ended ({reason}) and reconnecting is disabled."));
                    return;
                }

                SetState(SignalingConnectionState.Reconnecting);
                var next = await ReconnectAsync().ConfigureAwait(false);
                if (next is null)
                {
                    return;
                }

                lock (_gate)
                {
                    if (_terminalError is not null)
                    {
                        // Disposed while the last attempt was connecting.
                        next.Abort();
                        next.Dispose();
                        return;
                    }
                }

                Attach(next);
                connection = next;
            }
        }
#pragma warning disable CA1031 // The loop must never die silently: log and fail the client.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.LoopFailed(_logger, ex);
            Fail(new SignalingException(SignalingError.ConnectionLost, "The signaling connection loop failed unexpectedly.", ex));
        }
    }

    private async Task<SignalingConnection?> ReconnectAsync()
    {
        var policy = _options.Reconnect;
        for (var attempt = 0; attempt < policy.MaxAttempts; attempt++)
        {
            var delay = policy.GetDelay(attempt, Random.Shared.NextDouble());
            try
            {
                if (delay > TimeSpan.Zero)
                {
                    Log.Reconnecting(_logger, delay, attempt + 1, policy.MaxAttempts);
                    await Task.Delay(delay, _time, _lifetime.Token).ConfigureAwait(false);
                }

                return await ConnectOnceAsync(attempt, _lifetime.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
            {
                return null;
            }
            catch (SignalingException ex)
            {
                PublishError(new SignalingException(SignalingError.ReconnectAttemptFailed, $"Reconnect attempt {attempt + 1} of {policy.MaxAttempts} failed ({ex.Error}).", ex, ex.StatusCode, ex.ErrorCode, ex.RequestId));
            }
        }

        Log.ReconnectGaveUp(_logger, policy.MaxAttempts);
        Fail(new SignalingException(SignalingError.ConnectionLost, $"The signaling connection was lost and {policy.MaxAttempts} reconnect attempts failed."));
        return null;
    }

    private bool IsTerminal()
    {
        lock (_gate)
        {
            return _terminalError is not null;
        }
    }

    /// <summary>Moves the client to <see cref="SignalingConnectionState.Failed"/>: pending and later sends fail with <paramref name="error"/>.</summary>
    private void Fail(SignalingException error)
    {
        lock (_gate)
        {
            if (_terminalError is not null)
            {
                return;
            }

            _terminalError = error;
            _connectionReady.TrySetResult(null);
        }

        _sendQueue.Writer.TryComplete();
        SetState(SignalingConnectionState.Failed);
        PublishError(error);
    }

    private async Task<ConnectionEndReason> ReceiveLoopAsync(SignalingConnection connection)
    {
        var socket = connection.Socket;
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var count = 0;
        var binary = false;
        var oversized = false;
        try
        {
            while (true)
            {
                if (count == buffer.Length)
                {
                    if (buffer.Length >= MaxReceiveFrameBytes)
                    {
                        oversized = true;
                        count = 0;
                    }
                    else
                    {
                        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, count).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }
                }

                var result = await socket.ReceiveAsync(buffer.AsMemory(count), _lifetime.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return connection.RequestedEnd ?? ConnectionEndReason.RemoteClosed;
                }

                count += result.Count;
                binary |= result.MessageType == WebSocketMessageType.Binary;
                if (!result.EndOfMessage)
                {
                    continue;
                }

                if (binary || oversized)
                {
                    Log.UnsupportedFrame(_logger, binary ? "binary" : "oversized");
                    PublishError(new SignalingException(SignalingError.UnsupportedFrame, binary
                        ? "A binary WebSocket frame was received; signaling uses text frames only."
                        : $"A text frame larger than {MaxReceiveFrameBytes} bytes was received and dropped."));
                }
                else if (HandleFrame(buffer.AsSpan(0, count)) && EndConnection(connection, ConnectionEndReason.GoAway))
                {
                    // GO_AWAY: close our side now and keep receiving until the service's close arrives, so messages
                    // already on the way are not lost; the loop then reconnects.
                    _ = CloseOutputAsync(connection);
                }

                count = 0;
                binary = false;
                oversized = false;
            }
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
            return ConnectionEndReason.Disposing;
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            var reason = connection.RequestedEnd ?? ConnectionEndReason.Faulted;
            if (reason == ConnectionEndReason.Faulted)
            {
                Log.ReceiveFailed(_logger, connection.Generation, ex);
            }

            return reason;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Decodes and queues one frame for the subscribers. Returns true for <c>GO_AWAY</c>.</summary>
    private bool HandleFrame(ReadOnlySpan<byte> frame)
    {
        var status = SignalingClientCodec.DecodeFrame(frame, out var message, out var error);
        switch (status)
        {
            case ServiceFrameStatus.Message when message is not null:
                if (message.StatusResponse is { CorrelationId: { } correlationId } response &&
                    message.Type == SignalingMessageType.StatusResponse)
                {
                    _correlations.TryTake(correlationId, _time.GetUtcNow(), out var sent);
                    if (sent is not null)
                    {
                        message = message with { CorrelatedSend = sent };
                    }

                    Log.StatusResponseReceived(_logger, response.StatusCode, response.ErrorType, correlationId, sent?.Action, sent?.RecipientClientId);
                }
                else
                {
                    Log.MessageReceived(_logger, message.WireMessageType, message.SenderClientId);
                }

                _dispatchQueue.Writer.TryWrite(new DispatchItem(message, null, null));
                if (message.Type == SignalingMessageType.GoAway)
                {
                    Log.GoAwayReceived(_logger);
                    return true;
                }

                return false;
            case ServiceFrameStatus.Ignorable:
                Log.FrameIgnored(_logger, frame.Length, error);
                return false;
            default:
                Log.FrameMalformed(_logger, frame.Length, error);
                PublishError(new SignalingException(
                    status == ServiceFrameStatus.MalformedPayload ? SignalingError.MalformedPayload : SignalingError.MalformedFrame,
                    error ?? "The frame could not be decoded."));
                return false;
        }
    }

    /// <summary>Starts the close handshake (status 1000) while the receive loop may still run; aborts after the close timeout.</summary>
    private async Task CloseOutputAsync(SignalingConnection connection)
    {
        using var timeout = new CancellationTokenSource(_options.CloseTimeout, _time);
        var locked = false;
        try
        {
            locked = await connection.SendLock.WaitAsync(Timeout.Infinite, timeout.Token).ConfigureAwait(false);
            if (connection.Socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await connection.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            Log.CloseFailed(_logger, connection.Generation, ex);
            connection.Abort();
        }
        finally
        {
            if (locked)
            {
                connection.SendLock.Release();
            }
        }
    }

    /// <summary>Finishes closing a connection whose receive loop has ended (GO_AWAY, remote close, failure).</summary>
    private async Task CloseAfterReceiveAsync(SignalingConnection connection)
    {
        var socket = connection.Socket;
        if (socket.State == WebSocketState.Closed)
        {
            return; // handshake complete; Dispose releases the socket.
        }

        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            connection.Abort();
            return;
        }

        using var timeout = new CancellationTokenSource(_options.CloseTimeout, _time);
        var locked = false;
        try
        {
            locked = await connection.SendLock.WaitAsync(Timeout.Infinite, timeout.Token).ConfigureAwait(false);
            if (socket.State == WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            }
            else if (socket.State == WebSocketState.Open)
            {
                // Nobody else receives now: a full handshake is allowed.
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            Log.CloseFailed(_logger, connection.Generation, ex);
            connection.Abort();
        }
        finally
        {
            if (locked)
            {
                connection.SendLock.Release();
            }
        }
    }

    /// <summary>
    /// The signing time of the next connection attempt: the signer's time, but at least one second after the previous
    /// attempt's of the same identity in this process (<see cref="PresignedUrlSeconds"/>). A presigned URL is only unique to the second (X-Amz-Date), and KVS (like the emulator) refuses a
    /// replayed URL, so two attempts within one second must not carry the same signature. The bump stays well inside
    /// the 5-minute skew AWS accepts (at most 60 s ahead of the clock; past that the attempt waits for the clock).
    /// </summary>
    private const long MaxSigningLead = 60;

    private DateTimeOffset NextSigningTime() =>
        PresignedUrlSeconds.Next(_options.Endpoint.OriginalString + "|" + _options.ChannelArn + "|" + (ClientId ?? "(master)"), _signer.GetSigningTime(), MaxSigningLead);
}
