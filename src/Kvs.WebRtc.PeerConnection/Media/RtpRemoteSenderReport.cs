namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>The last sender report (RFC 3550 §6.4.1) of a source we receive: what remote-outbound-rtp stats show.</summary>
/// <param name="NtpTimestamp">The SR's 64-bit NTP timestamp (the sender's wall clock).</param>
/// <param name="RtpTimestamp">The RTP timestamp of the same instant.</param>
/// <param name="PacketCount">The sender's packet count.</param>
/// <param name="OctetCount">The sender's payload octet count.</param>
/// <param name="ReceivedAt">When it arrived (our wall clock).</param>
/// <param name="ReportsReceived">Sender reports received from the source.</param>
internal readonly record struct RtpRemoteSenderReport(
    ulong NtpTimestamp,
    uint RtpTimestamp,
    uint PacketCount,
    uint OctetCount,
    DateTimeOffset ReceivedAt,
    long ReportsReceived);
