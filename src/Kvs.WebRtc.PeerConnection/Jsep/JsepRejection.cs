namespace Kvs.WebRtc.PeerConnection.Jsep;

/// <summary>An offered m= section we answered with port 0, and why (logged at Warning by the connection).</summary>
internal sealed record JsepRejection(int MLineIndex, string? Mid, string Media, string Reason);
