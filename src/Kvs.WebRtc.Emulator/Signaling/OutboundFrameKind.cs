namespace Kvs.WebRtc.Emulator.Signaling;

/// <summary>What an <see cref="OutboundFrame"/> carries.</summary>
internal enum OutboundFrameKind
{
    /// <summary>An SDP/ICE message routed from a peer (subject to delivery faults; re-buffered if unsent).</summary>
    Routed,

    /// <summary>A service frame (STATUS_RESPONSE, GO_AWAY, RECONNECT_ICE_SERVER).</summary>
    Control,

    /// <summary>Send a close frame; nothing is sent after it.</summary>
    Close,
}
