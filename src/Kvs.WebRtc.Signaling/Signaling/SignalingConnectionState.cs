namespace Kvs.WebRtc.Signaling;

/// <summary>The connection state of a <see cref="SignalingClient"/> (see <see cref="SignalingClient.States"/>).</summary>
public enum SignalingConnectionState
{
    /// <summary>The first WebSocket connection is being opened.</summary>
    Connecting = 0,

    /// <summary>The WebSocket is open; sends go straight to the socket.</summary>
    Connected,

    /// <summary>
    /// The connection dropped, the service sent <c>GO_AWAY</c>, or the connection reached its maximum age; the client
    /// is opening a new one with a freshly signed URL. Sends are queued meanwhile.
    /// </summary>
    Reconnecting,

    /// <summary>The client is being disposed and closes its WebSocket.</summary>
    Closing,

    /// <summary>The client was disposed. Terminal.</summary>
    Closed,

    /// <summary>The connection was lost and reconnecting is disabled or gave up. Terminal until disposed.</summary>
    Failed,
}
