using Kvs.WebRtc.PeerConnection.Codecs;
using NUnit.Framework;
using static Kvs.WebRtc.PeerConnection.Tests.Codecs.CodecTestData;

namespace Kvs.WebRtc.PeerConnection.Tests.Codecs;

[TestFixture]
public sealed class RtpFrameAssemblerTests
{
    public enum Impairment
    {
        None,
        Reordered,
        Duplicated,
        OneLost,
    }

    private static readonly string[] s_codecs = ["H264", "H265", "VP8", "VP9", "opus", "PCMU"];
    private static readonly int[] s_mtus = [200, 1200];
    private static readonly int[] s_sizes = [1, 150, 1199, 5000, 1 << 20];

    private static IEnumerable<TestCaseData> RoundTripCases()
    {
        foreach (var codec in s_codecs)
        {
            foreach (var mtu in s_mtus)
            {
                foreach (var size in s_sizes)
                {
                    if (codec == "opus" && size > mtu - 1)
                    {
                        continue; // Opus is never split
                    }

                    foreach (var impairment in Enum.GetValues<Impairment>())
                    {
                        if (size == 1 << 20 && impairment is Impairment.Reordered or Impairment.Duplicated && mtu == 200)
                        {
                            continue; // keep the run short; 1 MB at MTU 200 is covered in order and with a loss
                        }

                        yield return new TestCaseData(codec, mtu, size, impairment).SetName($"RoundTrip_{codec}_Mtu{mtu}_Size{size}_{impairment}_FramesRebuilt");
                    }
                }
            }
        }
    }

    [TestCaseSource(nameof(RoundTripCases))]
    public void RoundTrip(string codec, int mtu, int size, Impairment impairment)
    {
        var random = new Random(size ^ mtu ^ codec.Length);
        var payloader = RtpCodecFactory.CreatePayloader(codec)!;
        var audio = !RtpCodecFactory.IsVideo(codec);
        var options = RtpCodecFactory.CreateAssemblerOptions(codec);
        if (audio)
        {
            // G.711 chunks are up to 150 ms apart here: wait for a reordered one within the window, whatever the delay.
            options = new RtpFrameAssemblerOptions { MaxFrameSize = options.MaxFrameSize, ReorderWindow = options.ReorderWindow, MaxReorderDelay = 1 << 30 };
        }

        using var assembler = new RtpFrameAssembler(RtpCodecFactory.CreateDepacketizer(codec)!, options);

        // Four frames; the sequence numbers wrap around 65535 in the middle.
        var packets = new List<Packet>();
        var expected = new List<(byte[] Data, uint Timestamp, int FrameIndex, bool Key)>();
        var frameOfPacket = new List<int>();
        uint timestamp = 4_294_960_000;
        for (var f = 0; f < 4; f++)
        {
            var (frame, rebuilt, key) = MakeFrame(codec, random, f == 1 ? size : Math.Min(size, 3000), f == 0);
            var framePackets = Packetize(payloader, frame, timestamp, mtu);
            Assert.That(framePackets, Is.Not.Empty);
            Assert.That(framePackets.All(p => p.Payload.Length <= mtu), Is.True);
            Assert.That(framePackets[^1].Marker, Is.True);
            foreach (var packet in framePackets)
            {
                frameOfPacket.Add(f);
                packets.Add(packet);
                if (audio)
                {
                    expected.Add((packet.Payload, packet.Timestamp, f, true));
                }
            }

            if (!audio)
            {
                expected.Add((rebuilt, timestamp, f, key));
            }

            timestamp = unchecked(timestamp + (uint)(codec switch { "PCMU" => frame.Length, "opus" => 960, _ => 3000 }));
        }

        ushort sequence = (ushort)(65535 - packets.Count / 2);
        for (var i = 0; i < packets.Count; i++)
        {
            packets[i] = packets[i] with { Sequence = unchecked((ushort)(sequence + i)) };
        }

        var order = Enumerable.Range(0, packets.Count).ToList();
        switch (impairment)
        {
            case Impairment.Reordered:
                for (var i = 1; i + 1 < order.Count; i += 3)
                {
                    (order[i], order[i + 1]) = (order[i + 1], order[i]);
                }

                if (order.Count > 6)
                {
                    var moved = order[2];
                    order.RemoveAt(2);
                    order.Insert(7, moved); // five places late
                }

                break;
            case Impairment.Duplicated:
                order = order.SelectMany(i => i % 4 == 0 ? new[] { i, i } : new[] { i }).ToList();
                order.Add(order[0]);
                break;
            case Impairment.OneLost:
                var inFrame1 = Enumerable.Range(0, packets.Count).Where(i => frameOfPacket[i] == 1).ToList();
                order.Remove(inFrame1[inFrame1.Count / 2]);
                break;
        }

        var received = PushAll(assembler, order.Select(i => packets[i]));

        var lostPacket = impairment == Impairment.OneLost
            ? Enumerable.Range(0, packets.Count).Where(i => frameOfPacket[i] == 1).ToList() is var l ? l[l.Count / 2] : -1
            : -1;
        var wanted = expected
            .Where(e => impairment != Impairment.OneLost || (audio ? e.Timestamp != packets[lostPacket].Timestamp : e.FrameIndex != 1))
            .ToList();
        Assert.That(received.Select(r => r.Timestamp), Is.EqualTo(wanted.Select(e => e.Timestamp)), "frames delivered, in order");
        for (var i = 0; i < wanted.Count; i++)
        {
            Assert.That(received[i].Data, Is.EqualTo(wanted[i].Data), $"frame {i} bytes");
            Assert.That(received[i].IsKeyFrame, Is.EqualTo(wanted[i].Key), $"frame {i} key flag");
        }

        var frame1Packets = frameOfPacket.Count(f => f == 1);
        Assert.That(assembler.FramesDropped, Is.EqualTo(impairment == Impairment.OneLost && !audio && frame1Packets > 1 ? 1 : 0),
            "a frame partly received is dropped; a frame wholly lost is never seen");
        Assert.That(assembler.PacketsDropped, Is.Zero);
        Assert.That(assembler.PendingPackets, Is.Zero);
    }

    [Test]
    public void Push_LastPacketOfFrameLost_NextFrameDeliveredWithoutWaitingForFlush()
    {
        var payloader = new Vp8Payloader();
        using var assembler = new RtpFrameAssembler(new Vp8Depacketizer());
        var random = new Random(7);
        var packets = new List<Packet>();
        for (var f = 0; f < 10; f++)
        {
            var frame = MakeFrame("VP8", random, 3000, f == 0).Frame;
            packets.AddRange(Packetize(payloader, frame, (uint)(f * 3000), 1200));
        }

        packets = packets.Select((p, i) => p with { Sequence = (ushort)i }).ToList();
        packets.RemoveAt(5); // the last packet (marker) of frame 1

        var received = PushAll(assembler, packets, flush: false);

        Assert.That(received.Select(r => r.Timestamp), Does.Contain(6000u), "frame 2 released once the delay bound passed");
        Assert.That(received.Select(r => r.Timestamp), Does.Not.Contain(3000u));
        Assert.That(assembler.PacketsLost, Is.EqualTo(1));
    }

    [Test]
    public void Push_H264FrameAfterLostEndOfPreviousFrame_IsDeliveredAsNotComplete()
    {
        var payloader = new H264Payloader();
        using var assembler = new RtpFrameAssembler(new H264Depacketizer());
        var random = new Random(3);
        var packets = new List<Packet>();
        for (var f = 0; f < 3; f++)
        {
            packets.AddRange(Packetize(payloader, MakeFrame("H264", random, 200, f == 0).Frame, (uint)(f * 3000), 1200));
        }

        packets = packets.Select((p, i) => p with { Sequence = (ushort)i }).ToList();
        packets.RemoveAt(1); // frame 1 is one packet: after the loss, frame 2 cannot be proven whole

        var received = PushAll(assembler, packets);

        Assert.That(received.Select(r => (r.Timestamp, r.IsComplete)), Is.EqualTo(new[] { (0u, true), (6000u, false) }));
    }

    [Test]
    public void Push_FloodOfFuAMiddles_StaysWithinMemoryBounds()
    {
        using var assembler = new RtpFrameAssembler(new H264Depacketizer(), new RtpFrameAssemblerOptions { MaxFrameSize = 64 * 1024 });
        var middle = new byte[1200];
        middle[0] = 0x7C;
        middle[1] = 0x05; // FU-A, no S/E, IDR
        var start = (byte[])middle.Clone();
        start[1] = 0x85;
        assembler.Push(0, 0, false, start);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 1; i < 100_000; i++)
        {
            assembler.Push((ushort)i, (uint)(i / 20_000), false, middle);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.LessThan(1 << 20), "no growth beyond the frame cap");
        Assert.That(assembler.PacketsOversized, Is.EqualTo(1), "the frame hit the 64 KiB cap once");
        Assert.That(assembler.FramesDropped, Is.GreaterThanOrEqualTo(5), "one per timestamp: the capped frame and four without start");
        Assert.That(assembler.FramesCompleted, Is.Zero);
        Assert.That(assembler.PendingPackets, Is.Zero);
    }

    [Test]
    public void Push_WindowFullOfOutOfOrderPackets_DeclaresGapLostAndBoundsPending()
    {
        using var assembler = new RtpFrameAssembler(new OpusDepacketizer(), new RtpFrameAssemblerOptions { ReorderWindow = 8, MaxReorderDelay = int.MaxValue });
        byte[] packet = [0xFC, 1, 2];
        assembler.Push(0, 0, false, packet);
        for (var i = 2; i < 40; i++)
        {
            assembler.Push((ushort)i, (uint)(i * 960), false, packet);
            Assert.That(assembler.PendingPackets, Is.LessThan(8));
        }

        Assert.That(assembler.PacketsLost, Is.EqualTo(1));
        Assert.That(assembler.FramesCompleted, Is.EqualTo(39));
    }

    [Test]
    public void Push_DuplicateAndLatePackets_AreIgnoredAndCounted()
    {
        using var assembler = new RtpFrameAssembler(new G711Depacketizer());
        byte[] packet = [1, 2, 3];
        Assert.That(assembler.Push(10, 0, false, packet), Is.EqualTo(1));
        Assert.That(assembler.Push(10, 0, false, packet), Is.Zero);
        Assert.That(assembler.Push(9, 0, false, packet), Is.Zero);
        Assert.That(assembler.Push(12, 320, false, packet), Is.Zero);
        Assert.That(assembler.Push(12, 320, false, packet), Is.Zero);
        Assert.That(assembler.Push(11, 160, false, packet), Is.EqualTo(2));
        Assert.That(assembler.PacketsDuplicateOrLate, Is.EqualTo(3));
    }

    [Test]
    public void TryReadFrame_QueueFull_DiscardsOldestAndCounts()
    {
        using var assembler = new RtpFrameAssembler(new G711Depacketizer(), new RtpFrameAssemblerOptions { MaxQueuedFrames = 2 });
        for (var i = 0; i < 5; i++)
        {
            assembler.Push((ushort)i, (uint)(i * 160), false, [(byte)i]);
        }

        Assert.That(assembler.FramesDiscardedUnread, Is.EqualTo(2), "trimmed to 2 at each push: frames 0 and 1 discarded");
        Assert.That(assembler.QueuedFrames, Is.EqualTo(3), "the last push may add one over the limit");
        assembler.Flush();
        Assert.That(assembler.FramesDiscardedUnread, Is.EqualTo(3));
        Assert.That(assembler.TryReadFrame(out var frame), Is.True);
        Assert.That(frame.Data.ToArray(), Is.EqualTo(new byte[] { 3 }));
        Assert.That(assembler.TryReadFrame(out frame), Is.True);
        Assert.That(frame.Timestamp, Is.EqualTo(640u));
        Assert.That(assembler.TryReadFrame(out _), Is.False);
    }

    [Test]
    public void Push_GapFilledAfterAWindowOfAudioPackets_ReleasesTheWholeBurst()
    {
        using var assembler = new RtpFrameAssembler(new G711Depacketizer(), new RtpFrameAssemblerOptions { ReorderWindow = 32, MaxQueuedFrames = 4 });
        var received = new List<uint>();
        for (var i = 0; i < 60; i++)
        {
            if (i != 10)
            {
                assembler.Push((ushort)(65500 + i), (uint)(i * 20), false, [1]);
            }

            while (assembler.TryReadFrame(out var frame))
            {
                received.Add(frame.Timestamp / 20);
            }
        }

        Assert.That(received, Is.EqualTo(Enumerable.Range(0, 60).Where(i => i != 10).Select(i => (uint)i)));
        Assert.That(assembler.FramesDiscardedUnread, Is.Zero);
    }

    [Test]
    public void Push_SenderRestartsFarBehind_ResynchronisesInsteadOfDroppingForever()
    {
        using var assembler = new RtpFrameAssembler(new G711Depacketizer());
        assembler.Push(40000, 0, false, [1]);
        assembler.Push(40001, 160, false, [1]);
        Assert.That(assembler.Push(100, 320, false, [2]), Is.EqualTo(1));
        Assert.That(assembler.Push(101, 480, false, [3]), Is.EqualTo(1));
    }

    [Test]
    public void Push_PayloadOverLimit_IsDroppedAndCounted()
    {
        using var assembler = new RtpFrameAssembler(new G711Depacketizer(), new RtpFrameAssemblerOptions { MaxPayloadSize = 100 });
        Assert.That(assembler.Push(1, 0, false, new byte[101]), Is.Zero);
        Assert.That(assembler.PacketsOversized, Is.EqualTo(1));
    }
}
