using System.Net.WebSockets;

namespace Kvs.WebRtc.Emulator.Signaling;

/// <summary>One item of a connection's send queue: a routed message, an encoded control frame, or a close request.</summary>
internal readonly record struct OutboundFrame(
    OutboundFrameKind Kind,
    RoutedMessage? Message,
    string? Json,
    WebSocketCloseStatus CloseStatus,
    string? CloseReason,
    DateTimeOffset EnqueuedAt)
{
    public static OutboundFrame Routed(RoutedMessage message, DateTimeOffset now) => new(OutboundFrameKind.Routed, message, null, default, null, now);

    public static OutboundFrame Control(string json, DateTimeOffset now) => new(OutboundFrameKind.Control, null, json, default, null, now);

    public static OutboundFrame Close(WebSocketCloseStatus status, string reason, DateTimeOffset now) => new(OutboundFrameKind.Close, null, null, status, reason, now);
}
