using Kvs.WebRtc.PeerConnection.Codecs;
using NUnit.Framework;
using static Kvs.WebRtc.PeerConnection.Tests.Codecs.CodecTestData;

namespace Kvs.WebRtc.PeerConnection.Tests.Codecs;

[TestFixture]
public sealed class RtpDepacketizerMutationTests
{
    private const int Rounds = 20_000;

    [TestCase("H264")]
    [TestCase("H265")]
    [TestCase("VP8")]
    [TestCase("VP9")]
    [TestCase("opus")]
    [TestCase("PCMA")]
    public void Push_SeededMutationsOfValidPayloads_NeverThrowAndStayBounded(string codec)
    {
        var random = new Random(20240 + codec.Length);
        var payloader = RtpCodecFactory.CreatePayloader(codec)!;
        var valid = new List<Packet>();
        for (var f = 0; f < 6; f++)
        {
            var frame = MakeFrame(codec, random, f % 2 == 0 ? 3000 : 120, f == 0).Frame;
            valid.AddRange(Packetize(payloader, frame, (uint)(f * 3000), codec == "opus" ? 4000 : 400));
        }

        var options = new RtpFrameAssemblerOptions { MaxFrameSize = 32 * 1024, ReorderWindow = 16, MaxQueuedFrames = 4 };
        using var assembler = new RtpFrameAssembler(RtpCodecFactory.CreateDepacketizer(codec)!, options);
        var depacketizer = RtpCodecFactory.CreateDepacketizer(codec)!;
        var scratch = new byte[70_000];
        ushort sequence = 0;
        uint timestamp = 0;
        var frames = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var payload = Mutate(random, valid[random.Next(valid.Count)].Payload);
            sequence = (ushort)(sequence + (random.Next(10) == 0 ? random.Next(-3, 40) : 1));
            timestamp += random.Next(4) == 0 ? (uint)random.Next(0, 4000) : 0;
            frames += assembler.Push(sequence, timestamp, random.Next(3) == 0, payload);
            while (assembler.TryReadFrame(out var frame))
            {
                Assert.That(frame.Data.Length, Is.InRange(1, options.MaxFrameSize));
            }

            // The depacketizer alone, with exactly the room it asked for.
            depacketizer.BeginFrame();
            var needed = depacketizer.GetOutputLength(payload);
            Assert.That(needed, Is.InRange(0, scratch.Length));
            var status = depacketizer.Append(payload, scratch.AsSpan(0, needed), out var written);
            Assert.That(written, Is.InRange(0, needed));
            if (status is RtpDepacketizeStatus.Malformed or RtpDepacketizeStatus.Unsupported or RtpDepacketizeStatus.FragmentWithoutStart)
            {
                Assert.That(written, Is.Zero, status.ToString());
            }

            depacketizer.EndFrame(out _);
            _ = depacketizer.IsFrameStart(payload);
            Assert.That(assembler.PendingPackets, Is.LessThan(16));
            Assert.That(assembler.QueuedFrames, Is.LessThanOrEqualTo(4 + 16 + 2));
        }

        Assert.That(frames, Is.GreaterThan(0), "some mutated streams still assemble");
        Assert.That(assembler.PacketsDropped + assembler.FramesDropped + assembler.PacketsDuplicateOrLate, Is.GreaterThan(0));
    }

    private static byte[] Mutate(Random random, byte[] valid)
    {
        var payload = (byte[])valid.Clone();
        switch (random.Next(5))
        {
            case 0:
                return payload; // some untouched packets keep frames flowing
            case 1:
                for (var i = random.Next(1, 4); i > 0 && payload.Length > 0; i--)
                {
                    payload[random.Next(Math.Min(payload.Length, 8))] ^= (byte)(1 << random.Next(8));
                }

                return payload;
            case 2:
                return payload.AsSpan(0, random.Next(payload.Length + 1)).ToArray();
            case 3:
                payload[random.Next(payload.Length)] = (byte)random.Next(256);
                return payload;
            default:
                var extended = new byte[payload.Length + random.Next(1, 64)];
                payload.CopyTo(extended, 0);
                random.NextBytes(extended.AsSpan(payload.Length));
                return extended;
        }
    }
}
