using BenchmarkDotNet.Attributes;
using Kvs.WebRtc.PeerConnection.Dtls;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection.Srtp;

namespace Kvs.WebRtc.Benchmarks.Media;

/// <summary>
/// Fan-out: one 1080p30 4 Mbit/s H.264 <see cref="EncodedFrameTrack"/> bound to 10 of our connections on 127.0.0.1
/// (each to its own receiving connection, which drains frames). Measures <see cref="EncodedFrameTrack.WriteFrameAsync(EncodedFrame, CancellationToken)"/>
/// for one frame to 10 viewers (packetize once, then per viewer: copy, rewrite PT/SSRC, SRTP-protect with
/// AEAD-AES-128-GCM, send on the UDP socket). Reference: SRTP-protect (copy + protect) of the same packets ×10, the
/// floor without packetizing and the network. One operation is one frame (a GOP of 60 per invocation); the cost at
/// 30 fps in % of one core is mean(µs) × 30 / 10,000. Run with
/// <c>dotnet run -c Release --project benchmarks/Kvs.WebRtc.Benchmarks -- --filter '*H264FanOut*' --job short</c>.
/// </summary>
/// <remarks>The viewers' receive work runs on other threads of the same machine meanwhile; receivers that fall behind drop (counted, printed at cleanup).</remarks>
[MemoryDiagnoser]
#pragma warning disable CA1001 // BenchmarkDotNet releases the fields in [GlobalCleanup].
public class H264FanOutBenchmarks
{
    private const int Viewers = 10;
    private static readonly TimeSpan s_frameDuration = TimeSpan.FromTicks(TimeSpan.TicksPerSecond / SyntheticH264Stream.FramesPerSecond);

    private readonly byte[] _scratch = new byte[PacketizedGop.BufferSize];
    private DtlsCertificate _masterCertificate = null!;
    private DtlsCertificate _viewerCertificate = null!;
    private MediaFanOut _fanOut = null!;
    private PacketizedGop _gop = null!;
    private SrtpContext[] _contexts = [];
    private TimeSpan _time;
    private ushort _sequence;

    /// <summary>Connects the 10 pairs (waits for Connected and for a first frame at every viewer).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _gop = PacketizedGop.Create();
        _contexts = [.. Enumerable.Range(0, Viewers).Select(_ => MediaBenchmarkKeys.CreateContext("AEAD_AES_128_GCM"))];
        _masterCertificate = DtlsCertificate.Generate();
        _viewerCertificate = DtlsCertificate.Generate();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var track = new EncodedFrameTrack(RTCRtpCodec.H264);
        _fanOut = MediaFanOut.ConnectAsync(track, Viewers, _masterCertificate, _viewerCertificate, cts.Token).GetAwaiter().GetResult();
        _fanOut.PrimeAsync(_gop.Frames[0], cts.Token).GetAwaiter().GetResult();
        _time = TimeSpan.FromSeconds(60);
    }

    /// <summary>Prints what each viewer got, closes the connections.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        Console.WriteLine($"// fan-out: track frames written {_fanOut.Track.FramesWritten}, key-frame requests {_fanOut.Track.KeyFrameRequests}");
        Console.WriteLine(_fanOut.Describe());
        _fanOut.DisposeAsync().AsTask().GetAwaiter().GetResult();
        foreach (var context in _contexts)
        {
            context.Dispose();
        }

        _masterCertificate.Dispose();
        _viewerCertificate.Dispose();
    }

    /// <summary>WriteFrameAsync of each frame of the GOP: packetize once, protect and send to 10 viewers.</summary>
    [Benchmark(OperationsPerInvoke = SyntheticH264Stream.GopLength, Description = "WriteFrameAsync to 10 viewers, per frame")]
    public void WriteFrameToTenViewers()
    {
        var frames = _gop.Frames;
        var track = _fanOut.Track;
        for (var f = 0; f < frames.Length; f++)
        {
            var pending = track.WriteFrameAsync(new EncodedFrame(frames[f], _time, f == 0));
            if (!pending.IsCompletedSuccessfully)
            {
                pending.AsTask().GetAwaiter().GetResult();
            }

            _time += s_frameDuration;
        }
    }

    /// <summary>Reference: the same packets copied, rewritten and SRTP-protected (AEAD-AES-128-GCM) once per viewer.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = SyntheticH264Stream.GopLength, Description = "SRTP protect x10 alone, per frame")]
    public int ProtectForTenViewers()
    {
        var total = 0;
        var packets = _gop.Packets;
        var lengths = _gop.Lengths;
        for (var i = 0; i < packets.Length; i++)
        {
            var sequence = _sequence++;
            for (var v = 0; v < _contexts.Length; v++)
            {
                packets[i].AsSpan(0, lengths[i]).CopyTo(_scratch);
                RtpFixedHeader.Write(_scratch, _gop.Markers[i], 96, sequence, 0, (uint)v + 1);
                _contexts[v].ProtectRtp(_scratch, lengths[i], out var length);
                total += length;
            }
        }

        return total;
    }
}
#pragma warning restore CA1001
