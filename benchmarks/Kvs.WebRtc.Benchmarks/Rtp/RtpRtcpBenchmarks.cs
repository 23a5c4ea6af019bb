using BenchmarkDotNet.Attributes;
using Kvs.WebRtc.PeerConnection.Rtcp;
using Kvs.WebRtc.PeerConnection.Rtp;

namespace Kvs.WebRtc.Benchmarks.Rtp;

/// <summary>
/// RTP/RTCP wire formats on the media path: RTP header parse + mid lookup, RTP header write with three extensions,
/// an SR+SDES compound parse, and transport-wide feedback build and parse for 100 packets.
/// </summary>
[MemoryDiagnoser]
public class RtpRtcpBenchmarks
{
    private readonly byte[] _rtp = new byte[1200];
    private readonly byte[] _writeBuffer = new byte[64];
    private readonly byte[] _compound = new byte[256];
    private readonly byte[] _feedback = new byte[RtcpTransportFeedbackBuilder.DefaultMaxPacketSize];
    private readonly byte[] _mid = "video0"u8.ToArray();
    private readonly RtcpTransportFeedbackStatus[] _statuses = new RtcpTransportFeedbackStatus[256];
    private readonly RtcpTransportFeedbackBuilder _builder = new();
    private int _compoundLength;
    private int _feedbackLength;
    private ushort _sequence;

    [GlobalSetup]
    public void Setup()
    {
        WriteHeader(_rtp);
        _compoundLength = RtcpSenderReport.Write(_compound, 1, 0x1234_5678_9ABC_DEF0, 90000, 100, 120_000, [new RtcpReportBlock(2, 3, 4, 5, 6, 7, 8)]);
        _compoundLength += RtcpSourceDescription.Write(_compound.AsSpan(_compoundLength), 1, "f2b5c2f0-3c1e-4f7c-9b0e-5d7b2e8f0a11"u8);
        _feedbackLength = BuildFeedback();
    }

    [Benchmark(Description = "RTP header parse + mid extension lookup")]
    public int ParseRtpHeader()
    {
        if (!RtpHeader.TryParse(_rtp, out var header) || !header.TryGetExtension(_rtp, 1, out var mid))
        {
            return 0;
        }

        return SdesItemExtension.ValueEquals(mid, "video0") ? header.PayloadLength : -1;
    }

    [Benchmark(Description = "RTP header write (mid, abs-send-time, twcc seq)")]
    public int WriteRtpHeader() => WriteHeader(_writeBuffer);

    [Benchmark(Description = "RTCP compound SR+SDES parse")]
    public int ParseCompound()
    {
        var n = 0;
        var reader = new RtcpCompoundReader(_compound.AsSpan(0, _compoundLength));
        while (reader.TryReadNext(out _, out var packet))
        {
            if (RtcpSenderReport.TryParse(packet, out var sr))
            {
                n += (int)sr.GetReportBlock(0).Jitter;
            }
            else if (RtcpSourceDescription.TryParse(packet, out var sdes) && sdes.TryGetCname(out _, out var cname))
            {
                n += cname.Length;
            }
        }

        return n;
    }

    [Benchmark(Description = "TWCC feedback build (100 packets)")]
    public int BuildFeedback()
    {
        _builder.Reset(1, 2, 0);
        for (var i = 0; i < 100; i++)
        {
            _builder.TryAddReceivedPacket((ushort)(1000 + i + (i / 10)), TimeSpan.FromMilliseconds(5000 + (i * 2.5)));
        }

        return _builder.Write(_feedback);
    }

    [Benchmark(Description = "TWCC feedback parse (100 packets)")]
    public int ParseFeedback() =>
        RtcpTransportFeedback.TryParse(_feedback.AsSpan(0, _feedbackLength), out var feedback) ? feedback.CopyStatuses(_statuses) : 0;

    private int WriteHeader(Span<byte> destination)
    {
        Span<byte> abs = stackalloc byte[AbsSendTimeExtension.Size];
        Span<byte> twcc = stackalloc byte[TransportSequenceNumberExtension.Size];
        AbsSendTimeExtension.Write(abs, TimeSpan.FromMilliseconds(_sequence));
        TransportSequenceNumberExtension.Write(twcc, _sequence);
        scoped var extensions = new RtpHeaderExtensions();
        extensions.Add(1, _mid);
        extensions.Add(2, abs);
        extensions.Add(3, twcc);
        _sequence++;
        return RtpHeaderWriter.Write(destination, false, 96, _sequence, _sequence * 3000u, 0x1234, [], extensions);
    }
}
