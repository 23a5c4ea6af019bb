using BenchmarkDotNet.Attributes;
using Kvs.WebRtc.PeerConnection.Codecs;
using Kvs.WebRtc.PeerConnection.Media;

namespace Kvs.WebRtc.Benchmarks.Media;

/// <summary>
/// The per-track jitter buffer's hot path: push the ~14 packets of a 16 KB H.264 delta frame (4 Mbit/s at 30 fps, MTU
/// 1200) in order, and once with two packets swapped, then release the frame at its playout time. Goal: 0 B/op.
/// </summary>
[MemoryDiagnoser]
#pragma warning disable CA1001 // BenchmarkDotNet releases the fields in [GlobalCleanup].
public class JitterBufferBenchmarks
{
    private const int Mtu = 1200;
    private List<byte[]> _keyPackets = [];
    private List<byte[]> _deltaPackets = [];
    private JitterBuffer _buffer = null!;
    private ushort _sequence;
    private uint _timestamp;
    private TimeSpan _now;

    [GlobalSetup]
    public void Setup()
    {
        var payloader = new H264Payloader();
        _keyPackets = Packetize(payloader, AccessUnit(0x65, 60_000));
        _deltaPackets = Packetize(payloader, AccessUnit(0x41, 16_000));
        _buffer = new JitterBuffer(new H264Depacketizer(), JitterBufferOptions.For("H264"));
        PushFrame(_keyPackets, swap: false);
    }

    [GlobalCleanup]
    public void Cleanup() => _buffer.Dispose();

    [Benchmark(Description = "Jitter buffer: 16 KB H.264 frame in order (14 packets) + release")]
    public int InOrder() => PushFrame(_deltaPackets, swap: false);

    [Benchmark(Description = "Jitter buffer: 16 KB H.264 frame, two packets reordered + release")]
    public int Reordered() => PushFrame(_deltaPackets, swap: true);

    private static byte[] AccessUnit(byte header, int length)
    {
        var unit = new byte[length + 4];
        unit[3] = 1;
        unit[4] = header;
        for (var i = 5; i < unit.Length; i++)
        {
            unit[i] = (byte)(1 + (i % 250));
        }

        return unit;
    }

    private static List<byte[]> Packetize(H264Payloader payloader, byte[] frame)
    {
        var buffer = new byte[Mtu];
        var packets = new List<byte[]>();
        payloader.BeginFrame(frame);
        while (payloader.TryWriteNext(buffer, Mtu, out var written, out _))
        {
            packets.Add(buffer.AsSpan(0, written).ToArray());
        }

        return packets;
    }

    private int PushFrame(List<byte[]> packets, bool swap)
    {
        var first = _sequence;
        for (var i = 0; i < packets.Count; i++)
        {
            var index = swap && i is 1 or 2 ? 3 - i : i;
            _buffer.Push((ushort)(first + index), _timestamp, index == packets.Count - 1, packets[index], _now);
        }

        _sequence = (ushort)(first + packets.Count);
        var bytes = 0;
        while (_buffer.TryRead(_now, out var frame))
        {
            bytes += frame.Data.Length;
        }

        _timestamp += 3000;
        _now += TimeSpan.FromTicks(333_333);
        return bytes;
    }
}
#pragma warning restore CA1001
