namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>What the peer's last report block (RFC 3550 §6.4.1) said about one of our senders: remote-inbound-rtp stats.</summary>
/// <param name="FractionLost">Lost fraction in the peer's last interval, in 1/256 units.</param>
/// <param name="PacketsLost">Cumulative loss the peer counted.</param>
/// <param name="ExtendedHighestSequenceNumber">The highest sequence number the peer received, extended.</param>
/// <param name="Jitter">Interarrival jitter the peer measured, in RTP timestamp units.</param>
/// <param name="ReceivedAt">When the report arrived (our wall clock).</param>
/// <param name="ReportsReceived">Report blocks received about this sender.</param>
internal readonly record struct RtpRemoteReceiverReport(
    byte FractionLost,
    long PacketsLost,
    uint ExtendedHighestSequenceNumber,
    uint Jitter,
    DateTimeOffset ReceivedAt,
    long ReportsReceived);
