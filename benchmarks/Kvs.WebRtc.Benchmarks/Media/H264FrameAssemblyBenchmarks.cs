using BenchmarkDotNet.Attributes;
using Kvs.WebRtc.PeerConnection.Codecs;
using Kvs.WebRtc.PeerConnection.Media;

namespace Kvs.WebRtc.Benchmarks.Media;

/// <summary>
/// Receive-side depacketization and frame assembly: the RTP packets of a 1080p30 4 Mbit/s H.264 GOP (see
/// <see cref="PacketizedGop"/>) pushed into the H.264 <see cref="RtpFrameAssembler"/> (reorder window, FU-A/STAP-A
/// depacketizer, Annex-B output) and every completed frame read, in order or with 1 % of the packets swapped with
/// their successor. One operation is one frame. Reference: copying the same payloads into a frame buffer (the
/// memory-bandwidth floor of any reassembly). Run with
/// <c>dotnet run -c Release --project benchmarks/Kvs.WebRtc.Benchmarks -- --filter '*H264FrameAssembly*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
#pragma warning disable CA1001 // BenchmarkDotNet releases the fields in [GlobalCleanup].
public class H264FrameAssemblyBenchmarks
{
    private PacketizedGop _gop = null!;
    private int[] _order = [];
    private RtpFrameAssembler _assembler = null!;
    private byte[] _frameBuffer = [];
    private ushort _sequenceBase;
    private uint _timestampBase;

    /// <summary>Share of packets delivered one place late, in percent.</summary>
    [Params(0, 1)]
    public int ReorderPercent { get; set; }

    /// <summary>Builds the packets, the delivery order and the assembler; checks that one GOP yields 60 whole frames.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _gop = PacketizedGop.Create();
        _order = Enumerable.Range(0, _gop.Count).ToArray();
        var random = new Random(42);
        for (var i = 0; i < _order.Length - 1; i++)
        {
            if (random.NextDouble() * 100 < ReorderPercent)
            {
                (_order[i], _order[i + 1]) = (_order[i + 1], _order[i]);
                i++;
            }
        }

        _frameBuffer = new byte[_gop.Frames.Max(f => f.Length) + (4 * PacketizedGop.BufferSize)];
        _assembler = RtpCodecFactory.CreateAssembler("H264")!;
        var frames = Assemble();
        if (frames != SyntheticH264Stream.GopLength || _assembler.FramesDropped != 0)
        {
            throw new InvalidOperationException($"Assembled {frames} frames, dropped {_assembler.FramesDropped}.");
        }
    }

    /// <summary>Returns the assembler's pooled buffers.</summary>
    [GlobalCleanup]
    public void Cleanup() => _assembler.Dispose();

    /// <summary>Push every packet, read every completed frame.</summary>
    [Benchmark(OperationsPerInvoke = SyntheticH264Stream.GopLength, Description = "assemble H.264, per frame")]
    public int Assemble()
    {
        var frames = 0;
        var packets = _gop.Packets;
        foreach (var i in _order)
        {
            var sequence = unchecked((ushort)(_sequenceBase + i));
            var timestamp = unchecked(_timestampBase + ((uint)_gop.FrameOfPacket[i] * PacketizedGop.TimestampStep));
            var payload = packets[i].AsSpan(RtpFixedHeader.Length, _gop.Lengths[i] - RtpFixedHeader.Length);
            if (_assembler.Push(sequence, timestamp, _gop.Markers[i], payload) > 0)
            {
                while (_assembler.TryReadFrame(out _))
                {
                    frames++;
                }
            }
        }

        _sequenceBase = unchecked((ushort)(_sequenceBase + _gop.Count));
        _timestampBase = unchecked(_timestampBase + (SyntheticH264Stream.GopLength * PacketizedGop.TimestampStep));
        return frames;
    }

    /// <summary>Reference: copy each payload into a frame buffer in arrival order, a frame ending on the marker.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = SyntheticH264Stream.GopLength, Description = "copy payloads alone, per frame")]
    public int CopyPayloads()
    {
        var frames = 0;
        var offset = 0;
        var packets = _gop.Packets;
        foreach (var i in _order)
        {
            var payload = packets[i].AsSpan(RtpFixedHeader.Length, _gop.Lengths[i] - RtpFixedHeader.Length);
            payload.CopyTo(_frameBuffer.AsSpan(offset));
            offset += payload.Length;
            if (_gop.Markers[i])
            {
                frames++;
                offset = 0;
            }
        }

        return frames;
    }
}
#pragma warning restore CA1001
