using System.Buffers;
using Kvs.WebRtc.PeerConnection.Congestion;
using Kvs.WebRtc.PeerConnection.Srtp;

namespace Kvs.WebRtc.PeerConnection.Transport;

/// <summary>
/// The send pacer of the connection: RTP packets of the paced SSRCs (video and its RTX, set after each negotiation)
/// are copied into pooled buffers and queued in a <see cref="Pacer{TPacket}"/>, then protected and sent at the pacing
/// rate from the caller's thread (what the budget allows at once) and from one <see cref="TimeProvider"/> timer (the
/// rest). Audio, RTCP and unpaced SSRCs go straight to SRTP as before. Packets are protected when they leave, so SRTP
/// indexes, transport-wide sequence numbers and send times follow the order and time on the wire.
/// </summary>
/// <remarks>
/// <para>Pacing rate = factor × max(target, media rate), where the target is the bandwidth estimate (or
/// <see cref="UninformedTargetBps"/> before the peer gave any feedback) and the media rate is what was queued in the
/// last second (or so far in this one): the pacer smooths bursts, it never holds a sender below its own average rate.</para>
/// <para>Locks: <c>_pacerGate</c> is taken before <c>_srtpSendGate</c>, never the other way round. Nothing allocates per
/// packet (pooled buffers, fixed rings).</para>
/// </remarks>
internal sealed partial class PeerConnectionTransport
{
    /// <summary>The target the pacer assumes until the peer gave congestion feedback (bits/s).</summary>
    internal const long UninformedTargetBps = 2_000_000;

    private const int MaxDrainBatch = 64;
    private const long RateWindowUs = 1_000_000;

    private readonly object _pacerGate = new();
    private readonly PacedPacket[] _drained = new PacedPacket[MaxDrainBatch];
    private readonly byte[][] _drainPackets = new byte[MaxDrainBatch][];
    private readonly int[] _drainLengths = new int[MaxDrainBatch];
    private Pacer<PacedPacket>? _pacer; // set once before media flows; guarded by _pacerGate
    private HashSet<uint> _pacedSsrcs = [];
    private ITimer? _pacerTimer;
    private long _pacerTimerDueUs = long.MaxValue;
    private long _rateWindowStartUs = long.MinValue;
    private long _rateWindowBytes;
    private long _lastWindowRateBps;
    private long _pacedPacketsSent;

    /// <summary>True when video is paced (<see cref="RTCPacingOptions.Enabled"/>).</summary>
    public bool PacingEnabled => Volatile.Read(ref _pacer) is not null;

    /// <inheritdoc/>
    public long PacerDroppedPackets
    {
        get
        {
            lock (_pacerGate)
            {
                return _pacer?.DroppedPackets ?? 0;
            }
        }
    }

    /// <summary>The pacer's state: packets queued, bytes queued, pacing rate (bits/s), packets dropped, packets sent through it.</summary>
    public (int QueuedPackets, long QueuedBytes, long PacingRateBps, long Dropped, long Sent) PacerCounters
    {
        get
        {
            lock (_pacerGate)
            {
                return _pacer is { } pacer
                    ? (pacer.QueuedPackets, pacer.QueuedBytes, pacer.PacingRateBps, pacer.DroppedPackets, _pacedPacketsSent)
                    : (0, 0, 0, 0, _pacedPacketsSent);
            }
        }
    }

    /// <summary>Turns pacing on with <paramref name="options"/> (or off); call before media flows.</summary>
    public void ConfigurePacing(RTCPacingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (_pacerGate)
        {
            _pacer = options.Enabled
                ? new Pacer<PacedPacket>(UninformedTargetBps, new PacerOptions
                {
                    PacingFactor = options.PacingFactor,
                    MaxQueueTimeUs = Microseconds(options.MaxQueueDelay),
                })
                : null;
        }
    }

    /// <summary>The SSRCs whose packets are paced (video and RTX), after each negotiation; others are sent at once.</summary>
    public void SetPacedSsrcs(IEnumerable<uint> ssrcs)
    {
        ArgumentNullException.ThrowIfNull(ssrcs);
        Volatile.Write(ref _pacedSsrcs, [.. ssrcs]);
    }

    private bool IsPaced(uint ssrc) => _pacer is not null && Volatile.Read(ref _pacedSsrcs).Contains(ssrc);

    // Queues copies of packets (SRTP must be ready), in the priority lane for retransmissions; sends what the budget
    // allows now. Returns how many were queued (a full priority lane refuses).
    private int EnqueuePaced(byte[][]? packets, int[]? lengths, ReadOnlySpan<byte> single, int count, byte payloadType, uint ssrc, bool priority,
        out long queuedBytes)
    {
        queuedBytes = 0;
        if (Volatile.Read(ref _srtpOutbound) is null || _closed || _ice is null)
        {
            return 0;
        }

        var queued = 0;
        lock (_pacerGate)
        {
            if (_pacer is not { } pacer)
            {
                return 0;
            }

            var nowUs = Microseconds(Now);
            for (var i = 0; i < count; i++)
            {
                queuedBytes += packets is null ? single.Length : lengths![i];
            }

            CountMediaLocked(queuedBytes, nowUs);
            var target = Math.Max(TargetBitrate ?? UninformedTargetBps, Math.Max(_lastWindowRateBps, _rateWindowBytes * 8));
            pacer.SetTargetBitrate(target);
            queuedBytes = 0;
            for (var i = 0; i < count; i++)
            {
                var source = packets is null ? single : packets[i].AsSpan(0, lengths![i]);
                if (source.Length > DatagramBufferSize || !SrtpContext.TryGetRtpHeaderLength(source, out _))
                {
                    // What SRTP could not protect is refused now, as the direct path would.
                    continue;
                }

                var buffer = ArrayPool<byte>.Shared.Rent(source.Length);
                source.CopyTo(buffer);
                if (!pacer.Enqueue(new PacedPacket(buffer, source.Length, payloadType, ssrc), source.Length, isAudio: priority, nowUs))
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    continue;
                }

                queued++;
                queuedBytes += source.Length;
            }

            while (pacer.TryTakeDropped(out var dropped))
            {
                ArrayPool<byte>.Shared.Return(dropped.Buffer);
            }

            DrainLocked(pacer, nowUs);
        }

        return queued;
    }

    // Under _pacerGate: bytes queued, for the media rate (a one-second window).
    private void CountMediaLocked(long bytes, long nowUs)
    {
        if (_rateWindowStartUs == long.MinValue)
        {
            _rateWindowStartUs = nowUs;
        }

        var elapsed = nowUs - _rateWindowStartUs;
        if (elapsed >= RateWindowUs)
        {
            _lastWindowRateBps = (long)(_rateWindowBytes * 8e6 / elapsed);
            _rateWindowBytes = 0;
            _rateWindowStartUs = nowUs;
        }

        _rateWindowBytes += bytes;
    }

    // Under _pacerGate: sends what may leave now (runs of one SSRC as one batch), then arms the timer for the rest.
    private void DrainLocked(Pacer<PacedPacket> pacer, long nowUs)
    {
        while (true)
        {
            var count = 0;
            while (count < MaxDrainBatch && pacer.TryDequeue(nowUs, out var packet, out _))
            {
                _drained[count++] = packet;
            }

            var start = 0;
            while (start < count)
            {
                var first = _drained[start];
                var end = start;
                while (end < count && _drained[end].Ssrc == first.Ssrc && _drained[end].PayloadType == first.PayloadType)
                {
                    _drainPackets[end - start] = _drained[end].Buffer;
                    _drainLengths[end - start] = _drained[end].Length;
                    end++;
                }

                _pacedPacketsSent += SendRtpBatchDirect(_drainPackets, _drainLengths, end - start, first.PayloadType, first.Ssrc, out _);
                for (var i = start; i < end; i++)
                {
                    ArrayPool<byte>.Shared.Return(_drained[i].Buffer);
                    _drained[i] = default;
                    _drainPackets[i - start] = null!;
                }

                start = end;
            }

            if (count < MaxDrainBatch)
            {
                break;
            }
        }

        var wait = pacer.TimeUntilNextSendUs(nowUs);
        if (wait <= 0 || _closed)
        {
            return;
        }

        var due = nowUs + wait;
        if (_pacerTimerDueUs <= due && _pacerTimerDueUs > nowUs)
        {
            return;
        }

        _pacerTimerDueUs = due;
        _pacerTimer ??= _timeProvider.CreateTimer(static state => ((PeerConnectionTransport)state!).OnPacerTimer(), this, Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
        _pacerTimer.Change(TimeSpan.FromTicks(wait * (TimeSpan.TicksPerMillisecond / 1000)), Timeout.InfiniteTimeSpan);
    }

    private void OnPacerTimer()
    {
        lock (_pacerGate)
        {
            _pacerTimerDueUs = long.MaxValue;
            if (_pacer is { } pacer && !_closed)
            {
                DrainLocked(pacer, Microseconds(Now));
            }
        }
    }

    private void DisposePacer()
    {
        lock (_pacerGate)
        {
            _pacerTimer?.Dispose();
            _pacerTimer = null;
            _pacerTimerDueUs = long.MaxValue; // not armed again: the transport is closed
        }
    }
}
