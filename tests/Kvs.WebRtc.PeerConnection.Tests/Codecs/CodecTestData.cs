using Kvs.WebRtc.PeerConnection.Codecs;

namespace Kvs.WebRtc.PeerConnection.Tests.Codecs;

/// <summary>Synthetic frames and packetization helpers shared by the codec tests.</summary>
internal static class CodecTestData
{
    public static readonly byte[] Sps = [0x67, 0x42, 0xc0, 0x1f, 0x1a, 0x32, 0x35, 0x01, 0x40, 0x7a, 0x40, 0x3c, 0x22, 0x11, 0xa8];
    public static readonly byte[] Pps = [0x68, 0x1a, 0x34, 0xe3, 0xc8];
    public static readonly byte[] Vps265 = [0x40, 0x01, 0x0c, 0x01, 0xff, 0xff];
    public static readonly byte[] Sps265 = [0x42, 0x01, 0x01, 0x01, 0x60, 0x80];
    public static readonly byte[] Pps265 = [0x44, 0x01, 0xc1, 0x72];

    /// <summary>Bytes 1..255 only, so no start code can appear inside.</summary>
    public static byte[] NalBody(Random random, byte header, int length)
    {
        var nal = new byte[Math.Max(length, 1)];
        nal[0] = header;
        for (var i = 1; i < nal.Length; i++)
        {
            nal[i] = (byte)random.Next(1, 256);
        }

        return nal;
    }

    public static byte[] AnnexB(params byte[][] nals)
    {
        var output = new List<byte>();
        foreach (var nal in nals)
        {
            output.AddRange([0, 0, 0, 1]);
            output.AddRange(nal);
        }

        return [.. output];
    }

    /// <summary>A codec frame (as given to the payloader) and the bytes the receiver should rebuild.</summary>
    public static (byte[] Frame, byte[] Expected, bool Key) MakeFrame(string codec, Random random, int size, bool key)
    {
        switch (codec)
        {
            case "H264":
            {
                var slice = NalBody(random, key ? (byte)0x65 : (byte)0x41, size);
                var au = key ? AnnexB(Sps, Pps, slice) : AnnexB(slice);
                return (au, au, key);
            }

            case "H265":
            {
                var header0 = key ? (byte)(19 << 1) : (byte)(1 << 1);
                var slice = NalBody(random, header0, Math.Max(size, 3));
                slice[1] = 0x01;
                var au = key ? AnnexB(Vps265, Sps265, Pps265, slice) : AnnexB(slice);
                return (au, au, key);
            }

            case "VP8":
            {
                var frame = NalBody(random, key ? (byte)0x10 : (byte)0x11, size);
                return (frame, frame, key);
            }

            case "VP9":
            {
                var frame = NalBody(random, key ? (byte)0x80 : (byte)0x84, size);
                return (frame, frame, key);
            }

            case "opus":
            {
                var frame = NalBody(random, 0xFC, size); // config 31 (CELT FB 20 ms), code 0
                return (frame, frame, true);
            }

            default:
            {
                var frame = NalBody(random, 0xFF, size);
                return (frame, frame, true);
            }
        }
    }

    /// <summary>Packetizes one frame: payloads, their timestamps (frame + offset) and marker bits.</summary>
    public static List<Packet> Packetize(RtpPayloader payloader, byte[] frame, uint timestamp, int mtu)
    {
        var packets = new List<Packet>();
        var buffer = new byte[mtu + 16];
        payloader.BeginFrame(frame);
        while (payloader.TryWriteNext(buffer, mtu, out var written, out var last))
        {
            packets.Add(new Packet(0, unchecked(timestamp + payloader.PayloadTimestampOffset), last, buffer.AsSpan(0, written).ToArray()));
        }

        return packets;
    }

    /// <summary>Pushes packets and collects every frame read (copied).</summary>
    public static List<Received> PushAll(RtpFrameAssembler assembler, IEnumerable<Packet> packets, bool flush = true)
    {
        var frames = new List<Received>();
        foreach (var packet in packets)
        {
            assembler.Push(packet.Sequence, packet.Timestamp, packet.Marker, packet.Payload);
            Drain(assembler, frames);
        }

        if (flush)
        {
            assembler.Flush();
            Drain(assembler, frames);
        }

        return frames;
    }

    public static void Drain(RtpFrameAssembler assembler, List<Received> frames)
    {
        while (assembler.TryReadFrame(out var frame))
        {
            frames.Add(new Received(frame.Data.ToArray(), frame.Timestamp, frame.IsKeyFrame, frame.IsComplete));
        }
    }

    internal sealed record Packet(ushort Sequence, uint Timestamp, bool Marker, byte[] Payload);

    internal sealed record Received(byte[] Data, uint Timestamp, bool IsKeyFrame, bool IsComplete);
}
