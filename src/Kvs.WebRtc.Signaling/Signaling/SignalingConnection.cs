using System.Net.WebSockets;

namespace Kvs.WebRtc.Signaling;

/// <summary>
/// One open WebSocket of a <see cref="SignalingClient"/>, with its send lock (the writer loop and the close handshake
/// are the only senders) and the first reason anyone asked it to end.
/// </summary>
internal sealed class SignalingConnection(ClientWebSocket socket, int generation, DateTimeOffset connectedAt) : IDisposable
{
    private int _requestedEnd = -1;

    public ClientWebSocket Socket { get; } = socket;

    public int Generation { get; } = generation;

    public DateTimeOffset ConnectedAt { get; } = connectedAt;

    /// <summary>Serializes socket sends: the writer loop and the close handshake.</summary>
    public SemaphoreSlim SendLock { get; } = new(1, 1);

    /// <summary>The connection-age timer, when enabled.</summary>
    public ITimer? AgeTimer { get; set; }

    /// <summary>The first end requested by the client (GO_AWAY, age, send failure, dispose); null while none.</summary>
    public ConnectionEndReason? RequestedEnd
    {
        get
        {
            var value = Volatile.Read(ref _requestedEnd);
            return value < 0 ? null : (ConnectionEndReason)value;
        }
    }

    /// <summary>True once an end was requested: the writer stops using this connection.</summary>
    public bool IsClosing => Volatile.Read(ref _requestedEnd) >= 0;

    /// <summary>Records why the connection should end; the first request wins. Returns true for the first.</summary>
    public bool RequestEnd(ConnectionEndReason reason) => Interlocked.CompareExchange(ref _requestedEnd, (int)reason, -1) == -1;

    /// <summary>Tears the socket down at once (no close handshake).</summary>
    public void Abort()
    {
        try
        {
            Socket.Abort();
        }
        catch (ObjectDisposedException)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        AgeTimer?.Dispose();
        Socket.Dispose();
    }
}
