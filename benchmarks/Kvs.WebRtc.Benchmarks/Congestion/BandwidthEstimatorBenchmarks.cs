using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Kvs.WebRtc.PeerConnection.Congestion;
using Kvs.WebRtc.PeerConnection.Rtcp;

namespace Kvs.WebRtc.Benchmarks.Congestion;

/// <summary>
/// Send-side congestion control on the media loop: recording 100 sent packets and applying the transport-wide
/// feedback that acknowledges them (parse, history match, delay chain, loss, rate update), and pacing 100 packets
/// (enqueue, then dequeue as the budget allows). Both must allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class BandwidthEstimatorBenchmarks
{
    private const int Packets = 100;
    private const long SpacingUs = 1_280; // 100 packets span 128 ms = two 64 ms reference-time units
    private const long BatchUs = Packets * SpacingUs;

    private readonly SendSideBandwidthEstimator _estimator = new();
    private readonly Pacer<int> _pacer = new(4_000_000);
    private byte[] _feedback = [];
    private uint _referenceTime;
    private ushort _seq;
    private long _sendUs;
    private long _pacerUs;

    [GlobalSetup]
    public void Setup()
    {
        // One feedback for 100 packets, 1 in 20 lost, arrivals jittered by up to 1 ms; later batches reuse it with
        // the base sequence number and reference time moved on.
        var builder = new RtcpTransportFeedbackBuilder();
        builder.Reset(1, 2, 0, 0);
        var reference = TimeSpan.FromMilliseconds(64 * 1000);
        for (var i = 0; i < Packets; i++)
        {
            if (i % 20 != 7)
            {
                builder.TryAddReceivedPacket((ushort)i, reference + TimeSpan.FromMicroseconds((i * SpacingUs) + (i % 4 * 250)));
            }
        }

        _feedback = new byte[builder.Size];
        builder.Write(_feedback);
        _referenceTime = 1000;
    }

    [Benchmark(Description = "BWE: 100 × OnPacketSent + OnTransportFeedback (100 statuses)")]
    public long SendAndFeedback()
    {
        for (var i = 0; i < Packets; i++)
        {
            _estimator.OnPacketSent((ushort)(_seq + i), 1200, _sendUs + (i * SpacingUs));
        }

        BinaryPrimitives.WriteUInt16BigEndian(_feedback.AsSpan(12), _seq);
        _feedback[16] = (byte)(_referenceTime >> 16);
        BinaryPrimitives.WriteUInt16BigEndian(_feedback.AsSpan(17), (ushort)_referenceTime);
        _estimator.OnTransportFeedback(_feedback, _sendUs + BatchUs + 30_000);
        _referenceTime = (_referenceTime + 2) & 0xFFFFFF;
        _seq += Packets;
        _sendUs += BatchUs;
        return _estimator.TargetBitrateBps;
    }

    [Benchmark(Description = "Pacer: 100 × Enqueue + paced TryDequeue")]
    public int Pace()
    {
        var sent = 0;
        for (var i = 0; i < Packets; i++)
        {
            _pacer.Enqueue(i, 1200, isAudio: false, _pacerUs);
        }

        while (sent < Packets)
        {
            while (_pacer.TryDequeue(_pacerUs, out _, out _))
            {
                sent++;
            }

            var wait = _pacer.TimeUntilNextSendUs(_pacerUs);
            _pacerUs += wait < 0 ? 0 : wait;
        }

        return sent;
    }
}
