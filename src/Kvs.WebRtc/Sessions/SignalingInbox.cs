using System.Threading.Channels;
using Kvs.WebRtc.Signaling;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Sessions;

/// <summary>
/// Takes the signaling messages a session cares about off the signaling client's receive loop and handles them one at
/// a time on a loop of its own, so slow peer-connection work never stalls signaling. Bounded and fair: at most
/// <see cref="Capacity"/> messages wait in all, and at most <see cref="MaxQueuedPerClient"/> from any one sender, so a
/// client's burst is cut at its own quota and cannot fill the inbox and drop another viewer's offer. Drops are logged,
/// rate-limited per client.
/// </summary>
internal sealed partial class SignalingInbox : IAsyncDisposable
{
    /// <summary>Messages waiting in all.</summary>
    internal const int Capacity = 1024;

    /// <summary>Messages waiting from one sender client id (a browser trickles a few dozen candidates at most).</summary>
    internal const int MaxQueuedPerClient = 64;

    private const string NoSender = "";

    private readonly Channel<SignalingMessage> _messages = Channel.CreateBounded<SignalingMessage>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Dictionary<string, int> _queuedPerClient = new(StringComparer.Ordinal);
    private readonly SignalingMessageType[] _accepted;
    private readonly Func<SignalingMessage, Task> _handle;
    private readonly ILogger _logger;
    private readonly ClientWarningLimiter _warnings;
    private readonly CancellationToken _stopping;
    private readonly IDisposable _subscription;
    private readonly Task _loop;
    private long _dropped;

    /// <summary>Subscribes to <paramref name="messages"/> and starts handling.</summary>
    /// <param name="messages">The source of messages (<see cref="SignalingClient.Messages"/>).</param>
    /// <param name="accepted">The message types to handle; others are ignored.</param>
    /// <param name="handle">Handles one message; called sequentially, in arrival order.</param>
    /// <param name="logger">Where drops are logged.</param>
    /// <param name="warnings">Rate-limits the drop warnings per sender.</param>
    /// <param name="stopping">Ends the loop; cancel it before disposing.</param>
    public SignalingInbox(
        IObservable<SignalingMessage> messages, SignalingMessageType[] accepted, Func<SignalingMessage, Task> handle, ILogger logger, ClientWarningLimiter warnings, CancellationToken stopping)
    {
        _accepted = accepted;
        _handle = handle;
        _logger = logger;
        _warnings = warnings;
        _stopping = stopping;
        _subscription = messages.Subscribe(m => Enqueue(m));
        _loop = Task.Run(RunAsync, CancellationToken.None); // the loop itself observes the stopping token
    }

    /// <summary>How many messages were dropped so far (sender over its quota or inbox full).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Unsubscribes and waits (bounded) for the loop to end.</summary>
    public async ValueTask DisposeAsync()
    {
        _subscription.Dispose();
        _messages.Writer.TryComplete();
        await _loop.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Offers one message; returns false when it was dropped (sender over quota, inbox full) or not accepted.</summary>
    internal bool Enqueue(SignalingMessage message)
    {
        if (Array.IndexOf(_accepted, message.Type) < 0)
        {
            return false;
        }

        var sender = message.SenderClientId ?? NoSender;
        bool overQuota;
        lock (_queuedPerClient)
        {
            var queued = _queuedPerClient.GetValueOrDefault(sender);
            overQuota = queued >= MaxQueuedPerClient;
            if (!overQuota)
            {
                if (_messages.Writer.TryWrite(message))
                {
                    _queuedPerClient[sender] = queued + 1;
                    return true;
                }
            }
        }

        Interlocked.Increment(ref _dropped);
        if (_warnings.ShouldLog(message.SenderClientId))
        {
            if (overQuota)
            {
                Log.SenderOverQuota(_logger, message.Type, message.SenderClientId, MaxQueuedPerClient);
            }
            else
            {
                Log.InboxFull(_logger, message.Type, message.SenderClientId);
            }
        }

        return false;
    }

    private void Dequeued(SignalingMessage message)
    {
        var sender = message.SenderClientId ?? NoSender;
        lock (_queuedPerClient)
        {
            var left = _queuedPerClient.GetValueOrDefault(sender) - 1;
            if (left <= 0)
            {
                _queuedPerClient.Remove(sender);
            }
            else
            {
                _queuedPerClient[sender] = left;
            }
        }
    }

    private async Task RunAsync()
    {
        try
        {
            await foreach (var message in _messages.Reader.ReadAllAsync(_stopping).ConfigureAwait(false))
            {
                Dequeued(message);
                try
                {
                    await _handle(message).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
                {
                    throw;
                }
#pragma warning disable CA1031 // one message whose handling failed in an unforeseen way must not end the loop for all peers
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    if (_warnings.ShouldLog(message.SenderClientId))
                    {
                        Log.HandlerFailed(_logger, message.Type, message.SenderClientId, ex);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(9106, LogLevel.Warning, "Signaling inbox full: dropped a {Type} from {ClientId}")]
        public static partial void InboxFull(ILogger logger, SignalingMessageType type, string? clientId);

        [LoggerMessage(9114, LogLevel.Warning, "Handling a {Type} from {ClientId} failed; the session goes on")]
        public static partial void HandlerFailed(ILogger logger, SignalingMessageType type, string? clientId, Exception exception);

        [LoggerMessage(9110, LogLevel.Warning, "Dropped a {Type} from {ClientId}: {Max} of its messages are already waiting")]
        public static partial void SenderOverQuota(ILogger logger, SignalingMessageType type, string? clientId, int max);
    }
}
