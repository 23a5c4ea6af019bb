using Kvs.WebRtc.PeerConnection.Rtcp;

namespace Kvs.WebRtc.PeerConnection.Congestion;

/// <summary>
/// Send-side bandwidth estimation in the Google Congestion Control family (draft-ietf-rmcat-gcc-02 with transport-wide
/// feedback, draft-holmer-rmcat-transport-wide-cc-extensions-01). Sans-IO: the connection loop reports every packet
/// it sends (<see cref="OnPacketSent"/>) and every feedback it receives; time is always an argument, in µs of one
/// monotonic sender clock. The output is <see cref="TargetBitrateBps"/>; <see cref="TryTakeChange"/> tells the loop
/// when it moved enough to tell the encoder and the pacer.
/// </summary>
/// <remarks>
/// <para>
/// Pipeline per feedback: statuses are matched with the send record (<see cref="HistoryCapacity"/> packets, by
/// transport-wide sequence number); received packets feed the acknowledged-bitrate estimate and, in send order, the
/// delay-based chain (<see cref="InterArrivalGrouper"/> → <see cref="TrendlineEstimator"/> →
/// <see cref="OveruseDetector"/> → <see cref="AimdRateController"/>, whose decrease starts from the larger of the
/// average acknowledged bitrate and the recent peak throughput); first reports of lost and received packets
/// give the loss fraction for <see cref="LossBasedController"/>: measured over at least 50 packets and smoothed with
/// a weight of (packets / 200), so that random loss of a few percent does not read as 10 % by chance. The target is
/// min(delay-based rate, loss-based bound, REMB), clamped to the options' limits.
/// </para>
/// <para>
/// Hostile feedback is harmless: statuses for sequence numbers never sent, too old, or already acknowledged are
/// counted in <see cref="IgnoredStatusCount"/>; arrival-time jumps beyond 60 s restart the delay chain; work per
/// feedback is bounded by <see cref="HistoryCapacity"/> statuses (a packet may announce 65,535). Nothing allocates after construction. Not thread-safe:
/// one instance per connection, used by its loop.
/// </para>
/// </remarks>
internal sealed class SendSideBandwidthEstimator
{
    /// <summary>Sent packets remembered for matching feedback (about 4 s at 10 Mbit/s with full-size packets).</summary>
    public const int HistoryCapacity = 4096;

    private const int HistoryMask = HistoryCapacity - 1;
    private const long ArrivalWrapUs = (1L << 24) * 64_000; // the 24-bit reference time in 64 ms units
    private const long MaxArrivalJumpUs = 60_000_000;
    private const int MinLossPackets = 50;
    private const double LossSmoothingPackets = 200;
    private const long DefaultRttUs = 100_000;
    private const long MaxRttUs = 60_000_000;
    private const long TwccLossPreferenceUs = 2_000_000;
    private const byte StateSent = 1;
    private const byte StateLost = 2;
    private const byte StateReceived = 3;

    private readonly BandwidthEstimatorOptions _options;
    private readonly SentPacket[] _history = new SentPacket[HistoryCapacity];
    private readonly InterArrivalGrouper _grouper = new();
    private readonly TrendlineEstimator _trendline = new();
    private readonly OveruseDetector _detector = new();
    private readonly AcknowledgedBitrateEstimator _acked = new();
    private readonly AimdRateController _aimd;
    private readonly LossBasedController _loss;
    private long _lastSentSeq = -1;
    private long _lastDelaySeq = -1;
    private long _grouperResets;
    private bool _hasArrival;
    private long _lastArrivalRawUs;
    private long _lastArrivalUs;
    private int _lostInInterval;
    private int _receivedInInterval;
    private double _smoothedLoss = -1;
    private long _lastFeedbackUs = long.MinValue;
    private long _rembBps;
    private long _reportedBps;

    /// <summary>Creates an estimator at the start bitrate.</summary>
    /// <param name="options">Limits and tuning; null for the defaults (start 300 kbit/s, 30 kbit/s–10 Mbit/s).</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public SendSideBandwidthEstimator(BandwidthEstimatorOptions? options = null)
    {
        options ??= new BandwidthEstimatorOptions();
        options.Validate();
        _options = options;
        _aimd = new AimdRateController(options);
        _loss = new LossBasedController(options);
        TargetBitrateBps = options.StartBitrateBps;
        _reportedBps = TargetBitrateBps;
    }

    /// <summary>The target send bitrate in bits/s (all media of the connection, before pacing).</summary>
    public long TargetBitrateBps { get; private set; }

    /// <summary>The delay-based rate in bits/s.</summary>
    public long DelayBasedBitrateBps => _aimd.RateBps;

    /// <summary>The loss-based bound in bits/s (the maximum bitrate while loss never exceeded the high threshold).</summary>
    public long LossBasedBoundBps => _loss.BoundBps;

    /// <summary>The latest REMB in bits/s, 0 when none was received.</summary>
    public long RembBitrateBps => _rembBps;

    /// <summary>The rate at which the receiver got our packets (bits/s), 0 until measured.</summary>
    public long AcknowledgedBitrateBps => _acked.BitrateBps;

    /// <summary>The last loss fraction measured (0–1).</summary>
    public double LossFraction => _loss.LossFraction;

    /// <summary>The delay detector's current hypothesis.</summary>
    public BandwidthUsage DelayState => _detector.State;

    /// <summary>True until the first congestion signal ends the fast start-up growth.</summary>
    public bool InStartup => _aimd.InStartup;

    /// <summary>The round-trip time used (µs; 100 ms until a receiver report gives one).</summary>
    public long RttUs { get; private set; } = DefaultRttUs;

    /// <summary>Transport-wide feedback packets processed.</summary>
    public long FeedbackCount { get; private set; }

    /// <summary>Feedback packets that did not parse.</summary>
    public long MalformedFeedbackCount { get; private set; }

    /// <summary>Statuses ignored: for packets never sent, no longer remembered, or already acknowledged.</summary>
    public long IgnoredStatusCount { get; private set; }

    /// <summary>How often the delay chain restarted (arrival-time jumps, persistent reordering).</summary>
    public long DelayResetCount { get; private set; }

    /// <summary>Records a sent packet. Call in send order with its transport-wide sequence number and size on the wire.</summary>
    /// <param name="transportSeq">The transport-wide sequence number it carried.</param>
    /// <param name="sizeBytes">Its size (RTP header, payload and padding; SRTP tag and lower layers optional but consistent).</param>
    /// <param name="sendTimeUs">When it left (µs, sender clock).</param>
    public void OnPacketSent(ushort transportSeq, int sizeBytes, long sendTimeUs)
    {
        long seq = _lastSentSeq < 0 ? 0x10000 + transportSeq : _lastSentSeq + (short)(ushort)(transportSeq - (ushort)_lastSentSeq);
        if (seq <= _lastSentSeq - HistoryCapacity)
        {
            return;
        }

        _history[seq & HistoryMask] = new SentPacket(seq, sendTimeUs, Math.Max(sizeBytes, 0), StateSent);
        _lastSentSeq = Math.Max(_lastSentSeq, seq);
    }

    /// <summary>Parses and applies a transport-wide feedback packet (RTPFB FMT 15); false (and counted) when it does not parse.</summary>
    /// <param name="packet">One RTCP packet (from a compound reader).</param>
    /// <param name="nowUs">When it was received (µs, sender clock).</param>
    public bool OnTransportFeedback(ReadOnlySpan<byte> packet, long nowUs)
    {
        if (!RtcpTransportFeedback.TryParse(packet, out var feedback))
        {
            MalformedFeedbackCount++;
            return false;
        }

        OnTransportFeedback(feedback, nowUs);
        return true;
    }

    /// <summary>Applies a parsed transport-wide feedback packet.</summary>
    /// <param name="feedback">The validated feedback.</param>
    /// <param name="nowUs">When it was received (µs, sender clock).</param>
    public void OnTransportFeedback(RtcpTransportFeedback feedback, long nowUs)
    {
        FeedbackCount++;
        if (_lastSentSeq < 0)
        {
            IgnoredStatusCount += feedback.PacketStatusCount;
            return;
        }

        _lastFeedbackUs = nowUs;
        var seq = _lastSentSeq + (short)(ushort)(feedback.BaseSequenceNumber - (ushort)_lastSentSeq);
        var seqStart = seq;
        var overuse = false;
        var reader = feedback.GetStatuses();
        var examined = 0;
        while (reader.TryReadNext(out var status))
        {
            var current = seq++;
            if (current > _lastSentSeq || ++examined > HistoryCapacity)
            {
                // Past the last packet sent, or more statuses than the history holds: the rest of the feedback cannot
                // match anything (a hostile 65,535-status packet costs at most HistoryCapacity steps).
                IgnoredStatusCount += feedback.PacketStatusCount - (current - seqStart);
                break;
            }

            if (current <= _lastSentSeq - HistoryCapacity)
            {
                IgnoredStatusCount++;
                continue;
            }

            ref var sent = ref _history[current & HistoryMask];
            if (sent.Seq != current || sent.State == StateReceived)
            {
                IgnoredStatusCount++;
                continue;
            }

            if (!status.Received)
            {
                if (sent.State == StateSent)
                {
                    sent.State = StateLost;
                    _lostInInterval++;
                }

                continue;
            }

            if (sent.State == StateLost && _lostInInterval > 0)
            {
                _lostInInterval--; // reported lost earlier, arrived late
            }

            sent.State = StateReceived;
            _receivedInInterval++;
            var arrivalUs = UnwrapArrival(status.ArrivalTime.Ticks / TimeSpan.TicksPerMicrosecond);
            _acked.Add(arrivalUs, sent.Size);
            if (current > _lastDelaySeq)
            {
                _lastDelaySeq = current;
                overuse |= AddToDelayChain(sent.SendUs, arrivalUs);
            }
        }

        var reported = _lostInInterval + _receivedInInterval;
        if (reported >= MinLossPackets)
        {
            var sample = (double)_lostInInterval / reported;
            var weight = Math.Min(1, reported / LossSmoothingPackets);
            _smoothedLoss = _smoothedLoss < 0 ? sample : _smoothedLoss + (weight * (sample - _smoothedLoss));
            ApplyLoss(_smoothedLoss, nowUs);
            _lostInInterval = 0;
            _receivedInInterval = 0;
        }

        // On over-use the decrease is based on what the path delivered while busy (the peak of short windows) when that
        // is higher than the average: a key-frame burst that queued briefly must not drag the rate below the capacity.
        var usage = overuse ? BandwidthUsage.Overusing : _detector.State;
        var acked = usage == BandwidthUsage.Overusing ? Math.Max(_acked.BitrateBps, _acked.PeakBitrateBps) : _acked.BitrateBps;
        _aimd.Update(usage, acked, RttUs, nowUs);
        UpdateTarget();
    }

    /// <summary>
    /// Applies a receiver report block about our stream: the RTT (from LSR/DLSR) always; the loss fraction only when
    /// no transport-wide feedback arrived in the last 2 s (that feedback measures loss more precisely).
    /// </summary>
    /// <param name="fractionLost">The report block's fraction lost (RFC 3550 §6.4.1: lost/expected × 256).</param>
    /// <param name="rttUs">The round-trip time computed from the block, or null when it had no LSR.</param>
    /// <param name="nowUs">When it was received (µs, sender clock).</param>
    public void OnReceiverReport(byte fractionLost, long? rttUs, long nowUs)
    {
        if (rttUs is > 0 and <= MaxRttUs)
        {
            RttUs = rttUs.Value;
        }

        if (_lastFeedbackUs != long.MinValue && nowUs - _lastFeedbackUs < TwccLossPreferenceUs)
        {
            return;
        }

        ApplyLoss(fractionLost / 256.0, nowUs);
        UpdateTarget();
    }

    /// <summary>Applies a receiver-estimated maximum bitrate (REMB): the target stays at or below it until the next one.</summary>
    /// <param name="bitrateBps">The REMB bitrate (bits/s); values below the minimum bitrate count as the minimum.</param>
    public void OnRemb(long bitrateBps)
    {
        _rembBps = Math.Max(bitrateBps, _options.MinBitrateBps);
        UpdateTarget();
    }

    /// <summary>
    /// True, with the new target, when the target moved by at least
    /// <see cref="BandwidthEstimatorOptions.ReportedChangeFraction"/> since the last value taken (or reached a limit);
    /// false, with the current target, otherwise.
    /// </summary>
    public bool TryTakeChange(out long bps)
    {
        bps = TargetBitrateBps;
        if (bps == _reportedBps)
        {
            return false;
        }

        var atLimit = bps == _options.MinBitrateBps || bps == _options.MaxBitrateBps;
        if (!atLimit && Math.Abs(bps - _reportedBps) < _reportedBps * _options.ReportedChangeFraction)
        {
            return false;
        }

        _reportedBps = bps;
        return true;
    }

    private bool AddToDelayChain(long sendUs, long arrivalUs)
    {
        var produced = _grouper.TryAdd(sendUs, arrivalUs, out var sendDeltaUs, out var arrivalDeltaUs, out var groupArrivalUs);
        if (_grouper.ResetCount != _grouperResets)
        {
            _grouperResets = _grouper.ResetCount;
            ResetDelayChain(resetGrouper: false);
        }

        if (!produced)
        {
            return false;
        }

        var trend = _trendline.Update((arrivalDeltaUs - sendDeltaUs) / 1000.0, groupArrivalUs / 1000.0);
        return _detector.Detect(trend, sendDeltaUs / 1000.0, _trendline.DeltaCount, groupArrivalUs / 1000.0) == BandwidthUsage.Overusing;
    }

    private void ResetDelayChain(bool resetGrouper)
    {
        DelayResetCount++;
        if (resetGrouper)
        {
            _grouper.Reset();
        }

        _trendline.Reset();
        _detector.Reset();
    }

    private long UnwrapArrival(long rawUs)
    {
        if (!_hasArrival)
        {
            _hasArrival = true;
            _lastArrivalRawUs = rawUs;
            _lastArrivalUs = rawUs;
            return rawUs;
        }

        var delta = (rawUs - _lastArrivalRawUs) % ArrivalWrapUs;
        if (delta >= ArrivalWrapUs / 2)
        {
            delta -= ArrivalWrapUs;
        }
        else if (delta < -ArrivalWrapUs / 2)
        {
            delta += ArrivalWrapUs;
        }

        _lastArrivalRawUs = rawUs;
        if (Math.Abs(delta) > MaxArrivalJumpUs)
        {
            // The receiver clock jumped (or the feedback lies): continue from here with fresh delay state.
            delta = 0;
            ResetDelayChain(resetGrouper: true);
            _acked.Restart();
        }

        _lastArrivalUs += delta;
        return _lastArrivalUs;
    }

    private void ApplyLoss(double lossFraction, long nowUs)
    {
        _loss.Update(lossFraction, TargetBitrateBps, RttUs, nowUs);
        if (_loss.LastUpdateDecreased && _aimd.InStartup)
        {
            _aimd.EndStartup(_loss.BoundBps);
        }
    }

    private void UpdateTarget()
    {
        var target = Math.Min(_aimd.RateBps, _loss.BoundBps);
        if (_rembBps > 0)
        {
            target = Math.Min(target, _rembBps);
        }

        TargetBitrateBps = Math.Clamp(target, _options.MinBitrateBps, _options.MaxBitrateBps);
    }

    private struct SentPacket(long seq, long sendUs, int size, byte state)
    {
        public readonly long Seq = seq;
        public readonly long SendUs = sendUs;
        public readonly int Size = size;
        public byte State = state;
    }
}
