using System.Reactive.Subjects;
using System.Threading.Channels;
using Kvs.WebRtc.Signaling.Auth;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kvs.WebRtc.Signaling;

/// <summary>
/// A KVS WebRTC signaling client: one WebSocket to the channel's master or viewer endpoint, presigned with SigV4,
/// that sends SDP offers, answers and ICE candidates and publishes what the service delivers as observables.
/// </summary>
/// <remarks>
/// <para>Create one with <see cref="ConnectAsMasterAsync"/> or <see cref="ConnectAsViewerAsync"/>; they return once the
/// WebSocket is open. See the AWS guide "WebSocket APIs for WebRTC signaling"
/// (<see href="https://docs.aws.amazon.com/kinesisvideostreams-webrtc-dg/latest/devguide/kvswebrtc-websocket-apis.html"/>).</para>
/// <para>Resilience: when the connection drops, when the service sends <c>GO_AWAY</c>, and before the service's
/// one-hour limit (<see cref="SignalingClientOptions.MaxConnectionAge"/>) the client reconnects with back-off
/// (<see cref="SignalingClientOptions.Reconnect"/>), signing a fresh URL with fresh credentials each time. Sends made
/// meanwhile wait in a bounded queue and go out after the reconnect; if reconnecting gives up or the client is
/// disposed they fail with a <see cref="SignalingException"/> — a send is never dropped silently.</para>
/// <para>Observables: every subscriber is called on one dispatch thread, never on the receive loop, in arrival
/// order, so a slow subscriber delays other subscribers but never the socket. A subscriber that throws is logged and
/// stays subscribed; the connection is unaffected. All observables complete when the client is disposed.</para>
/// <para>Thread-safety: every member may be called concurrently. Frames are written by a single writer in the
/// order the send calls were made.</para>
/// </remarks>
public sealed partial class SignalingClient : IAsyncDisposable
{
    /// <summary>The payload size (base64 characters) above which a send logs a warning (the service limit is about 10K).</summary>
    public const int PayloadWarningThreshold = 10_000;

    private const int MaxReceiveFrameBytes = 1024 * 1024;
    private const int CorrelationCapacity = 4096;
    private static readonly TimeSpan s_correlationRetention = TimeSpan.FromMinutes(3);

    private readonly SignalingClientOptions _options;
    private readonly SigV4Signer _signer;
    private readonly TimeProvider _time;
    private readonly ILogger<SignalingClient> _logger;
    private readonly string _role;
    private readonly Channel<OutboundFrame> _sendQueue;
    private readonly Channel<DispatchItem> _dispatchQueue;
    private readonly CorrelationTracker _correlations = new(CorrelationCapacity, s_correlationRetention);
    private readonly CancellationTokenSource _lifetime = new();
    private readonly object _gate = new();
    private readonly object _stateEmitGate = new();

    private readonly Subject<SignalingMessage> _messages = new();
    private readonly Subject<SignalingMessage> _offers = new();
    private readonly Subject<SignalingMessage> _answers = new();
    private readonly Subject<SignalingMessage> _candidates = new();
    private readonly Subject<SignalingMessage> _statusResponses = new();
    private readonly Subject<SignalingMessage> _goAway = new();
    private readonly Subject<SignalingMessage> _reconnectIceServer = new();
    private readonly Subject<SignalingException> _errors = new();
    private readonly BehaviorSubject<SignalingConnectionState> _states = new(SignalingConnectionState.Connecting);

    private SignalingConnection? _connection;
    private TaskCompletionSource<SignalingConnection?> _connectionReady = NewConnectionWaiter();
    private SignalingConnectionState _state = SignalingConnectionState.Connecting;
    private SignalingException? _terminalError;
    private int _generation;
    private Task _runTask = Task.CompletedTask;
    private Task _writerTask = Task.CompletedTask;
    private Task _dispatchTask = Task.CompletedTask;
    private Task? _disposeTask;
    private bool _connectStarted;

    private SignalingClient(SignalingClientOptions options, string? clientId)
    {
        _options = options;
        ClientId = clientId;
        _role = clientId is null ? "master" : "viewer";
        _signer = options.Signer ?? new SigV4Signer(options.TimeProvider);
        _time = options.TimeProvider ?? options.Signer?.TimeProvider ?? TimeProvider.System;
        _logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<SignalingClient>();
        _sendQueue = Channel.CreateBounded<OutboundFrame>(new BoundedChannelOptions(options.SendQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _dispatchQueue = Channel.CreateUnbounded<DispatchItem>(new UnboundedChannelOptions { SingleReader = true });

        Action<Exception> onSubscriberError = ex => Log.SubscriberFailed(_logger, ex);
        Messages = new IsolatingObservable<SignalingMessage>(_messages, onSubscriberError);
        Offers = new IsolatingObservable<SignalingMessage>(_offers, onSubscriberError);
        Answers = new IsolatingObservable<SignalingMessage>(_answers, onSubscriberError);
        IceCandidates = new IsolatingObservable<SignalingMessage>(_candidates, onSubscriberError);
        StatusResponses = new IsolatingObservable<SignalingMessage>(_statusResponses, onSubscriberError);
        GoAway = new IsolatingObservable<SignalingMessage>(_goAway, onSubscriberError);
        ReconnectIceServer = new IsolatingObservable<SignalingMessage>(_reconnectIceServer, onSubscriberError);
        Errors = new IsolatingObservable<SignalingException>(_errors, onSubscriberError);
        States = new IsolatingObservable<SignalingConnectionState>(_states, onSubscriberError);
        _dispatchTask = Task.Run(DispatchLoopAsync, CancellationToken.None);
    }

    /// <summary>Every message the service delivers, of every type (including <see cref="SignalingMessageType.Unknown"/>).</summary>
    public IObservable<SignalingMessage> Messages { get; }

    /// <summary><c>SDP_OFFER</c> messages; <see cref="SignalingMessage.SessionDescription"/> is never null.</summary>
    public IObservable<SignalingMessage> Offers { get; }

    /// <summary><c>SDP_ANSWER</c> messages; <see cref="SignalingMessage.SessionDescription"/> is never null.</summary>
    public IObservable<SignalingMessage> Answers { get; }

    /// <summary><c>ICE_CANDIDATE</c> messages; <see cref="SignalingMessage.IceCandidate"/> is never null. End-of-candidates markers are not published.</summary>
    public IObservable<SignalingMessage> IceCandidates { get; }

    /// <summary>
    /// <c>STATUS_RESPONSE</c> messages; <see cref="SignalingMessage.StatusResponse"/> is never null and
    /// <see cref="SignalingMessage.CorrelatedSend"/> names the message it refers to when its correlation id matches a
    /// send of this client from the last few minutes.
    /// </summary>
    public IObservable<SignalingMessage> StatusResponses { get; }

    /// <summary><c>GO_AWAY</c> messages. The client reconnects by itself right after publishing one.</summary>
    public IObservable<SignalingMessage> GoAway { get; }

    /// <summary><c>RECONNECT_ICE_SERVER</c> messages: fetch a new ICE configuration (GetIceServerConfig) and refresh TURN relays.</summary>
    public IObservable<SignalingMessage> ReconnectIceServer { get; }

    /// <summary>
    /// Connection states, replaying the latest to each new subscriber (BehaviorSubject semantics). Reconnects appear as
    /// <see cref="SignalingConnectionState.Reconnecting"/> then <see cref="SignalingConnectionState.Connected"/>.
    /// </summary>
    public IObservable<SignalingConnectionState> States { get; }

    /// <summary>
    /// Non-fatal problems as typed events: undecodable frames (<see cref="SignalingError.MalformedFrame"/>,
    /// <see cref="SignalingError.MalformedPayload"/>, <see cref="SignalingError.UnsupportedFrame"/>), failed reconnect
    /// attempts (<see cref="SignalingError.ReconnectAttemptFailed"/>) and the final <see cref="SignalingError.ConnectionLost"/>.
    /// </summary>
    public IObservable<SignalingException> Errors { get; }

    /// <summary>The current connection state (updated before <see cref="States"/> publishes it).</summary>
    public SignalingConnectionState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>The viewer's client id (<c>X-Amz-ClientId</c>); null for a master.</summary>
    public string? ClientId { get; }

    /// <summary>True when connected as the channel's master.</summary>
    public bool IsMaster => ClientId is null;

    /// <summary>The signaling channel ARN.</summary>
    public string ChannelArn => _options.ChannelArn;

    /// <summary>Connects to a signaling channel as its master (no client id; sends must name a recipient).</summary>
    /// <param name="options">The settings; validated here.</param>
    /// <param name="cancellationToken">Cancels the connect; <see cref="SignalingClientOptions.ConnectTimeout"/> bounds it too.</param>
    /// <returns>A connected client. Dispose it to close the connection.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="SignalingException">The connection could not be opened (<see cref="SignalingException.Error"/> says why: 403, 404, timeout...).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<SignalingClient> ConnectAsMasterAsync(SignalingClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(nameof(options));
        return StartAsync(new SignalingClient(options, clientId: null), cancellationToken);
    }

    /// <summary>Connects to a signaling channel as a viewer identified by <paramref name="clientId"/> (sent as <c>X-Amz-ClientId</c>).</summary>
    /// <param name="options">The settings; validated here.</param>
    /// <param name="clientId">The viewer id: 1–256 of <c>[a-zA-Z0-9_.-]</c>, not starting with <c>AWS_</c>. A newer connection with the same id replaces this one at the service.</param>
    /// <param name="cancellationToken">Cancels the connect; <see cref="SignalingClientOptions.ConnectTimeout"/> bounds it too.</param>
    /// <returns>A connected client. Dispose it to close the connection.</returns>
    /// <exception cref="ArgumentException">The options or the client id are invalid.</exception>
    /// <exception cref="SignalingException">The connection could not be opened.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<SignalingClient> ConnectAsViewerAsync(SignalingClientOptions options, string clientId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        if (!SignalingIdentifiers.IsValidViewerClientId(clientId))
        {
            throw new ArgumentException("A viewer client id is 1-256 characters of [a-zA-Z0-9_.-] and must not start with 'AWS_'.", nameof(clientId));
        }

        options.Validate(nameof(options));
        return StartAsync(new SignalingClient(options, clientId), cancellationToken);
    }

    /// <summary>
    /// Creates an unconnected master client, so that subscriptions can be made before <see cref="ConnectAsync"/>
    /// (the service delivers messages buffered for the master right after it connects).
    /// </summary>
    /// <param name="options">The settings; validated here.</param>
    /// <returns>A client in the <see cref="SignalingConnectionState.Connecting"/> state; call <see cref="ConnectAsync"/>, then dispose it.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static SignalingClient CreateMaster(SignalingClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(nameof(options));
        return new SignalingClient(options, clientId: null);
    }

    /// <summary>Creates an unconnected viewer client (see <see cref="CreateMaster"/>).</summary>
    /// <param name="options">The settings; validated here.</param>
    /// <param name="clientId">The viewer id: 1–256 of <c>[a-zA-Z0-9_.-]</c>, not starting with <c>AWS_</c>.</param>
    /// <returns>A client in the <see cref="SignalingConnectionState.Connecting"/> state; call <see cref="ConnectAsync"/>, then dispose it.</returns>
    /// <exception cref="ArgumentException">The options or the client id are invalid.</exception>
    public static SignalingClient CreateViewer(SignalingClientOptions options, string clientId)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        if (!SignalingIdentifiers.IsValidViewerClientId(clientId))
        {
            throw new ArgumentException("A viewer client id is 1-256 characters of [a-zA-Z0-9_.-] and must not start with 'AWS_'.", nameof(clientId));
        }

        options.Validate(nameof(options));
        return new SignalingClient(options, clientId);
    }

    /// <summary>
    /// Opens the WebSocket of a client made with <see cref="CreateMaster"/> or <see cref="CreateViewer"/>. One attempt,
    /// bounded by <see cref="SignalingClientOptions.ConnectTimeout"/>; after a failure it may be called again. Sends
    /// made before it wait in the queue and go out once connected.
    /// </summary>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>A task that completes when the WebSocket is open.</returns>
    /// <exception cref="InvalidOperationException">The client is connected or connecting already.</exception>
    /// <exception cref="SignalingException">The connection could not be opened, or the client was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_terminalError is not null)
            {
                throw CloneTerminal(_terminalError);
            }

            if (_connectStarted)
            {
                throw new InvalidOperationException("The signaling client is connected or connecting already.");
            }

            _connectStarted = true;
        }

        SignalingConnection connection;
        try
        {
            connection = await ConnectOnceAsync(attempt: 0, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (_gate)
            {
                _connectStarted = false;
            }

            throw;
        }

        lock (_gate)
        {
            if (_terminalError is not null)
            {
                // Disposed while connecting.
                connection.Abort();
                connection.Dispose();
                throw CloneTerminal(_terminalError);
            }
        }

        Attach(connection, initial: true);
        lock (_gate)
        {
            // A concurrent DisposeAsync has taken the connection over and closes it; do not start the loops.
            if (_terminalError is null)
            {
                _writerTask = Task.Run(WriterLoopAsync, CancellationToken.None);
                _runTask = Task.Run(() => RunAsync(connection), CancellationToken.None);
            }
        }
    }

    /// <summary>Creates a new unique correlation id (32 hexadecimal characters, valid for the service).</summary>
    /// <returns>A correlation id.</returns>
    public static string CreateCorrelationId() => Guid.NewGuid().ToString("N");

    /// <summary>
    /// Closes the WebSocket gracefully (status 1000, bounded by <see cref="SignalingClientOptions.CloseTimeout"/>), fails
    /// queued sends with <see cref="SignalingError.Disposed"/> and completes every observable. Idempotent.
    /// </summary>
    /// <returns>A task that completes when the client has shut down.</returns>
    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _disposeTask ??= DisposeCoreAsync();
            return new ValueTask(_disposeTask);
        }
    }

    private static TaskCompletionSource<SignalingConnection?> NewConnectionWaiter() =>
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static async Task<SignalingClient> StartAsync(SignalingClient client, CancellationToken cancellationToken)
    {
        try
        {
            await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return client;
    }

    private async Task DisposeCoreAsync()
    {
        SignalingConnection? connection;
        lock (_gate)
        {
            connection = _connection;
            _terminalError = new SignalingException(SignalingError.Disposed, "The signaling client was disposed.");
            _connectionReady.TrySetResult(null);
        }

        SetState(SignalingConnectionState.Closing);
        _sendQueue.Writer.TryComplete();

        if (connection is not null && EndConnection(connection, ConnectionEndReason.Disposing))
        {
            await CloseOutputAsync(connection).ConfigureAwait(false);

            // The run loop ends when the server acknowledges the close (or the socket is aborted).
            if (!await WaitBoundedAsync(_runTask, _options.CloseTimeout).ConfigureAwait(false))
            {
                connection.Abort();
            }
        }

        await _lifetime.CancelAsync().ConfigureAwait(false);
        await WaitBoundedAsync(Task.WhenAll(_runTask, _writerTask), _options.CloseTimeout).ConfigureAwait(false);
        lock (_gate)
        {
            connection = _connection;
            _connection = null;
        }

        connection?.Abort();
        connection?.Dispose();
        FailQueuedSends();

        SetState(SignalingConnectionState.Closed);
        Log.Disposed(_logger, _options.Endpoint.Host, _role);
        _dispatchQueue.Writer.TryComplete();

        // Subscribers may be slow; do not wait for them forever. The dispatch loop completes the observables.
        await WaitBoundedAsync(_dispatchTask, _options.CloseTimeout).ConfigureAwait(false);
    }

    private async Task<bool> WaitBoundedAsync(Task task, TimeSpan timeout)
    {
        try
        {
            await task.WaitAsync(timeout, _time).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
#pragma warning disable CA1031 // The loops log their own failures; disposal only waits for them to end.
        catch (Exception)
#pragma warning restore CA1031
        {
            return true;
        }
    }

    private void SetState(SignalingConnectionState state)
    {
        lock (_gate)
        {
            if (_state == state || _state == SignalingConnectionState.Closed)
            {
                return;
            }

            // Failed is terminal until disposal moves the client to Closing/Closed.
            if (_state == SignalingConnectionState.Failed && state is not (SignalingConnectionState.Closing or SignalingConnectionState.Closed))
            {
                return;
            }

            _state = state;
        }

        _dispatchQueue.Writer.TryWrite(new DispatchItem(null, state, null));
    }

    private void PublishError(SignalingException error) => _dispatchQueue.Writer.TryWrite(new DispatchItem(null, null, error));

    private async Task DispatchLoopAsync()
    {
        var reader = _dispatchQueue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var item))
            {
                try
                {
                    Dispatch(item);
                }
#pragma warning disable CA1031 // Subjects are isolated already; this is a last line of defence for the loop.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Log.SubscriberFailed(_logger, ex);
                }
            }
        }

        _messages.OnCompleted();
        _offers.OnCompleted();
        _answers.OnCompleted();
        _candidates.OnCompleted();
        _statusResponses.OnCompleted();
        _goAway.OnCompleted();
        _reconnectIceServer.OnCompleted();
        _errors.OnCompleted();
        _states.OnCompleted();
    }

    private void Dispatch(DispatchItem item)
    {
        if (item.State is { } state)
        {
            lock (_stateEmitGate)
            {
                _states.OnNext(state);
            }
        }

        if (item.Error is { } error)
        {
            _errors.OnNext(error);
        }

        if (item.Message is not { } message)
        {
            return;
        }

        _messages.OnNext(message);
        var typed = message.Type switch
        {
            SignalingMessageType.SdpOffer => _offers,
            SignalingMessageType.SdpAnswer => _answers,
            SignalingMessageType.IceCandidate => _candidates,
            SignalingMessageType.StatusResponse => _statusResponses,
            SignalingMessageType.GoAway => _goAway,
            SignalingMessageType.ReconnectIceServer => _reconnectIceServer,
            _ => null,
        };
        typed?.OnNext(message);
    }
}
