using Kvs.WebRtc.PeerConnection.Codecs;
using Kvs.WebRtc.PeerConnection.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Media;

/// <summary>
/// Integrity of the H.264 receive path (depacketizer, frame assembler, jitter buffer) under a seeded hostile network:
/// 5–20 % loss, retransmissions that arrive 20–400 ms late (or never, or twice), duplicated and reordered originals,
/// sequence numbers that wrap. Frames may be dropped; every frame released must be byte for byte a frame that was sent,
/// and released once. The kernel-loss interop test once saw one corrupt frame; this pins the receive side down
/// without a network.
/// </summary>
[TestFixture]
public sealed class H264ReceiveIntegrityTests
{
    private const int FrameTicks = 3000; // 30 frames/s at 90 kHz
    private const int MaxPayload = 1200;

    [Test]
    public void Receive_LossLateRetransmissionsDuplicatesReorder_EveryReleasedFrameIsOneThatWasSent(
        [Values(1, 2, 3, 4, 5, 6, 7, 8)] int seed, [Values(0.05, 0.2)] double loss)
    {
        var random = new Random(seed);
        var frames = Frames(count: 450, random);
        var firstSequence = (ushort)(seed % 2 == 0 ? 65536 - 1500 : random.Next(65536)); // even seeds wrap mid-run
        var packets = Packetize(frames, firstSequence, (uint)random.Next());
        var arrivals = Network(packets, loss, random);

        using var buffer = new JitterBuffer(new H264Depacketizer(), JitterBufferOptions.For("H264"));
        var sent = frames.Select((f, i) => (f, i)).ToDictionary(x => packets.First(p => p.Frame == x.i).Timestamp, x => x.f);
        var released = new HashSet<uint>();
        var corrupt = new List<string>();
        var duplicates = 0;
        void Drain(TimeSpan now)
        {
            while (buffer.TryRead(now, out var frame))
            {
                if (!sent.TryGetValue(frame.Timestamp, out var original) || !frame.Data.Span.SequenceEqual(original))
                {
                    corrupt.Add($"ts {frame.Timestamp}: {frame.Data.Length} bytes, sent {original?.Length}, first difference at "
                        + (original is null ? -1 : frame.Data.Span.CommonPrefixLength(original)));
                }
                else if (!released.Add(frame.Timestamp))
                {
                    duplicates++;
                }
            }
        }

        var tick = TimeSpan.Zero;
        foreach (var (at, packet) in arrivals)
        {
            while (tick < at)
            {
                Drain(tick);
                tick += TimeSpan.FromMilliseconds(5);
            }

            buffer.Push(packet.Sequence, packet.Timestamp, packet.Marker, packet.Payload, at);
            Drain(at);
        }

        Drain(arrivals[^1].At + TimeSpan.FromSeconds(10));
        TestContext.Out.WriteLine($"seed {seed} loss {loss:P0}: {released.Count}/{frames.Count} frames released intact, {buffer.FramesDropped} dropped, {corrupt.Count} corrupt");
        Assert.Multiple(() =>
        {
            Assert.That(corrupt, Is.Empty, "every released frame is byte for byte one that was sent");
            Assert.That(duplicates, Is.Zero, "no frame released twice");
            Assert.That(released, Has.Count.GreaterThan(frames.Count / 4), "the stream keeps moving");
        });
    }

    // The kernel-loss interop test's corrupt frame: the stream's very first packet (the key frame's STAP-A with SPS and
    // PPS) was lost, so the receiver started on the IDR's first FU-A, saw no gap, and released an IDR without its
    // parameter sets as a complete key frame.
    [Test]
    public void Receive_FirstPacketOfTheStreamLost_KeyFrameWithoutItsParameterSetsIsNotReleased_TheNextKeyFrameIs()
    {
        var frames = new List<byte[]> { SyntheticH264.KeyFrame(5000, 1), SyntheticH264.Delta(3000, 2), SyntheticH264.KeyFrame(5000, 3) };
        var packets = Packetize(frames, 100, 0);
        using var buffer = new JitterBuffer(new H264Depacketizer(), JitterBufferOptions.For("H264"));
        var now = TimeSpan.Zero;
        foreach (var packet in packets.Skip(1))
        {
            now = TimeSpan.FromMilliseconds(packet.Frame * 33);
            buffer.Push(packet.Sequence, packet.Timestamp, packet.Marker, packet.Payload, now);
        }

        var released = new List<byte[]>();
        while (buffer.TryRead(now + TimeSpan.FromSeconds(5), out var frame))
        {
            released.Add(frame.Data.ToArray());
        }

        Assert.That(released, Has.Count.EqualTo(1), "only the second key frame");
        Assert.That(released[0], Is.EqualTo(frames[2]));
        Assert.That(buffer.FramesDropped, Is.EqualTo(2), "the key frame without SPS/PPS and the delta that depends on it");
    }

    [Test]
    public void Receive_StreamStartsOnTheKeyFramesParameterSets_FirstFrameReleasedAtOnce()
    {
        var frames = new List<byte[]> { SyntheticH264.KeyFrame(5000, 1), SyntheticH264.Delta(3000, 2) };
        var packets = Packetize(frames, 65534, 0);
        using var buffer = new JitterBuffer(new H264Depacketizer(), JitterBufferOptions.For("H264"));
        var released = new List<byte[]>();
        foreach (var packet in packets)
        {
            var now = TimeSpan.FromMilliseconds(packet.Frame * 33);
            buffer.Push(packet.Sequence, packet.Timestamp, packet.Marker, packet.Payload, now);
            while (buffer.TryRead(now, out var frame))
            {
                released.Add(frame.Data.ToArray());
            }

            if (packet.Frame == 0 && packet.Marker)
            {
                Assert.That(released, Has.Count.EqualTo(1), "the first key frame is out as soon as its last packet is in");
            }
        }

        while (buffer.TryRead(TimeSpan.FromSeconds(5), out var last))
        {
            released.Add(last.Data.ToArray());
        }

        Assert.That(released, Is.EqualTo(frames));
        Assert.That(buffer.FramesDropped, Is.Zero);
    }

    // Key frame every 60 (and at random, as answers to key-frame requests), sizes around 1080p at 4 Mbit/s.
    private static List<byte[]> Frames(int count, Random random)
    {
        var frames = new List<byte[]>();
        for (var i = 0; i < count; i++)
        {
            var key = i % 60 == 0 || random.NextDouble() < 0.02;
            frames.Add(key ? SyntheticH264.KeyFrame(60_000 + random.Next(2000), random.Next()) : SyntheticH264.Delta(14_000 + random.Next(4000), random.Next()));
        }

        return frames;
    }

    private static List<Packet> Packetize(List<byte[]> frames, ushort sequence, uint timestampBase)
    {
        var payloader = new H264Payloader();
        var packets = new List<Packet>();
        var buffer = new byte[MaxPayload];
        for (var i = 0; i < frames.Count; i++)
        {
            payloader.BeginFrame(frames[i]);
            var timestamp = unchecked(timestampBase + (uint)(i * FrameTicks));
            while (payloader.TryWriteNext(buffer, MaxPayload, out var written, out var isLast))
            {
                packets.Add(new Packet(i, sequence++, timestamp, isLast, buffer.AsSpan(0, written).ToArray()));
            }
        }

        return packets;
    }

    // Originals leave at 30 frames/s with up to 10 ms of jitter (reordering); each lost one is resent 20–400 ms later
    // (itself lost at the same rate, up to three tries); 1 % of the originals arrive twice.
    private static List<(TimeSpan At, Packet Packet)> Network(List<Packet> packets, double loss, Random random)
    {
        var arrivals = new List<(TimeSpan, Packet)>();
        foreach (var packet in packets)
        {
            var sentAt = TimeSpan.FromMilliseconds(packet.Frame * 1000.0 / 30);
            var at = sentAt + TimeSpan.FromMilliseconds(20 + (random.NextDouble() * 10));
            if (random.NextDouble() >= loss)
            {
                arrivals.Add((at, packet));
                if (random.NextDouble() < 0.01)
                {
                    arrivals.Add((at + TimeSpan.FromMilliseconds(random.Next(1, 200)), packet));
                }

                continue;
            }

            for (var attempt = 0; attempt < 3; attempt++)
            {
                at += TimeSpan.FromMilliseconds(20 + random.Next(380));
                if (random.NextDouble() >= loss)
                {
                    arrivals.Add((at, packet));
                    break;
                }
            }
        }

        return [.. arrivals.OrderBy(a => a.Item1)];
    }

    private sealed record Packet(int Frame, ushort Sequence, uint Timestamp, bool Marker, byte[] Payload);
}
