using System.Threading.Channels;
using Kvs.WebRtc.Signaling;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Sessions;

/// <summary>
/// Takes the signaling messages a session cares about off the signaling client's receive loop and handles them one at
/// a time on a loop of its own, so slow peer-connection work never stalls signaling. Bounded: when full, a message
/// is dropped and logged.
/// </summary>
internal sealed partial class SignalingInbox : IAsyncDisposable
{
    private const int Capacity = 1024;

    private readonly Channel<SignalingMessage> _messages = Channel.CreateBounded<SignalingMessage>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly SignalingMessageType[] _accepted;
    private readonly Func<SignalingMessage, Task> _handle;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private readonly IDisposable _subscription;
    private readonly Task _loop;

    /// <summary>Subscribes to <paramref name="signaling"/> and starts handling.</summary>
    /// <param name="signaling">The source of messages.</param>
    /// <param name="accepted">The message types to handle; others are ignored.</param>
    /// <param name="handle">Handles one message; called sequentially, in arrival order.</param>
    /// <param name="logger">Where drops are logged.</param>
    /// <param name="stopping">Ends the loop; cancel it before disposing.</param>
    public SignalingInbox(SignalingClient signaling, SignalingMessageType[] accepted, Func<SignalingMessage, Task> handle, ILogger logger, CancellationToken stopping)
    {
        _accepted = accepted;
        _handle = handle;
        _logger = logger;
        _stopping = stopping;
        _subscription = signaling.Messages.Subscribe(Enqueue);
        _loop = Task.Run(RunAsync, CancellationToken.None); // the loop itself observes the stopping token
    }

    /// <summary>Unsubscribes and waits (bounded) for the loop to end.</summary>
    public async ValueTask DisposeAsync()
    {
        _subscription.Dispose();
        _messages.Writer.TryComplete();
        await _loop.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private void Enqueue(SignalingMessage message)
    {
        if (Array.IndexOf(_accepted, message.Type) >= 0 && !_messages.Writer.TryWrite(message))
        {
            Log.InboxFull(_logger, message.Type, message.SenderClientId);
        }
    }

    private async Task RunAsync()
    {
        try
        {
            await foreach (var message in _messages.Reader.ReadAllAsync(_stopping).ConfigureAwait(false))
            {
                await _handle(message).ConfigureAwait(false);
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
    }
}
