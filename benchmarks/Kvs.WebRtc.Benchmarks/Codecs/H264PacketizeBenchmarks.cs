using BenchmarkDotNet.Attributes;
using Kvs.WebRtc.PeerConnection.Codecs;

namespace Kvs.WebRtc.Benchmarks.Codecs;

/// <summary>
/// H.264 at MTU 1200: packetize a ~100 KB IDR access unit (SPS+PPS+IDR) and a ~20 KB P frame, and assemble their
/// packets back into Annex-B frames. Synthetic NAL units (bytes 1..255, no start code inside).
/// </summary>
[MemoryDiagnoser]
#pragma warning disable CA1001 // BenchmarkDotNet releases the fields in [GlobalCleanup].
public class H264PacketizeBenchmarks
{
    private const int Mtu = 1200;
    private readonly H264Payloader _payloader = new();
    private readonly byte[] _buffer = new byte[Mtu];
    private byte[] _idr = [];
    private byte[] _delta = [];
    private List<byte[]> _idrPackets = [];
    private List<byte[]> _deltaPackets = [];
    private RtpFrameAssembler _assembler = null!;
    private ushort _sequence;
    private uint _timestamp;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _idr = AccessUnit([0x67, 0x42, 0xc0, 0x1f, 0x1a, 0x32, 0x35, 0x01], [0x68, 0x1a, 0x34, 0xe3, 0xc8], Nal(random, 0x65, 100_000));
        _delta = AccessUnit(Nal(random, 0x41, 20_000));
        _idrPackets = Packetize(_idr);
        _deltaPackets = Packetize(_delta);
        _assembler = new RtpFrameAssembler(new H264Depacketizer());
    }

    [GlobalCleanup]
    public void Cleanup() => _assembler.Dispose();

    [Benchmark(Description = "H.264 packetize 100 KB IDR, MTU 1200")]
    public int PacketizeIdr() => Run(_idr);

    [Benchmark(Description = "H.264 packetize 20 KB P frame, MTU 1200")]
    public int PacketizeDelta() => Run(_delta);

    [Benchmark(Description = "H.264 assemble 100 KB IDR + 20 KB P frame")]
    public int Assemble()
    {
        var bytes = 0;
        foreach (var packets in (List<byte[]>[])[_idrPackets, _deltaPackets])
        {
            for (var i = 0; i < packets.Count; i++)
            {
                _assembler.Push(_sequence++, _timestamp, i == packets.Count - 1, packets[i]);
            }

            _timestamp += 3000;
            while (_assembler.TryReadFrame(out var frame))
            {
                bytes += frame.Data.Length;
            }
        }

        return bytes;
    }

    private static byte[] Nal(Random random, byte header, int length)
    {
        var nal = new byte[length];
        nal[0] = header;
        for (var i = 1; i < length; i++)
        {
            nal[i] = (byte)random.Next(1, 256);
        }

        return nal;
    }

    private static byte[] AccessUnit(params byte[][] nals)
    {
        var output = new List<byte>();
        foreach (var nal in nals)
        {
            output.AddRange([0, 0, 0, 1]);
            output.AddRange(nal);
        }

        return [.. output];
    }

    private int Run(byte[] frame)
    {
        var total = 0;
        _payloader.BeginFrame(frame);
        while (_payloader.TryWriteNext(_buffer, Mtu, out var written, out _))
        {
            total += written;
        }

        return total;
    }

    private List<byte[]> Packetize(byte[] frame)
    {
        var packets = new List<byte[]>();
        _payloader.BeginFrame(frame);
        while (_payloader.TryWriteNext(_buffer, Mtu, out var written, out _))
        {
            packets.Add(_buffer.AsSpan(0, written).ToArray());
        }

        return packets;
    }
}
#pragma warning restore CA1001
