using System.Buffers;
using Kvs.WebRtc.PeerConnection.Congestion;
using Kvs.WebRtc.PeerConnection.Srtp;

namespace Kvs.WebRtc.PeerConnection.Transport;

/// <summary>
/// The send pacer of the connection: RTP packets of the paced SSRCs (video and its RTX, set after each negotiation)
/// are copied into pooled buffers and queued in a <see cref="Pacer{TPacket}"/>, then protected and sent at the pacing
/// rate on the connection loop: what the budget allows at once when the packets are queued, the rest when one
/// <see cref="TimeProvider"/> timer posts its tick to the loop. Audio, RTCP and unpaced SSRCs go straight to SRTP.
/// Packets are protected when they leave, so SRTP indexes, transport-wide sequence numbers and send times follow the
/// order and time on the wire.
/// </summary>
/// <remarks>
/// <para>Pacing rate = factor × max(target, media rate), where the target is the bandwidth estimate (or
/// <see cref="UninformedTargetBps"/> before the peer gave any feedback) and the media rate is what was queued in the
/// last second (or so far in this one): the pacer smooths bursts, it never holds a sender below its own average rate.</para>
/// <para>The pacer is owned by the connection loop (no lock of its own); the drop count is published for the frame
/// writer, which reads it without the loop. Nothing allocates per packet (pooled buffers, fixed rings).</para>
/// </remarks>
internal sealed partial class PeerConnectionTransport
{
    /// <summary>The target the pacer assumes until the peer gave congestion feedback (bits/s).</summary>
    internal const long UninformedTargetBps = 2_000_000;

    private const int MaxDrainBatch = 64;
    private const long RateWindowUs = 1_000_000;

    private readonly PacedPacket[] _drained = new PacedPacket[MaxDrainBatch];
    private readonly byte[][] _drainPackets = new byte[MaxDrainBatch][];
    private readonly int[] _drainLengths = new int[MaxDrainBatch];
    private Pacer<PacedPacket>? _pacer; // set once before media flows; owned by the loop
    private HashSet<uint> _pacedSsrcs = [];
    private ITimer? _pacerTimer;
    private long _pacerTimerDueUs = long.MaxValue;
    private long _rateWindowStartUs = long.MinValue;
    private long _rateWindowBytes;
    private long _lastWindowRateBps;
    private long _pacedPacketsSent;
    private long _pacerDropped; // published from the loop after each enqueue and drain

    /// <summary>True when video is paced (<see cref="RTCPacingOptions.Enabled"/>).</summary>
    public bool PacingEnabled => Volatile.Read(ref _pacer) is not null;

    /// <inheritdoc/>
    public long PacerDroppedPackets => Volatile.Read(ref _pacerDropped);

    /// <summary>The pacer's state: packets queued, bytes queued, pacing rate (bits/s), packets dropped, packets sent through it.</summary>
    public (int QueuedPackets, long QueuedBytes, long PacingRateBps, long Dropped, long Sent) PacerCounters
    {
        get
        {
            using (_loop.Enter())
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
        using (_loop.Enter())
        {
            var pacer = options.Enabled
                ? new Pacer<PacedPacket>(UninformedTargetBps, new PacerOptions
                {
                    PacingFactor = options.PacingFactor,
                    MaxQueueTimeUs = Microseconds(options.MaxQueueDelay),
                })
                : null;
            Volatile.Write(ref _pacer, pacer);
        }
    }

    /// <summary>The SSRCs whose packets are paced (video and RTX), after each negotiation; others are sent at once.</summary>
    public void SetPacedSsrcs(IEnumerable<uint> ssrcs)
    {
        ArgumentNullException.ThrowIfNull(ssrcs);
        Volatile.Write(ref _pacedSsrcs, [.. ssrcs]);
    }

    private bool IsPaced(uint ssrc) => Volatile.Read(ref _pacer) is not null && Volatile.Read(ref _pacedSsrcs).Contains(ssrc);

    // On the loop: queues copies of packets (SRTP must be ready), in the priority lane for retransmissions; sends what
    // the budget allows now. Returns how many were queued (a full priority lane refuses).
    private int EnqueuePacedLocked(byte[][]? packets, int[]? lengths, ReadOnlySpan<byte> single, int count, byte payloadType, uint ssrc, bool priority,
        out long queuedBytes)
    {
        queuedBytes = 0;
        if (_srtpOutbound is null || _closed || _ice is null)
        {
            return 0;
        }

        var queued = 0;
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

        return queued;
    }

    // On the loop: bytes queued, for the media rate (a one-second window).
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

    // On the loop: sends what may leave now (runs of one SSRC as one batch), then arms the timer for the rest.
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

                _pacedPacketsSent += SendRtpBatchLocked(_drainPackets, _drainLengths, end - start, first.PayloadType, first.Ssrc, out _);
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

        Volatile.Write(ref _pacerDropped, pacer.DroppedPackets);
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
        _pacerTimer ??= _timeProvider.CreateTimer(static state => ((PeerConnectionTransport)state!).PostPacerTick(), this, Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
        _pacerTimer.Change(TimeSpan.FromTicks(wait * (TimeSpan.TicksPerMillisecond / 1000)), Timeout.InfiniteTimeSpan);
    }

    // The timer thread holds no lock: the tick runs inline when the loop is idle.
    private void PostPacerTick() => _loop.Post(static transport => transport.OnPacerTick(), this);

    // On the loop.
    private void OnPacerTick()
    {
        _pacerTimerDueUs = long.MaxValue;
        if (_pacer is { } pacer && !_closed)
        {
            DrainLocked(pacer, Microseconds(Now));
        }
    }

    private void DisposePacer()
    {
        using (_loop.Enter())
        {
            _pacerTimer?.Dispose();
            _pacerTimer = null;
            _pacerTimerDueUs = long.MaxValue; // not armed again: the transport is closed
        }
    }
}
