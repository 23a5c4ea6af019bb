using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection.Rtp;

namespace Kvs.WebRtc.Benchmarks.Media;

/// <summary>
/// Loss-recovery hot paths, per packet: storing a sent packet in the shared history, copying one out for a resend and
/// wrapping it as RTX, and the receiver's NACK bookkeeping for an arriving packet (5 % of them missing). All
/// allocation-free in steady state.
/// </summary>
[MemoryDiagnoser]
public class NackBenchmarks
{
    private readonly byte[] _packet = new byte[1212];
    private readonly byte[] _copy = new byte[1500];
    private readonly byte[] _rtx = new byte[1600];
    private readonly ushort[] _lost = new ushort[64];
    private RtpPacketHistory _history = null!;
    private NackGenerator _generator = null!;
    private ushort _sequence;
    private TimeSpan _now;

    [GlobalSetup]
    public void Setup()
    {
        _packet[0] = 0x80;
        _history = new RtpPacketHistory(TimeSpan.FromSeconds(1));
        _generator = new NackGenerator();
        for (var i = 0; i < 4096; i++)
        {
            HistoryAdd();
        }
    }

    [Benchmark(Description = "history: store one 1,212-byte packet (4 Mbit/s pacing)")]
    public void HistoryAdd()
    {
        _sequence++;
        _now += TimeSpan.FromMilliseconds(2.4);
        BinaryPrimitives.WriteUInt16BigEndian(_packet.AsSpan(2), _sequence);
        _history.Add(_packet, _now);
    }

    [Benchmark(Description = "history copy + RTX wrap of one packet")]
    public int ResendAsRtx()
    {
        var length = _history.TryCopy((ushort)(_sequence - 100), _now, _copy);
        return length > 0 && RtxPacket.TryWrap(_copy.AsSpan(0, length), _rtx, 97, 1, 2, out var written) ? written : 0;
    }

    [Benchmark(Description = "NACK generator: one arriving packet, 5 % missing, polled when due")]
    public int GeneratorOnPacket()
    {
        _sequence++;
        _now += TimeSpan.FromMilliseconds(2.4);
        if (_sequence % 20 == 0)
        {
            return 0; // lost
        }

        _generator.OnPacket(_sequence, _now);
        return _generator.NextTimeout is { } due && due <= _now ? _generator.Poll(_now, _lost, out _) : 0;
    }
}
