namespace Kvs.WebRtc.Signaling;

/// <summary>Why one WebSocket connection of a <see cref="SignalingClient"/> ended.</summary>
internal enum ConnectionEndReason
{
    /// <summary>The server closed the WebSocket (close frame).</summary>
    RemoteClosed = 0,

    /// <summary>The socket failed (reset, keep-alive timeout, protocol error).</summary>
    Faulted,

    /// <summary>The service sent <c>GO_AWAY</c>.</summary>
    GoAway,

    /// <summary>The connection reached <see cref="SignalingClientOptions.MaxConnectionAge"/>.</summary>
    MaxAge,

    /// <summary>A frame could not be written (error or send timeout).</summary>
    SendFailed,

    /// <summary>The client is being disposed.</summary>
    Disposing,
}
