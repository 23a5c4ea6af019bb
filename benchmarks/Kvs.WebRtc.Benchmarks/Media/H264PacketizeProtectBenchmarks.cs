using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Kvs.WebRtc.PeerConnection.Codecs;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection.Srtp;

namespace Kvs.WebRtc.Benchmarks.Media;

/// <summary>
/// The per-viewer send work of one 1080p30 4 Mbit/s H.264 frame without the network: packetize (RFC 6184 with
/// <c>RtpCodecFactory.CreatePayloader("H264")</c>, 1,200-byte payloads) and SRTP-protect every packet, against the
/// reference of SRTP-protecting the same, already packetized, packets. One operation is one frame (a GOP of 60 per
/// invocation: one ≈120 KB IDR with SPS/PPS, 59 P frames of ≈14.9 KB), so "Allocated" is bytes per frame. Run with
/// <c>dotnet run -c Release --project benchmarks/Kvs.WebRtc.Benchmarks -- --filter '*H264PacketizeProtect*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
#pragma warning disable CA1001 // BenchmarkDotNet releases the fields in [GlobalCleanup].
public class H264PacketizeProtectBenchmarks
{
    private const uint Ssrc = 0x1234_5678;
    private readonly byte[] _packet = new byte[PacketizedGop.BufferSize];
    private PacketizedGop _gop = null!;
    private RtpPayloader _payloader = null!;
    private SrtpContext _context = null!;
    private ushort _sequence;
    private uint _timestamp;

    /// <summary>The SRTP profile.</summary>
    [Params("AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80")]
    public string Profile { get; set; } = "AEAD_AES_128_GCM";

    /// <summary>Builds the GOP, its packets, the payloader and the SRTP context.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _gop = PacketizedGop.Create();
        _payloader = RtpCodecFactory.CreatePayloader("H264")!;
        _context = MediaBenchmarkKeys.CreateContext(Profile);
    }

    /// <summary>Releases the SRTP context.</summary>
    [GlobalCleanup]
    public void Cleanup() => _context.Dispose();

    /// <summary>Packetize each frame and protect each packet as it is written (what one viewer costs).</summary>
    [Benchmark(OperationsPerInvoke = SyntheticH264Stream.GopLength, Description = "packetize+protect, per frame")]
    public int PacketizeAndProtect()
    {
        var total = 0;
        var frames = _gop.Frames;
        for (var f = 0; f < frames.Length; f++)
        {
            _payloader.BeginFrame(frames[f]);
            while (_payloader.TryWriteNext(_packet.AsSpan(RtpFixedHeader.Length), PacketizedGop.MaxPayloadSize, out var written, out var isLast))
            {
                RtpFixedHeader.Write(_packet, isLast, 96, _sequence++, _timestamp, Ssrc);
                _context.ProtectRtp(_packet, RtpFixedHeader.Length + written, out var length);
                total += length;
            }

            _timestamp += PacketizedGop.TimestampStep;
        }

        return total;
    }

    /// <summary>Reference: protect the same packets, already packetized (in place; only the sequence number changes).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = SyntheticH264Stream.GopLength, Description = "SRTP protect alone, per frame")]
    public int ProtectOnly()
    {
        var total = 0;
        var packets = _gop.Packets;
        var lengths = _gop.Lengths;
        for (var i = 0; i < packets.Length; i++)
        {
            var packet = packets[i];
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), _sequence++);
            _context.ProtectRtp(packet, lengths[i], out var length);
            total += length;
        }

        return total;
    }
}
#pragma warning restore CA1001
