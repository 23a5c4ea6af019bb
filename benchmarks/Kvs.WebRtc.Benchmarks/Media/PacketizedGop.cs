using Kvs.WebRtc.PeerConnection.Codecs;
using Kvs.WebRtc.PeerConnection.Media;

namespace Kvs.WebRtc.Benchmarks.Media;

/// <summary>
/// The RTP packets of one <see cref="SyntheticH264Stream"/> group of pictures, packetized once with
/// <c>RtpCodecFactory.CreatePayloader("H264")</c> at a 1,200-byte payload size: each buffer holds a whole RTP packet
/// (12-byte header) plus room for an SRTP tag.
/// </summary>
internal sealed class PacketizedGop
{
    /// <summary>The payload size used by <see cref="EncodedFrameTrack"/> by default.</summary>
    public const int MaxPayloadSize = 1200;

    /// <summary>Room for the header, the largest payload and the largest SRTP tag.</summary>
    public const int BufferSize = RtpFixedHeader.Length + MaxPayloadSize + 16;

    /// <summary>Video RTP clock ticks per frame at 30 fps.</summary>
    public const uint TimestampStep = 90000 / SyntheticH264Stream.FramesPerSecond;

    private PacketizedGop(byte[][] frames, byte[][] packets, int[] lengths, bool[] markers, int[] frameOfPacket)
    {
        Frames = frames;
        Packets = packets;
        Lengths = lengths;
        Markers = markers;
        FrameOfPacket = frameOfPacket;
    }

    /// <summary>The access units.</summary>
    public byte[][] Frames { get; }

    /// <summary>Whole RTP packets (header + payload), each in a buffer of <see cref="BufferSize"/> bytes.</summary>
    public byte[][] Packets { get; }

    /// <summary>RTP packet lengths (header included, no tag).</summary>
    public int[] Lengths { get; }

    /// <summary>The marker bit of each packet (last packet of a frame).</summary>
    public bool[] Markers { get; }

    /// <summary>The frame index of each packet.</summary>
    public int[] FrameOfPacket { get; }

    /// <summary>Number of packets.</summary>
    public int Count => Packets.Length;

    /// <summary>Total access-unit bytes.</summary>
    public long FrameBytes => Frames.Sum(f => (long)f.Length);

    /// <summary>Packetizes one group of pictures (sequence numbers from 0, timestamps from 0, payload type 96, SSRC 1).</summary>
    public static PacketizedGop Create(int seed = 1080)
    {
        var frames = SyntheticH264Stream.Gop(seed);
        var payloader = RtpCodecFactory.CreatePayloader("H264")!;
        var packets = new List<byte[]>();
        var lengths = new List<int>();
        var markers = new List<bool>();
        var frameOfPacket = new List<int>();
        for (var f = 0; f < frames.Length; f++)
        {
            payloader.BeginFrame(frames[f]);
            while (true)
            {
                var buffer = new byte[BufferSize];
                if (!payloader.TryWriteNext(buffer.AsSpan(RtpFixedHeader.Length), MaxPayloadSize, out var written, out var isLast))
                {
                    break;
                }

                RtpFixedHeader.Write(buffer, isLast, 96, (ushort)packets.Count, (uint)f * TimestampStep, 1);
                packets.Add(buffer);
                lengths.Add(RtpFixedHeader.Length + written);
                markers.Add(isLast);
                frameOfPacket.Add(f);
            }
        }

        return new PacketizedGop(frames, [.. packets], [.. lengths], [.. markers], [.. frameOfPacket]);
    }
}
