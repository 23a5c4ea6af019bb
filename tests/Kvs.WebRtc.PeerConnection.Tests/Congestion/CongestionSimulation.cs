using Kvs.WebRtc.PeerConnection.Congestion;
using Kvs.WebRtc.PeerConnection.Rtcp;

namespace Kvs.WebRtc.PeerConnection.Tests.Congestion;

/// <summary>
/// A sender (an encoder following the target at 30 frames/s, a <see cref="Pacer{TPacket}"/> and a
/// <see cref="SendSideBandwidthEstimator"/>) and a receiver (transport-wide feedback every 100 ms, built with
/// <see cref="RtcpTransportFeedbackBuilder"/>) joined by a <see cref="SimulatedBottleneck"/>; feedback returns after
/// the propagation delay. Event-driven on simulated µs; deterministic for a seed.
/// </summary>
internal sealed class CongestionSimulation
{
    private const long FrameIntervalUs = 33_333;
    private const long FeedbackIntervalUs = 100_000;
    private const long SampleIntervalUs = 100_000;
    private const int MaxPayload = 1200;
    private const long ReceiverClockOffsetUs = 7_654_321;

    private readonly SimulatedBottleneck _link;
    private readonly long _returnDelayUs;
    private readonly Pacer<int> _pacer;
    private readonly RtcpTransportFeedbackBuilder _builder = new();
    private readonly byte[] _feedbackBuffer = new byte[RtcpTransportFeedbackBuilder.DefaultMaxPacketSize];
    private readonly List<(long Seq, long ArrivalUs)> _inFlight = [];
    private readonly Queue<(long AtUs, byte[] Packet)> _feedback = new();
    private long _nextSeq;
    private long _nextBase;
    private byte _feedbackCount;
    private long _nextFrameUs;
    private long _nextFeedbackUs = FeedbackIntervalUs;
    private long _nextSampleUs;
    private long _encoderTargetBps;

    private readonly long _keyFrameIntervalUs;
    private long _nextKeyFrameUs;

    /// <param name="link">The path from sender to receiver.</param>
    /// <param name="returnDelayUs">Delay of the feedback path.</param>
    /// <param name="options">Estimator options.</param>
    /// <param name="keyFrameIntervalUs">When positive, every this often a frame is five times the average size.</param>
    public CongestionSimulation(SimulatedBottleneck link, long returnDelayUs, BandwidthEstimatorOptions? options = null, long keyFrameIntervalUs = 0)
    {
        _keyFrameIntervalUs = keyFrameIntervalUs;
        _link = link;
        _returnDelayUs = returnDelayUs;
        Estimator = new SendSideBandwidthEstimator(options);
        _encoderTargetBps = Estimator.TargetBitrateBps;
        _pacer = new Pacer<int>(_encoderTargetBps);
    }

    public SendSideBandwidthEstimator Estimator { get; }

    public Pacer<int> Pacer => _pacer;

    public List<CongestionSample> Samples { get; } = [];

    public long NowUs { get; private set; }

    /// <summary>Runs until <paramref name="untilUs"/> (simulated).</summary>
    public void Run(long untilUs)
    {
        var guard = 0;
        while (NowUs < untilUs)
        {
            if (++guard > 50_000_000)
            {
                throw new InvalidOperationException("simulation did not progress");
            }

            var pacerWait = _pacer.TimeUntilNextSendUs(NowUs);
            var next = Math.Min(Math.Min(_nextFrameUs, _nextFeedbackUs), Math.Min(_nextSampleUs, untilUs));
            if (pacerWait >= 0)
            {
                next = Math.Min(next, NowUs + pacerWait);
            }

            if (_feedback.Count > 0)
            {
                next = Math.Min(next, _feedback.Peek().AtUs);
            }

            NowUs = Math.Max(NowUs, next);
            Step();
        }
    }

    private void Step()
    {
        while (_feedback.Count > 0 && _feedback.Peek().AtUs <= NowUs)
        {
            var (_, packet) = _feedback.Dequeue();
            Estimator.OnTransportFeedback(packet, NowUs);
            if (Estimator.TryTakeChange(out var bps))
            {
                _encoderTargetBps = bps;
                _pacer.SetTargetBitrate(bps);
            }
        }

        if (NowUs >= _nextFrameUs)
        {
            var remaining = (int)(_encoderTargetBps * FrameIntervalUs / 8_000_000);
            if (_keyFrameIntervalUs > 0 && NowUs >= _nextKeyFrameUs)
            {
                remaining *= 5;
                _nextKeyFrameUs += _keyFrameIntervalUs;
            }

            while (remaining > 0)
            {
                var size = Math.Min(remaining, MaxPayload);
                _pacer.Enqueue(size, size, isAudio: false, NowUs);
                remaining -= size;
            }

            _nextFrameUs += FrameIntervalUs;
        }

        while (_pacer.TryDequeue(NowUs, out _, out var sizeBytes))
        {
            var seq = _nextSeq++;
            Estimator.OnPacketSent((ushort)seq, sizeBytes, NowUs);
            if (_link.TrySend(sizeBytes, NowUs, out var arrivalUs))
            {
                _inFlight.Add((seq, arrivalUs));
            }
        }

        if (NowUs >= _nextFeedbackUs)
        {
            SendFeedback();
            _nextFeedbackUs += FeedbackIntervalUs;
        }

        if (NowUs >= _nextSampleUs)
        {
            Samples.Add(new CongestionSample(NowUs, Estimator.TargetBitrateBps, _link.QueueDelayUs(NowUs), _pacer.ExpectedQueueTimeUs));
            _nextSampleUs += SampleIntervalUs;
        }
    }

    private void SendFeedback()
    {
        var arrived = _inFlight.Where(p => p.ArrivalUs <= NowUs).OrderBy(p => p.Seq).ToList();
        _inFlight.RemoveAll(p => p.ArrivalUs <= NowUs);
        arrived.RemoveAll(p => p.Seq < _nextBase); // arrived after its feedback went out
        if (arrived.Count == 0)
        {
            return;
        }

        _builder.Reset(1, 2, _feedbackCount++, (ushort)_nextBase);
        foreach (var (seq, arrivalUs) in arrived)
        {
            var arrival = TimeSpan.FromMicroseconds(arrivalUs + ReceiverClockOffsetUs);
            if (!_builder.TryAddReceivedPacket((ushort)seq, arrival))
            {
                Flush();
                _builder.Reset(1, 2, _feedbackCount++);
                _builder.TryAddReceivedPacket((ushort)seq, arrival);
            }
        }

        Flush();
        _nextBase = arrived[^1].Seq + 1;
    }

    private void Flush()
    {
        var length = _builder.Write(_feedbackBuffer);
        _feedback.Enqueue((NowUs + _returnDelayUs, _feedbackBuffer.AsSpan(0, length).ToArray()));
    }
}
