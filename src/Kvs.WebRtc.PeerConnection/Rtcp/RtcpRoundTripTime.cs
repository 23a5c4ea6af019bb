namespace Kvs.WebRtc.PeerConnection.Rtcp;

/// <summary>
/// The round-trip time a report block yields (RFC 3550 §6.4.1): the arrival time of the report (A, our NTP clock in
/// 16.16 compact form) minus the LSR it echoes (the compact NTP time of our SR) minus the DLSR the peer held it.
/// </summary>
internal static class RtcpRoundTripTime
{
    /// <summary>
    /// A − LSR − DLSR as a duration, in 16.16 arithmetic modulo 2^32; null when the block echoes no SR (LSR 0) or the
    /// result is negative (a report from the future, or a DLSR longer than the time since our SR).
    /// </summary>
    public static TimeSpan? Compute(uint arrivalCompact, uint lastSenderReport, uint delaySinceLastSenderReport)
    {
        if (lastSenderReport == 0)
        {
            return null;
        }

        var rtt = unchecked(arrivalCompact - lastSenderReport - delaySinceLastSenderReport);
        return unchecked((int)rtt) < 0 ? null : RtcpNtpTime.CompactToTimeSpan(rtt);
    }
}
