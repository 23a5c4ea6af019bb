namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>Receives an application datagram (DTLS, RTP/RTCP) that arrived on the ICE transport.</summary>
/// <param name="datagram">The bytes; valid only during the call.</param>
internal delegate void IceDataReceiver(ReadOnlySpan<byte> datagram);
