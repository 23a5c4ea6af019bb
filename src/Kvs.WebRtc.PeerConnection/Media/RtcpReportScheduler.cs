namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>
/// When to send the next compound RTCP report (RFC 3550 §6.2, §6.3.1 and appendix A.7), sans-IO: time is an argument.
/// The deterministic interval is <c>max(Tmin, n × C)</c>, where C is the average compound size over the RTCP bandwidth
/// (5 % of the session bandwidth, a quarter of it for senders when they are at most a quarter of the members); the
/// first report uses half the minimum; each interval is then randomized uniformly in [0.5, 1.5] × the deterministic
/// one so that reports of many participants do not synchronize.
/// </summary>
/// <remarks>
/// <para>The minimum follows the browsers rather than RFC 3550's 5 s for every stream: 1 s when video is sent or
/// received, 5 s for audio only (configurable). The RFC's e − 3/2 compensation for timer reconsideration is not applied:
/// there is no reconsideration with two members, and libwebrtc does not apply it either.</para>
/// <para>Not thread-safe; the connection calls it under its RTCP lock.</para>
/// </remarks>
internal sealed class RtcpReportScheduler
{
    /// <summary>The share of the session bandwidth RTCP may use (RFC 3550 §6.2).</summary>
    public const double RtcpBandwidthFraction = 0.05;

    /// <summary>The senders' share of the RTCP bandwidth when they are few (RFC 3550 §6.2).</summary>
    public const double SenderBandwidthFraction = 0.25;

    /// <summary>UDP and IPv4 header bytes counted in the average compound size (RFC 3550 §6.2).</summary>
    public const int LowerLayerOverhead = 28;

    /// <summary>The minimum interval with video (libwebrtc's).</summary>
    public static readonly TimeSpan DefaultVideoInterval = TimeSpan.FromSeconds(1);

    /// <summary>The minimum interval for audio only (RFC 3550 §6.2, libwebrtc).</summary>
    public static readonly TimeSpan DefaultAudioInterval = TimeSpan.FromSeconds(5);

    private readonly Random _random;

    /// <summary>Creates a scheduler drawing its randomization from <paramref name="random"/> (seeded in tests).</summary>
    public RtcpReportScheduler(Random random)
    {
        _random = random;
    }

    /// <summary>When the next report is due (monotonic), or null while stopped.</summary>
    public TimeSpan? NextTimeout { get; private set; }

    /// <summary>The running average compound size in bytes, lower-layer overhead included (avg_rtcp_size).</summary>
    public double AverageRtcpSize { get; private set; } = 100 + LowerLayerOverhead;

    /// <summary>True until the first report was sent.</summary>
    public bool IsInitial { get; private set; } = true;

    /// <summary>Reports sent.</summary>
    public long ReportsSent { get; private set; }

    /// <summary>Schedules the first report (half the minimum, randomized); no effect when already started.</summary>
    public void Start(TimeSpan now, TimeSpan minimumInterval)
    {
        if (NextTimeout is not null)
        {
            return;
        }

        NextTimeout = now + Randomize(ComputeDeterministicInterval(2, 1, weSent: true, 0, AverageRtcpSize, initial: true, minimumInterval));
    }

    /// <summary>Stops scheduling (the connection closed).</summary>
    public void Stop() => NextTimeout = null;

    /// <summary>Whether a report is due at <paramref name="now"/>.</summary>
    public bool IsDue(TimeSpan now) => NextTimeout is { } next && next <= now;

    /// <summary>
    /// Records a compound report of <paramref name="compoundSize"/> bytes sent at <paramref name="now"/> and schedules
    /// the next one (RFC 3550 §6.3.3 for the size average, §6.3.6 for the next time).
    /// </summary>
    /// <param name="now">Monotonic time of the send.</param>
    /// <param name="compoundSize">Bytes of the compound packet (before SRTCP protection).</param>
    /// <param name="members">Session members, us included (2 in a peer connection).</param>
    /// <param name="senders">Members that sent RTP recently, us included.</param>
    /// <param name="weSent">Whether we sent RTP since the previous report.</param>
    /// <param name="sessionBitsPerSecond">The session bandwidth (sent plus received media), 0 when unknown.</param>
    /// <param name="minimumInterval">Tmin.</param>
    public void OnReportSent(TimeSpan now, int compoundSize, int members, int senders, bool weSent, double sessionBitsPerSecond, TimeSpan minimumInterval)
    {
        AverageRtcpSize += ((compoundSize + LowerLayerOverhead) - AverageRtcpSize) / 16;
        IsInitial = false;
        ReportsSent++;
        var deterministic = ComputeDeterministicInterval(members, senders, weSent, sessionBitsPerSecond * RtcpBandwidthFraction, AverageRtcpSize, initial: false,
            minimumInterval);
        NextTimeout = now + Randomize(deterministic);
    }

    /// <summary>
    /// The deterministic interval Td of RFC 3550 §6.3.1 / A.7 <c>rtcp_interval</c> (without the randomization and the
    /// e − 3/2 compensation).
    /// </summary>
    /// <param name="members">Members (at least 1 is assumed).</param>
    /// <param name="senders">Senders among them.</param>
    /// <param name="weSent">Whether we are a sender.</param>
    /// <param name="rtcpBitsPerSecond">The RTCP bandwidth; 0 or less gives the minimum.</param>
    /// <param name="averageRtcpSize">Average compound size in bytes.</param>
    /// <param name="initial">Before the first report: half the minimum.</param>
    /// <param name="minimumInterval">Tmin.</param>
    public static TimeSpan ComputeDeterministicInterval(int members, int senders, bool weSent, double rtcpBitsPerSecond, double averageRtcpSize, bool initial,
        TimeSpan minimumInterval)
    {
        var minimum = initial ? minimumInterval / 2 : minimumInterval;
        if (rtcpBitsPerSecond <= 0)
        {
            return minimum;
        }

        double n = Math.Max(1, members);
        var rtcpBytesPerSecond = rtcpBitsPerSecond / 8;
        if (senders > 0 && senders <= members * SenderBandwidthFraction)
        {
            if (weSent)
            {
                rtcpBytesPerSecond *= SenderBandwidthFraction;
                n = senders;
            }
            else
            {
                rtcpBytesPerSecond *= 1 - SenderBandwidthFraction;
                n = members - senders;
            }
        }

        var seconds = n * averageRtcpSize / rtcpBytesPerSecond;
        var interval = TimeSpan.FromSeconds(Math.Min(seconds, 3600));
        return interval > minimum ? interval : minimum;
    }

    /// <summary>A uniform draw in [0.5, 1.5] × <paramref name="deterministic"/>.</summary>
    public TimeSpan Randomize(TimeSpan deterministic) => deterministic * (0.5 + _random.NextDouble());
}
