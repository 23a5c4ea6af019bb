namespace Kvs.WebRtc.PeerConnection.Rtcp;

/// <summary>One FIR entry (RFC 5104 §4.3.1.1): the media sender asked for a decoder refresh and the request's sequence number.</summary>
/// <param name="Ssrc">The media sender that should send an intra frame.</param>
/// <param name="SequenceNumber">Incremented per new request; a repeat with the same number is a retransmission.</param>
internal readonly record struct RtcpFirEntry(uint Ssrc, byte SequenceNumber);
