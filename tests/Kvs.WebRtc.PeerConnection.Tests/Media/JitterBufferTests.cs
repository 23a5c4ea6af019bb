using Kvs.WebRtc.PeerConnection.Codecs;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Media;

/// <summary>
/// The per-track jitter buffer on its own, time as an argument: reorder and duplicates, wraparound, release at expected
/// arrival + target, the W3C target range, a gap never repaired (dropped at its deadline, the next key frame flows),
/// bounds, audio independent of video, allocation-free packets, random input.
/// </summary>
[TestFixture]
public sealed class JitterBufferTests
{
    private const uint FrameTicks = 2700; // 30 ms at 90 kHz (exact in TimeSpan ticks)
    private static readonly TimeSpan s_frame = TimeSpan.FromMilliseconds(30);

    [Test]
    public void Push_ReorderedAndDuplicatedPackets_EachFrameReleasedOnceInDecodeOrder()
    {
        using var buffer = Video();
        var frames = Enumerable.Range(0, 12).Select(i => Frame(i, key: i == 0, packets: 3)).ToList();
        var duplicates = 0;
        var released = new List<uint>();
        for (var i = 0; i < frames.Count; i++)
        {
            var now = s_frame * i;

            // The previous frame's middle packet arrives only after this frame's first and last; a first packet twice.
            var packets = frames[i];
            Push(buffer, packets[0], now);
            Push(buffer, packets[2], now);
            if (i > 0)
            {
                Push(buffer, frames[i - 1][1], now);
            }

            if (i == frames.Count - 1)
            {
                Push(buffer, packets[1], now);
            }

            Push(buffer, packets[0], now);
            duplicates++;
            released.AddRange(ReadAll(buffer, now).Select(f => f.Timestamp));
        }

        released.AddRange(ReadAll(buffer, TimeSpan.FromSeconds(5)).Select(f => f.Timestamp));
        Assert.That(released, Is.EqualTo(Enumerable.Range(0, 12).Select(i => (uint)i * FrameTicks)));
        Assert.That(buffer.FramesDropped, Is.Zero);
        Assert.That(buffer.PacketsDuplicateOrLate, Is.EqualTo(duplicates));
        Assert.That(buffer.EmittedCount, Is.EqualTo(12));
    }

    [Test]
    public void Push_SequenceAndTimestampWrapAround_FramesFlowOnScheduleAcrossTheWrap()
    {
        using var buffer = Video();
        const ushort FirstSequence = 65530;
        const uint FirstTimestamp = uint.MaxValue - (3 * FrameTicks) + 1;
        var releasedAt = new List<(uint Timestamp, TimeSpan At)>();
        var sequence = FirstSequence;
        for (var i = 0; i < 10; i++)
        {
            var now = s_frame * i;
            var timestamp = unchecked(FirstTimestamp + ((uint)i * FrameTicks));
            foreach (var packet in Frame(ref sequence, timestamp, key: i == 0, packets: 2))
            {
                Push(buffer, packet, now);
            }

            releasedAt.AddRange(ReadAll(buffer, now).Select(f => (f.Timestamp, now)));
        }

        Assert.That(releasedAt.Select(r => r.Timestamp), Is.EqualTo(Enumerable.Range(0, 10).Select(i => unchecked(FirstTimestamp + ((uint)i * FrameTicks)))));
        Assert.That(releasedAt.Select(r => r.At), Is.EqualTo(Enumerable.Range(0, 10).Select(i => s_frame * i)), "released as they arrived (no delay needed)");
        Assert.That(sequence, Is.EqualTo(unchecked((ushort)(FirstSequence + 20))), "the sequence numbers wrapped");
    }

    [TestCase(0)]
    [TestCase(200)]
    public void TryRead_Target_FramesReleasedThatLongAfterTheirExpectedArrival(int targetMs)
    {
        using var buffer = Video();
        buffer.Target = TimeSpan.FromMilliseconds(targetMs);
        var arrivals = new Dictionary<uint, TimeSpan>();
        var releases = new Dictionary<uint, TimeSpan>();
        for (var ms = 0; ms <= 1000; ms++)
        {
            var now = TimeSpan.FromMilliseconds(ms);
            if (ms % 30 == 0 && ms / 30 < 10)
            {
                var frame = Frame(ms / 30, key: ms == 0, packets: 1);
                arrivals[frame[0].Timestamp] = now;
                Push(buffer, frame[0], now);
                var oldest = arrivals.Keys.Where(k => !releases.ContainsKey(k)).Min();
                Assert.That(buffer.NextTimeout, Is.EqualTo(arrivals[oldest] + TimeSpan.FromMilliseconds(targetMs)), "due when the oldest held frame is");
            }

            foreach (var frame in ReadAll(buffer, now))
            {
                releases[frame.Timestamp] = now;
            }
        }

        Assert.That(releases.Keys, Is.EquivalentTo(arrivals.Keys));
        Assert.That(arrivals.Keys.Select(t => releases[t] - arrivals[t]), Has.All.EqualTo(TimeSpan.FromMilliseconds(targetMs)));
        Assert.That(buffer.CurrentDelay, Is.EqualTo(TimeSpan.FromMilliseconds(targetMs)));
        Assert.That(buffer.MinimumDelay, Is.EqualTo(TimeSpan.Zero), "a steady network needs no delay of its own");
        Assert.That(buffer.TotalDelay, Is.EqualTo(10 * targetMs / 1000.0).Within(1e-9));
        Assert.That(buffer.TotalTargetDelay, Is.EqualTo(10 * targetMs / 1000.0).Within(1e-9));
        Assert.That(buffer.TotalMinimumDelay, Is.Zero);
    }

    [Test]
    public void Target_LoweredWhileFramesAreHeld_TheyAreReleasedAtOnce()
    {
        using var buffer = Video();
        buffer.Target = TimeSpan.FromMilliseconds(500);
        for (var i = 0; i < 3; i++)
        {
            Push(buffer, Frame(i, key: i == 0, packets: 1)[0], s_frame * i);
        }

        var now = TimeSpan.FromMilliseconds(100);
        Assert.That(ReadAll(buffer, now), Is.Empty);
        Assert.That(buffer.HeldFrames, Is.EqualTo(3));

        buffer.Target = TimeSpan.Zero;

        Assert.That(ReadAll(buffer, now), Has.Count.EqualTo(3));
    }

    [TestCase(-1)]
    [TestCase(4001)]
    public void Target_OutsideZeroTo4000Ms_ThrowsRangeError(int milliseconds)
    {
        using var buffer = Video();
        var receiver = new RTCRtpReceiver(new RemoteMediaTrack(MediaStreamTrackKind.Video, null, null, new ManualTimeProvider()));

        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Target = TimeSpan.FromMilliseconds(milliseconds));
        Assert.Throws<ArgumentOutOfRangeException>(() => receiver.JitterBufferTarget = TimeSpan.FromMilliseconds(milliseconds));
        Assert.That(buffer.Target, Is.Null);
        Assert.That(receiver.JitterBufferTarget, Is.Null);
    }

    [Test]
    public void Target_ZeroAnd4000MsAndNull_Accepted()
    {
        var receiver = new RTCRtpReceiver(new RemoteMediaTrack(MediaStreamTrackKind.Video, null, null, new ManualTimeProvider()));

        receiver.JitterBufferTarget = TimeSpan.FromMilliseconds(4000);
        Assert.That(receiver.JitterBufferTarget, Is.EqualTo(TimeSpan.FromMilliseconds(4000)));
        receiver.JitterBufferTarget = TimeSpan.Zero;
        Assert.That(receiver.JitterBufferTarget, Is.EqualTo(TimeSpan.Zero));
        receiver.JitterBufferTarget = null;
        Assert.That(receiver.JitterBufferTarget, Is.Null);
    }

    [Test]
    public void Push_GapNeverRepaired_FrameDroppedAtItsDeadline_DeltasUntilTheNextKeyFrameDropped_KeyFrameFlows()
    {
        using var buffer = Video();
        var f0 = Frame(0, key: true, packets: 3);
        var f1 = Frame(1, key: false, packets: 3);
        var f2 = Frame(2, key: false, packets: 3);
        f0.ForEach(p => Push(buffer, p, TimeSpan.Zero));
        Assert.That(ReadAll(buffer, TimeSpan.Zero), Has.Count.EqualTo(1));

        Push(buffer, f1[0], s_frame);
        Push(buffer, f1[2], s_frame); // f1[1] is lost for good
        f2.ForEach(p => Push(buffer, p, s_frame * 2));
        var deadline = s_frame + TimeSpan.FromMilliseconds(300); // playout (30 ms, no delay needed) + the repair wait

        Assert.That(buffer.NextTimeout, Is.EqualTo(deadline));
        Assert.That(ReadAll(buffer, deadline - TimeSpan.FromTicks(1)), Is.Empty);
        Assert.That(buffer.PendingPackets, Is.EqualTo(4), "f2 waits behind the gap: decode order");
        Assert.That(buffer.FramesDropped, Is.Zero);
        Assert.That(buffer.TakeKeyFrameRequest(), Is.False);

        Assert.That(ReadAll(buffer, deadline), Is.Empty, "f1 cannot complete, f2 cannot be decoded without it");
        Assert.That(buffer.FramesDropped, Is.EqualTo(2));
        Assert.That(buffer.PacketsLost, Is.EqualTo(1));
        Assert.That(buffer.WaitingForKeyFrame, Is.True);
        Assert.That(buffer.TakeKeyFrameRequest(), Is.True, "a key frame is asked for");
        Assert.That(buffer.TakeKeyFrameRequest(), Is.False, "once");
        Assert.That(buffer.PendingPackets, Is.Zero);
        Assert.That(buffer.NextTimeout, Is.Null);

        // The lost packet shows up after all: too late, ignored. A delta still waits; the next key frame flows.
        Push(buffer, f1[1], deadline + s_frame);
        Assert.That(buffer.PacketsDuplicateOrLate, Is.EqualTo(1));
        var sequence = (ushort)9;
        Frame(ref sequence, 11 * FrameTicks, key: false, packets: 2).ForEach(p => Push(buffer, p, s_frame * 11));
        Assert.That(ReadAll(buffer, s_frame * 11), Is.Empty);
        Assert.That(buffer.FramesDropped, Is.EqualTo(3));
        Assert.That(buffer.TakeKeyFrameRequest(), Is.False, "asked once, not per dropped delta");
        Frame(ref sequence, 12 * FrameTicks, key: true, packets: 2).ForEach(p => Push(buffer, p, s_frame * 12));
        Frame(ref sequence, 13 * FrameTicks, key: false, packets: 2).ForEach(p => Push(buffer, p, s_frame * 13));
        var flowing = ReadAll(buffer, s_frame * 13);
        Assert.That(flowing.Select(f => (f.Timestamp, f.IsKeyFrame)), Is.EqualTo(new[] { (12 * FrameTicks, true), (13 * FrameTicks, false) }));
        Assert.That(buffer.WaitingForKeyFrame, Is.False);
    }

    [Test]
    public void Push_KeyFrameDoesNotCome_RequestRepeatedAfterTheRetryInterval()
    {
        using var buffer = Video();
        Frame(0, key: false, packets: 1).ForEach(p => Push(buffer, p, TimeSpan.Zero));
        Assert.That(buffer.TakeKeyFrameRequest(), Is.True, "delta frames before the first key frame");
        Frame(1, key: false, packets: 1).ForEach(p => Push(buffer, p, TimeSpan.FromMilliseconds(250)));
        Assert.That(buffer.TakeKeyFrameRequest(), Is.False, "within the retry interval (500 ms)");
        Frame(2, key: false, packets: 1).ForEach(p => Push(buffer, p, TimeSpan.FromMilliseconds(500)));
        Assert.That(buffer.TakeKeyFrameRequest(), Is.True);
        Assert.That(buffer.FramesDropped, Is.EqualTo(3));
        Assert.That(ReadAll(buffer, TimeSpan.FromSeconds(2)), Is.Empty);
    }

    [Test]
    public void Push_AudioGap_NeverWaitsForAKeyFrame_LaterFramesFlowAfterTheShortRepairWait()
    {
        using var buffer = Audio();
        Push(buffer, Opus(0, 0), TimeSpan.Zero);
        Push(buffer, Opus(2, 1920), TimeSpan.FromMilliseconds(40)); // sequence 1 lost
        Assert.That(ReadAll(buffer, TimeSpan.FromMilliseconds(40)), Has.Count.EqualTo(1));
        Assert.That(buffer.NextTimeout, Is.EqualTo(TimeSpan.FromMilliseconds(60)), "the last frame's playout (0) + 60 ms");

        Assert.That(ReadAll(buffer, TimeSpan.FromMilliseconds(60)).Select(f => f.Timestamp), Is.EqualTo(new[] { 1920u }));
        Assert.That(buffer.TakeKeyFrameRequest(), Is.False);
        Assert.That(buffer.FramesDropped, Is.Zero, "a lost audio packet is a lost frame, not a dropped one");
    }

    [Test]
    public void RemoteMediaTrack_VideoWaitsOnAGap_AudioTrackKeepsDelivering()
    {
        var clock = new ManualTimeProvider();
        var video = new RemoteMediaTrack(MediaStreamTrackKind.Video, null, null, clock);
        var audio = new RemoteMediaTrack(MediaStreamTrackKind.Audio, null, null, clock);
        var sequence = (ushort)0;
        Deliver(video, Frame(ref sequence, 0, key: true, packets: 2));
        var f1 = Frame(ref sequence, FrameTicks, key: false, packets: 3);
        Deliver(video, [f1[0], f1[2]]); // f1[1] missing: video waits for its repair

        for (var i = 0; i < 10; i++)
        {
            var packet = Opus((ushort)i, (uint)(i * 960));
            audio.Deliver(packet.Payload, 0, packet.Payload.Length, 111, packet.Sequence, packet.Timestamp, 2, true, RTCRtpCodec.Opus);
            Assert.That(audio.FramesReceived, Is.EqualTo(i + 1), "each audio frame at once");
            clock.Advance(TimeSpan.FromMilliseconds(20));
        }

        Assert.That(video.FramesReceived, Is.EqualTo(1));
        Assert.That(video.JitterBufferPendingPackets, Is.EqualTo(1));
        clock.Advance(TimeSpan.FromMilliseconds(200)); // past f1's deadline: the track's own timer gives it up
        Assert.That(video.JitterBufferPendingPackets, Is.Zero);
        Assert.That(video.FramesDropped, Is.EqualTo(1));
    }

    [Test]
    public void Push_MoreFramesThanTheBound_AudioDropsTheOldest_VideoStartsAgainAtAKeyFrame()
    {
        var audioOptions = new JitterBufferOptions { ClockRate = 48000, IsVideo = false, MaxFrames = 4, Assembler = RtpCodecFactory.CreateAssemblerOptions("opus") };
        using var audio = new JitterBuffer(new OpusDepacketizer(), audioOptions) { Target = TimeSpan.FromSeconds(1) };
        for (var i = 0; i < 10; i++)
        {
            Push(audio, Opus((ushort)i, (uint)(i * 960)), TimeSpan.FromMilliseconds(20 * i));
        }

        Assert.That(audio.HeldFrames, Is.EqualTo(4));
        Assert.That(audio.FramesOverflowed, Is.EqualTo(6));
        Assert.That(ReadAll(audio, TimeSpan.FromSeconds(5)).Select(f => f.Timestamp), Is.EqualTo(new uint[] { 6 * 960, 7 * 960, 8 * 960, 9 * 960 }));

        var videoOptions = new JitterBufferOptions { MaxFrames = 4, Assembler = RtpCodecFactory.CreateAssemblerOptions("VP8") };
        using var video = new JitterBuffer(new Vp8Depacketizer(), videoOptions) { Target = TimeSpan.FromSeconds(1) };
        for (var i = 0; i < 10; i++)
        {
            Frame(i, key: i is 0 or 7, packets: 1).ForEach(p => Push(video, p, s_frame * i));
        }

        Assert.That(video.FramesOverflowed, Is.EqualTo(4), "the four held frames");
        Assert.That(video.FramesDropped, Is.EqualTo(7), "and the deltas until the key frame");
        Assert.That(ReadAll(video, TimeSpan.FromSeconds(5)).Select(f => f.Timestamp), Is.EqualTo(new[] { 7 * FrameTicks, 8 * FrameTicks, 9 * FrameTicks }));
    }

    [Test]
    public void Push_LateFrames_MinimumDelayFollowsTheNetwork_AndStaysUnderItsCap()
    {
        using var buffer = Video();
        for (var i = 0; i < 60; i++)
        {
            var late = i % 10 == 5 ? TimeSpan.FromMilliseconds(80) : TimeSpan.Zero; // every tenth frame 80 ms late
            Frame(i, key: i == 0, packets: 1).ForEach(p => Push(buffer, p, (s_frame * i) + late));
            ReadAll(buffer, (s_frame * i) + late);
        }

        Assert.That(buffer.MinimumDelay, Is.GreaterThan(TimeSpan.FromMilliseconds(50)).And.LessThanOrEqualTo(TimeSpan.FromMilliseconds(80)));
        Assert.That(buffer.CurrentDelay, Is.EqualTo(buffer.MinimumDelay), "no target: the network's delay");
        buffer.Target = TimeSpan.FromMilliseconds(300);
        Assert.That(buffer.CurrentDelay, Is.EqualTo(TimeSpan.FromMilliseconds(300)));
    }

    [Test]
    public void PushAndTryRead_AfterWarmUp_AllocateNothingPerPacket()
    {
        using var buffer = Video();
        var frames = Enumerable.Range(0, 64).Select(i => Frame(i, key: i % 32 == 0, packets: 4)).ToList();
        var round = 0;
        void Run()
        {
            foreach (var frame in frames)
            {
                var now = TimeSpan.FromMilliseconds(30 * round);
                var timestamp = (uint)round * FrameTicks;
                for (var p = 0; p < frame.Count; p++)
                {
                    var packet = frame[p];
                    buffer.Push((ushort)((round * 4) + p), timestamp, packet.Marker, packet.Payload, now);
                }

                while (buffer.TryRead(now, out _))
                {
                }

                round++;
            }
        }

        Run();
        Run();
        var best = long.MaxValue;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            Run();
            best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.That(best, Is.Zero);
        Assert.That(buffer.EmittedCount, Is.EqualTo(5 * 64));
    }

    [Test]
    public void Push_RandomPacketsAndTimes_NeverThrows_StaysBounded()
    {
        var random = new Random(1234);
        using var buffer = Video();
        var now = TimeSpan.Zero;
        var sequence = (ushort)random.Next(65536);
        var timestamp = (uint)random.Next();
        var payload = new byte[300];
        for (var i = 0; i < 20_000; i++)
        {
            sequence = (ushort)(sequence + random.Next(-3, random.Next(10) == 0 ? 3000 : 4));
            timestamp = unchecked((uint)(timestamp + random.Next(-3000, random.Next(20) == 0 ? 1 << 30 : 6000)));
            random.NextBytes(payload);
            payload[0] = (byte)(random.Next(2) == 0 ? 0x10 : payload[0]);
            now += TimeSpan.FromMilliseconds(random.Next(0, 15));
            if (random.Next(50) == 0)
            {
                buffer.Target = random.Next(3) == 0 ? null : TimeSpan.FromMilliseconds(random.Next(0, 4001));
            }

            buffer.Push(sequence, timestamp, random.Next(4) == 0, payload.AsSpan(0, random.Next(payload.Length)), now);
            while (buffer.TryRead(now, out _))
            {
            }

            Assert.That(buffer.HeldFrames, Is.LessThanOrEqualTo(300));
            Assert.That(buffer.PendingPackets, Is.LessThanOrEqualTo(512));
        }

        Assert.That(buffer.EmittedCount + buffer.FramesDropped, Is.GreaterThan(0));
    }

    private static JitterBuffer Video() => new(new Vp8Depacketizer(), JitterBufferOptions.For("VP8"));

    private static JitterBuffer Audio() => new(new OpusDepacketizer(), JitterBufferOptions.For("opus"));

    private static void Push(JitterBuffer buffer, Packet packet, TimeSpan now) =>
        buffer.Push(packet.Sequence, packet.Timestamp, packet.Marker, packet.Payload, now);

    private static void Deliver(RemoteMediaTrack track, List<Packet> packets)
    {
        foreach (var packet in packets)
        {
            track.Deliver(packet.Payload, 0, packet.Payload.Length, 96, packet.Sequence, packet.Timestamp, 1, packet.Marker, RTCRtpCodec.Vp8);
        }
    }

    private static List<JitterBufferFrame> ReadAll(JitterBuffer buffer, TimeSpan now)
    {
        var frames = new List<JitterBufferFrame>();
        while (buffer.TryRead(now, out var frame))
        {
            frames.Add(frame with { Data = frame.Data.ToArray() });
        }

        return frames;
    }

    // Frame i of a 30 ms video stream of frames of the same packet count: sequence numbers packets * i onwards.
    private static List<Packet> Frame(int index, bool key, int packets)
    {
        var sequence = (ushort)(packets * index);
        return Frame(ref sequence, (uint)index * FrameTicks, key, packets);
    }

    // VP8 (RFC 7741): the first packet has the S bit and the frame header, the rest continue; the marker ends the frame.
    private static List<Packet> Frame(ref ushort sequence, uint timestamp, bool key, int packets)
    {
        var list = new List<Packet>();
        for (var p = 0; p < packets; p++)
        {
            byte[] payload = p == 0 ? [0x10, .. SyntheticVp8.Frame(key, 40, seed: (int)timestamp)] : [0x00, .. Enumerable.Repeat((byte)p, 40)];
            list.Add(new Packet(sequence++, timestamp, p == packets - 1, payload));
        }

        return list;
    }

    private static Packet Opus(ushort sequence, uint timestamp) => new(sequence, timestamp, true, [11 << 3, 1, 2, 3]);

    private sealed record Packet(ushort Sequence, uint Timestamp, bool Marker, byte[] Payload);
}
