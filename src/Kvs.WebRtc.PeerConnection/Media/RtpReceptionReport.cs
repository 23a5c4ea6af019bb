namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>The values of one RTCP report block (RFC 3550 §6.4.1) about a source we receive, from <see cref="RtpReceiveStatistics.TryTakeReport"/>.</summary>
/// <param name="Ssrc">The source reported on.</param>
/// <param name="FractionLost">Lost fraction since the previous report, in 1/256 units.</param>
/// <param name="CumulativeLost">Packets lost since the start (negative with duplicates); the block clamps it to 24 bits.</param>
/// <param name="ExtendedHighestSequenceNumber">Cycles in the high 16 bits, highest sequence number in the low 16.</param>
/// <param name="Jitter">Interarrival jitter in RTP timestamp units.</param>
/// <param name="LastSenderReport">The middle 32 bits of the NTP timestamp of the source's last SR, 0 if none.</param>
/// <param name="SinceLastSenderReport">Time since that SR arrived (DLSR), zero if none.</param>
internal readonly record struct RtpReceptionReport(
    uint Ssrc,
    byte FractionLost,
    long CumulativeLost,
    uint ExtendedHighestSequenceNumber,
    uint Jitter,
    uint LastSenderReport,
    TimeSpan SinceLastSenderReport);
