using System.Buffers;

namespace Kvs.WebRtc.Signaling;

/// <summary>
/// One encoded client frame waiting in the send queue, with the task its sender awaits. The UTF-8 bytes live in a
/// rented array returned by whoever removes the frame from the queue (<see cref="ReturnBuffer"/>).
/// </summary>
internal sealed class OutboundFrame
{
    private const int Queued = 0;
    private const int Sending = 1;
    private const int Done = 2;

    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[]? _buffer;
    private int _state;
    private CancellationTokenRegistration _cancellation;

    public OutboundFrame(byte[] rentedBuffer, int length, SignalingMessageType action, string? recipientClientId, string? correlationId, int payloadLength)
    {
        _buffer = rentedBuffer;
        Length = length;
        Action = action;
        RecipientClientId = recipientClientId;
        CorrelationId = correlationId;
        PayloadLength = payloadLength;
    }

    public int Length { get; }

    public SignalingMessageType Action { get; }

    public string? RecipientClientId { get; }

    public string? CorrelationId { get; }

    public int PayloadLength { get; }

    public Task Completion => _completion.Task;

    public ReadOnlyMemory<byte> Utf8 => _buffer is { } buffer ? buffer.AsMemory(0, Length) : ReadOnlyMemory<byte>.Empty;

    /// <summary>Cancels the sender's task when <paramref name="cancellationToken"/> fires before the frame is written.</summary>
    public void RegisterCancellation(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((OutboundFrame)state!).Cancel(token), this);
        }
    }

    /// <summary>Claims the frame for writing; false when it was cancelled or finished.</summary>
    public bool TryBeginSend() => Interlocked.CompareExchange(ref _state, Sending, Queued) == Queued && !_completion.Task.IsCompleted;

    /// <summary>Puts a frame whose write failed back in the queued state (unless its sender gave up meanwhile).</summary>
    public void RevertToQueued()
    {
        if (_completion.Task.IsCompleted)
        {
            Volatile.Write(ref _state, Done);
            return;
        }

        Interlocked.CompareExchange(ref _state, Queued, Sending);
    }

    public void Complete()
    {
        Volatile.Write(ref _state, Done);
        _cancellation.Dispose();
        _completion.TrySetResult();
    }

    public void Fail(Exception exception)
    {
        Volatile.Write(ref _state, Done);
        _cancellation.Dispose();
        _completion.TrySetException(exception);
    }

    public void ReturnBuffer()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Cancel(CancellationToken token)
    {
        // A frame being written may still reach the socket; its sender sees the cancellation either way.
        Interlocked.CompareExchange(ref _state, Done, Queued);
        _completion.TrySetCanceled(token);
    }
}
