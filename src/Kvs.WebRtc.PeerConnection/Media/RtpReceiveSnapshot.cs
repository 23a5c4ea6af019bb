namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>A consistent copy of the counters of <see cref="RtpReceiveStatistics"/>.</summary>
/// <param name="Ssrc">The remote SSRC.</param>
/// <param name="PayloadType">The payload type of the last packet, -1 before the first.</param>
/// <param name="PacketsReceived">Packets counted (duplicates included).</param>
/// <param name="BytesReceived">Payload bytes received.</param>
/// <param name="PacketsLost">Cumulative loss (RFC 3550 A.3), negative with duplicates.</param>
/// <param name="ExtendedHighestSequenceNumber">The extended highest sequence number.</param>
/// <param name="Jitter">Interarrival jitter in RTP timestamp units.</param>
/// <param name="LastArrival">Monotonic arrival time of the last packet, null before the first.</param>
/// <param name="PliCount">PLIs sent for the source.</param>
/// <param name="LastSenderReport">The source's last sender report, if any.</param>
internal readonly record struct RtpReceiveSnapshot(
    uint Ssrc,
    int PayloadType,
    long PacketsReceived,
    long BytesReceived,
    long PacketsLost,
    uint ExtendedHighestSequenceNumber,
    uint Jitter,
    TimeSpan? LastArrival,
    long PliCount,
    RtpRemoteSenderReport? LastSenderReport);
