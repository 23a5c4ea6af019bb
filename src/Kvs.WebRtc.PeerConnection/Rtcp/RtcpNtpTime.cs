namespace Kvs.WebRtc.PeerConnection.Rtcp;

/// <summary>
/// 64-bit NTP timestamps as SRs carry them (RFC 3550 §4: seconds since 1900 in the high word, fraction in the low word)
/// and their "compact" middle 32 bits used by LSR/DLSR (16.16 seconds). Wall-clock time enters only as an argument.
/// </summary>
internal static class RtcpNtpTime
{
    private const long NtpToUnixSeconds = 2_208_988_800;

    /// <summary>The NTP timestamp of <paramref name="time"/>.</summary>
    public static ulong FromDateTimeOffset(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks + (NtpToUnixSeconds * TimeSpan.TicksPerSecond);
        var seconds = (ulong)(ticks / TimeSpan.TicksPerSecond);
        var fraction = ((ulong)(ticks % TimeSpan.TicksPerSecond) << 32) / TimeSpan.TicksPerSecond;
        return (seconds << 32) | fraction;
    }

    /// <summary>The time an NTP timestamp stands for (era 0, 1900–2036).</summary>
    public static DateTimeOffset ToDateTimeOffset(ulong ntp)
    {
        var seconds = (long)(ntp >> 32) - NtpToUnixSeconds;
        var fractionTicks = (long)(((ntp & 0xFFFFFFFF) * TimeSpan.TicksPerSecond) >> 32);
        return DateTimeOffset.UnixEpoch.AddTicks((seconds * TimeSpan.TicksPerSecond) + fractionTicks);
    }

    /// <summary>The middle 32 bits (16.16 seconds), the LSR value of a report block.</summary>
    public static uint ToCompact(ulong ntp) => (uint)(ntp >> 16);

    /// <summary>A 16.16 compact value (DLSR, or an RTT computed from LSR/DLSR) as a duration.</summary>
    public static TimeSpan CompactToTimeSpan(uint compact) => TimeSpan.FromTicks((long)(((ulong)compact * TimeSpan.TicksPerSecond) >> 16));

    /// <summary>A duration as a 16.16 compact value (for DLSR), saturating at the largest one.</summary>
    public static uint TimeSpanToCompact(TimeSpan duration) =>
        duration <= TimeSpan.Zero ? 0 : duration.Ticks >= 65536 * TimeSpan.TicksPerSecond ? uint.MaxValue : (uint)(((ulong)duration.Ticks << 16) / TimeSpan.TicksPerSecond);
}
