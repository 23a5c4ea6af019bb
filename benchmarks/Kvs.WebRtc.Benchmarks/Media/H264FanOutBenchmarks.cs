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
/// floor without packetizing and the network; the same plus one <c>sendto</c> per packet on plain UDP sockets (the
/// floor with the network); and that with UDP GSO batching (what the kernel could save). One operation is one frame (a GOP of 60 per invocation); the cost at
/// 30 fps in % of one core is mean(µs) × 30 / 10,000. Run with
/// <c>dotnet run -c Release --project benchmarks/Kvs.WebRtc.Benchmarks -- --filter '*H264FanOut*' --job short</c>.
/// </summary>
/// <remarks>The viewers' receive work runs on other threads of the same machine meanwhile; receivers that fall behind
/// drop (counted, printed at cleanup). BenchmarkDotNet's "Allocated" is process-wide, so for the WebRTC row it
/// includes the viewers' received frames; the writing thread's own bytes per frame are printed at cleanup.</remarks>
[MemoryDiagnoser]
#pragma warning disable CA1001 // BenchmarkDotNet releases the fields in [GlobalCleanup].
public class H264FanOutBenchmarks
{
    private const int Viewers = 10;
    private const int FullPacket = PacketizedGop.BufferSize; // 12 + 1,200 + the 16-byte GCM tag
    private static readonly TimeSpan s_frameDuration = TimeSpan.FromTicks(TimeSpan.TicksPerSecond / SyntheticH264Stream.FramesPerSecond);

    private readonly byte[] _scratch = new byte[PacketizedGop.BufferSize];
    private DtlsCertificate _masterCertificate = null!;
    private DtlsCertificate _viewerCertificate = null!;
    private MediaFanOut _fanOut = null!;
    private PacketizedGop _gop = null!;
    private SrtpContext[] _contexts = [];
    private readonly byte[] _batch = new byte[64 * 1024];
    private int[] _frameStarts = [];
    private RawUdpFanOut _raw = null!;
    private RawUdpFanOut _gso = null!;
    private TimeSpan _time;
    private ushort _sequence;
    private long _writerAllocated;
    private long _framesWritten;

    /// <summary>Connects the 10 pairs (waits for Connected and for a first frame at every viewer).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _gop = PacketizedGop.Create();
        _contexts = [.. Enumerable.Range(0, Viewers).Select(_ => MediaBenchmarkKeys.CreateContext("AEAD_AES_128_GCM"))];
        _frameStarts = [.. Enumerable.Range(0, _gop.Count).Where(i => i == 0 || _gop.FrameOfPacket[i] != _gop.FrameOfPacket[i - 1]), _gop.Count];
        _raw = new RawUdpFanOut(Viewers);
        _gso = new RawUdpFanOut(Viewers, FullPacket);
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
        Console.WriteLine($"// fan-out: writer thread allocated {_writerAllocated / (double)Math.Max(1, _framesWritten):F1} B per frame; raw UDP received {_raw.Received}, GSO enabled {_gso.GsoEnabled}, received {_gso.Received}");
        Console.WriteLine(_fanOut.Describe());
        _raw.Dispose();
        _gso.Dispose();
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
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        for (var f = 0; f < frames.Length; f++)
        {
            var pending = track.WriteFrameAsync(new EncodedFrame(frames[f], _time, f == 0));
            if (!pending.IsCompletedSuccessfully)
            {
                pending.AsTask().GetAwaiter().GetResult();
            }

            _time += s_frameDuration;
        }

        _writerAllocated += GC.GetAllocatedBytesForCurrentThread() - allocated;
        _framesWritten += frames.Length;
    }

    /// <summary>Reference: the same packets copied, rewritten and SRTP-protected (AEAD-AES-128-GCM) once per viewer.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = SyntheticH264Stream.GopLength, Description = "SRTP protect x10 alone, per frame")]
    public int ProtectForTenViewers() => ProtectAll(send: null);

    /// <summary>The network floor: the same protection, each packet then sent with one <c>sendto</c> on plain UDP sockets to 10 drained receivers.</summary>
    [Benchmark(OperationsPerInvoke = SyntheticH264Stream.GopLength, Description = "SRTP protect x10 + sendto, raw UDP, per frame")]
    public int ProtectAndSendForTenViewers() => ProtectAll(_raw);

    /// <summary>
    /// What UDP GSO would give: as above, but each run of full-size packets of a frame (plus the shorter one ending it)
    /// to one viewer leaves in one <c>sendto</c> (Linux <c>UDP_SEGMENT</c>); other packets one by one.
    /// </summary>
    [Benchmark(OperationsPerInvoke = SyntheticH264Stream.GopLength, Description = "SRTP protect x10 + sendto with UDP GSO, per frame")]
    public int ProtectAndSendWithGsoForTenViewers()
    {
        var total = 0;
        var packets = _gop.Packets;
        var lengths = _gop.Lengths;
        for (var f = 0; f < _frameStarts.Length - 1; f++)
        {
            for (var v = 0; v < Viewers; v++)
            {
                var i = _frameStarts[f];
                while (i < _frameStarts[f + 1])
                {
                    var offset = 0;
                    var segments = 0;
                    do
                    {
                        var target = _batch.AsSpan(offset);
                        packets[i].AsSpan(0, lengths[i]).CopyTo(target);
                        RtpFixedHeader.Write(target, _gop.Markers[i], 96, unchecked((ushort)(_sequence + i)), 0, (uint)v + 1);
                        _contexts[v].ProtectRtp(target, lengths[i], out var length);
                        offset += length;
                        total += length;
                        segments++;
                        i++;
                        if (length != FullPacket)
                        {
                            break;
                        }
                    }
                    while (i < _frameStarts[f + 1] && segments < 40 && _gso.GsoEnabled);

                    _gso.Send(v, _batch.AsSpan(0, offset));
                }
            }
        }

        _sequence = unchecked((ushort)(_sequence + packets.Length));
        return total;
    }

    private int ProtectAll(RawUdpFanOut? send)
    {
        var total = 0;
        var packets = _gop.Packets;
        var lengths = _gop.Lengths;
        for (var f = 0; f < _frameStarts.Length - 1; f++)
        {
            for (var v = 0; v < Viewers; v++)
            {
                for (var i = _frameStarts[f]; i < _frameStarts[f + 1]; i++)
                {
                    packets[i].AsSpan(0, lengths[i]).CopyTo(_scratch);
                    RtpFixedHeader.Write(_scratch, _gop.Markers[i], 96, unchecked((ushort)(_sequence + i)), 0, (uint)v + 1);
                    _contexts[v].ProtectRtp(_scratch, lengths[i], out var length);
                    send?.Send(v, _scratch.AsSpan(0, length));
                    total += length;
                }
            }
        }

        _sequence = unchecked((ushort)(_sequence + packets.Length));
        return total;
    }
}
#pragma warning restore CA1001
