namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>A consistent copy of the counters of <see cref="RtpSendStatistics"/>.</summary>
/// <param name="Ssrc">The sender's SSRC.</param>
/// <param name="PayloadType">The bound payload type, -1 before the first binding.</param>
/// <param name="ClockRate">The RTP clock rate of the bound codec.</param>
/// <param name="PacketsSent">RTP packets sent.</param>
/// <param name="BytesSent">Payload octets sent (headers excluded).</param>
/// <param name="FramesSent">Frames sent whole.</param>
/// <param name="KeyFramesSent">Key frames sent.</param>
/// <param name="NackCount">Generic NACK packets received for the sender.</param>
/// <param name="PliCount">PLIs received for the sender.</param>
/// <param name="FirCount">FIR entries received for the sender.</param>
/// <param name="Remote">The peer's last report block about the sender, if any.</param>
/// <param name="RoundTripTime">The latest RTT measurement, if any.</param>
/// <param name="TotalRoundTripTime">Sum of all RTT measurements.</param>
/// <param name="RoundTripTimeMeasurements">Number of RTT measurements.</param>
/// <param name="FramesSkipped">Frames given to the sender but not sent (waiting for SRTP or for a key frame).</param>
internal readonly record struct RtpSendSnapshot(
    uint Ssrc,
    int PayloadType,
    int ClockRate,
    long PacketsSent,
    long BytesSent,
    long FramesSent,
    long KeyFramesSent,
    long NackCount,
    long PliCount,
    long FirCount,
    RtpRemoteReceiverReport? Remote,
    TimeSpan? RoundTripTime,
    TimeSpan TotalRoundTripTime,
    long RoundTripTimeMeasurements,
    long FramesSkipped);
