using System.Buffers;
using System.Threading.Tasks.Sources;

namespace Kvs.WebRtc.PeerConnection.DataChannels;

/// <summary>
/// One message waiting in a data channel's send queue for room in the SCTP send buffer: the awaitable of a
/// <c>SendAsync</c> call, or a message accepted by the synchronous <c>Send</c> while earlier <c>SendAsync</c> calls were
/// still waiting (copied, so the call order is the order on the wire). Nodes are pooled by the
/// <see cref="DataChannelManager"/>; the queue is an intrusive doubly linked list so a cancelled send leaves in O(1).
/// </summary>
/// <remarks>
/// Every field except the completion is read and written under the manager's lock. The <see cref="ValueTask"/> handed
/// out carries the node's version, so a node that went back to the pool cannot complete a stale awaiter.
/// </remarks>
internal sealed class DataChannelPendingSend : IValueTaskSource
{
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };

    /// <summary>The manager that owns the pool this node returns to.</summary>
    public DataChannelManager Manager { get; set; } = null!;

    /// <summary>The channel whose queue holds the node.</summary>
    public RTCDataChannel Channel { get; set; } = null!;

    public RTCDataChannelMessageType Type { get; set; }

    /// <summary>The caller's bytes (SendAsync: the caller keeps them valid until the task completes).</summary>
    public ReadOnlyMemory<byte> Data { get; set; }

    /// <summary>A copy rented from <see cref="ArrayPool{T}.Shared"/> for a synchronous Send; null for SendAsync.</summary>
    public byte[]? Owned { get; set; }

    /// <summary>Bytes the message adds to bufferedAmount (an empty message takes one).</summary>
    public int Length { get; set; }

    /// <summary>What the message counts against the cap: its length, at least <see cref="DataChannelManager.MinMessageCharge"/>.</summary>
    public int Cost { get; set; }

    /// <summary>True while the node is linked into its channel's queue.</summary>
    public bool Queued { get; set; }

    /// <summary>False when a cancellation callback may still run against this node: it is then never reused.</summary>
    public bool Poolable { get; set; }

    public DataChannelPendingSend? Previous { get; set; }

    public DataChannelPendingSend? Next { get; set; }

    public CancellationToken CancellationToken { get; set; }

    public CancellationTokenRegistration Registration { get; set; }

    /// <summary>The version the handed-out <see cref="ValueTask"/> carries.</summary>
    public short Version => _core.Version;

    /// <summary>The awaitable for the caller.</summary>
    public ValueTask AsValueTask() => new(this, _core.Version);

    /// <summary>Completes the caller's task (continuations run on the thread pool, never under the manager's lock).</summary>
    public void Complete() => _core.SetResult(true);

    /// <summary>Fails the caller's task.</summary>
    public void Fail(Exception exception) => _core.SetException(exception);

    /// <summary>Clears the node for reuse.</summary>
    public void Reset()
    {
        Channel = null!;
        Data = default;
        Owned = null;
        Length = 0;
        Cost = 0;
        Queued = false;
        Previous = null;
        Next = null;
        CancellationToken = default;
        Registration = default;
        _core.Reset();
    }

    /// <inheritdoc />
    public void GetResult(short token)
    {
        if (token != _core.Version)
        {
            _core.GetResult(token); // throws: a stale or repeated await
            return;
        }

        try
        {
            _core.GetResult(token);
        }
        finally
        {
            Manager.ReturnPendingSend(this);
        }
    }

    /// <inheritdoc />
    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    /// <inheritdoc />
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
