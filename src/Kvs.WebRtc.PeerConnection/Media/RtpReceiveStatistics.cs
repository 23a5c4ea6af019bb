namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>
/// Reception statistics of one remote SSRC, as RFC 3550 defines them: the extended highest sequence number and the
/// source's restart rule (appendix A.1, without the probation period: SRTP already authenticates the source), the
/// cumulative and interval loss (A.3), and the interarrival jitter in RTP timestamp units (§6.4.1, A.8). Also keeps
/// the last sender report of the source (LSR and its arrival, for DLSR; packet/octet counts for remote-outbound stats).
/// </summary>
/// <remarks>
/// <para>Fed by the receive path (<see cref="OnPacket"/>: no allocation, one uncontended lock) and read by the RTCP
/// report timer and <c>GetStats</c> from other threads. Time is an argument: <c>arrival</c> is a monotonic clock reading.</para>
/// <para>Jitter is updated for packets that advance the sequence (as libwebrtc does), so a retransmitted or reordered
/// packet does not count its extra delay as jitter; duplicates count as received, so the cumulative loss may go
/// negative (RFC 3550 §6.4.1).</para>
/// </remarks>
internal sealed class RtpReceiveStatistics
{
    private const int SequenceModulo = 1 << 16;
    private const int MaxDropout = 3000;
    private const int MaxMisorder = 100;

    private readonly object _gate = new();
    private bool _initialized;
    private ushort _maxSequence;
    private long _cycles;
    private long _baseSequence;
    private int _badSequence = SequenceModulo + 1;
    private long _received;
    private long _packetsTotal;
    private long _receivedPrior;
    private long _expectedPrior;
    private bool _hasTransit;
    private uint _transit;
    private long _jitterQ4;
    private long _bytes;
    private TimeSpan _lastArrival;
    private int _payloadType = -1;
    private long _plisSent;

    private bool _hasSenderReport;
    private ulong _senderReportNtp;
    private uint _senderReportRtpTimestamp;
    private TimeSpan _senderReportArrival;
    private DateTimeOffset _senderReportReceivedAt;
    private uint _remotePacketsSent;
    private uint _remoteOctetsSent;
    private long _senderReportsReceived;

    /// <summary>Creates the statistics of <paramref name="ssrc"/>, whose RTP clock runs at <paramref name="clockRate"/> Hz.</summary>
    public RtpReceiveStatistics(uint ssrc, int clockRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clockRate);
        Ssrc = ssrc;
        ClockRate = clockRate;
    }

    /// <summary>The remote SSRC.</summary>
    public uint Ssrc { get; }

    /// <summary>The RTP clock rate in Hz (jitter units).</summary>
    public int ClockRate { get; }

    /// <summary>A consistent snapshot of the counters.</summary>
    public RtpReceiveSnapshot Snapshot
    {
        get
        {
            lock (_gate)
            {
                return new RtpReceiveSnapshot(
                    Ssrc,
                    _payloadType,
                    _packetsTotal,
                    _bytes,
                    _initialized ? CumulativeLostLocked() : 0,
                    ExtendedHighestLocked(),
                    (uint)(_jitterQ4 >> 4),
                    _initialized ? _lastArrival : null,
                    _plisSent,
                    _hasSenderReport ? new RtpRemoteSenderReport(_senderReportNtp, _senderReportRtpTimestamp, _remotePacketsSent, _remoteOctetsSent,
                        _senderReportReceivedAt, _senderReportsReceived) : null);
            }
        }
    }

    /// <summary>
    /// Counts one received packet (RFC 3550 A.1 <c>update_seq</c>, A.8 jitter). Returns false for a packet far outside
    /// the sequence (a jump of more than 3,000 or an old one more than 100 behind) that was not counted: the first such
    /// packet is remembered and the next one in sequence after it restarts the statistics (the source restarted).
    /// </summary>
    /// <param name="sequence">The RTP sequence number.</param>
    /// <param name="rtpTimestamp">The RTP timestamp.</param>
    /// <param name="payloadType">The payload type.</param>
    /// <param name="payloadLength">Payload bytes (headers and padding excluded), for bytesReceived.</param>
    /// <param name="arrival">Arrival time on a monotonic clock.</param>
    public bool OnPacket(ushort sequence, uint rtpTimestamp, byte payloadType, int payloadLength, TimeSpan arrival)
    {
        lock (_gate)
        {
            var advanced = true;
            if (!_initialized)
            {
                RestartLocked(sequence);
                _initialized = true;
            }
            else
            {
                var delta = (ushort)(sequence - _maxSequence);
                if (delta < MaxDropout)
                {
                    // In order, with a permissible gap; delta 0 is a duplicate of the highest.
                    advanced = delta != 0;
                    if (sequence < _maxSequence)
                    {
                        _cycles += SequenceModulo;
                    }

                    _maxSequence = sequence;
                }
                else if (delta <= SequenceModulo - MaxMisorder)
                {
                    // A very large jump: accept it only when the next packet follows it (the source restarted).
                    if (sequence != _badSequence)
                    {
                        _badSequence = (sequence + 1) & (SequenceModulo - 1);
                        return false;
                    }

                    RestartLocked(sequence);
                }
                else
                {
                    // A duplicate or a reordered packet.
                    advanced = false;
                }
            }

            _received++;
            _packetsTotal++;
            _bytes += payloadLength;
            _lastArrival = arrival;
            _payloadType = payloadType;
            if (advanced)
            {
                UpdateJitterLocked(rtpTimestamp, arrival);
            }

            return true;
        }
    }

    /// <summary>Counts a PLI this side sent for the source.</summary>
    public void OnPliSent()
    {
        lock (_gate)
        {
            _plisSent++;
        }
    }

    /// <summary>Keeps a sender report of the source (RFC 3550 §6.4.1) received at <paramref name="arrival"/> (monotonic) / <paramref name="receivedAt"/> (wall clock).</summary>
    public void OnSenderReport(ulong ntpTimestamp, uint rtpTimestamp, uint packetCount, uint octetCount, TimeSpan arrival, DateTimeOffset receivedAt)
    {
        lock (_gate)
        {
            _hasSenderReport = true;
            _senderReportNtp = ntpTimestamp;
            _senderReportRtpTimestamp = rtpTimestamp;
            _remotePacketsSent = packetCount;
            _remoteOctetsSent = octetCount;
            _senderReportArrival = arrival;
            _senderReportReceivedAt = receivedAt;
            _senderReportsReceived++;
        }
    }

    /// <summary>
    /// The values of the next report block (RFC 3550 A.3): cumulative loss, the fraction lost since the previous call
    /// (which this call ends), extended highest sequence number, jitter, and LSR with the time since it arrived.
    /// False before the first packet.
    /// </summary>
    /// <param name="now">The monotonic time the report is made (for DLSR).</param>
    /// <param name="report">The report values.</param>
    public bool TryTakeReport(TimeSpan now, out RtpReceptionReport report)
    {
        lock (_gate)
        {
            if (!_initialized)
            {
                report = default;
                return false;
            }

            var expected = ExpectedLocked();
            var expectedInterval = expected - _expectedPrior;
            _expectedPrior = expected;
            var receivedInterval = _received - _receivedPrior;
            _receivedPrior = _received;
            var lostInterval = expectedInterval - receivedInterval;
            var fraction = expectedInterval <= 0 || lostInterval <= 0 ? (byte)0 : (byte)Math.Min(255, (lostInterval << 8) / expectedInterval);
            var lastSenderReport = _hasSenderReport ? (uint)(_senderReportNtp >> 16) : 0;
            var sinceLastSenderReport = _hasSenderReport && now > _senderReportArrival ? now - _senderReportArrival : TimeSpan.Zero;
            report = new RtpReceptionReport(Ssrc, fraction, CumulativeLostLocked(), ExtendedHighestLocked(), (uint)(_jitterQ4 >> 4),
                lastSenderReport, sinceLastSenderReport);
            return true;
        }
    }

    // RTP clock units since an arbitrary origin, from a monotonic time (exact integer arithmetic, no overflow for years).
    internal static long ToRtpUnits(TimeSpan time, int clockRate) =>
        ((time.Ticks / TimeSpan.TicksPerSecond) * clockRate) + ((time.Ticks % TimeSpan.TicksPerSecond) * clockRate / TimeSpan.TicksPerSecond);

    private void RestartLocked(ushort sequence)
    {
        _baseSequence = sequence;
        _maxSequence = sequence;
        _badSequence = SequenceModulo + 1;
        _cycles = 0;
        _received = 0;
        _receivedPrior = 0;
        _expectedPrior = 0;
        _hasTransit = false;
    }

    // A.8: J(i) = J(i-1) + (|D(i-1,i)| - J(i-1))/16, kept scaled by 16 in integers (the RFC's fixed-point variant).
    private void UpdateJitterLocked(uint rtpTimestamp, TimeSpan arrival)
    {
        var transit = unchecked((uint)ToRtpUnits(arrival, ClockRate) - rtpTimestamp);
        if (_hasTransit)
        {
            var d = Math.Abs((long)unchecked((int)(transit - _transit)));
            _jitterQ4 += d - ((_jitterQ4 + 8) >> 4);
        }

        _transit = transit;
        _hasTransit = true;
    }

    private long ExpectedLocked() => _cycles + _maxSequence - _baseSequence + 1;

    private long CumulativeLostLocked() => ExpectedLocked() - _received;

    private uint ExtendedHighestLocked() => unchecked((uint)(_cycles + _maxSequence));
}
