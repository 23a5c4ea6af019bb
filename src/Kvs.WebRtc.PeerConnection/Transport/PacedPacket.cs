namespace Kvs.WebRtc.PeerConnection.Transport;

/// <summary>One RTP packet waiting in a connection's pacer: a copy in a pooled buffer, and the payload type and SSRC it leaves with.</summary>
internal readonly record struct PacedPacket(byte[] Buffer, int Length, byte PayloadType, uint Ssrc);
