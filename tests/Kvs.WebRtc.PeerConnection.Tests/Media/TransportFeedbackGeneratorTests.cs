using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection.Rtcp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Media;

/// <summary>
/// <see cref="TransportFeedbackGenerator"/> driven directly with sequence numbers and times; every feedback it writes is
/// parsed back with <see cref="RtcpTransportFeedback"/> and its reader.
/// </summary>
[TestFixture]
public sealed class TransportFeedbackGeneratorTests
{
    private const uint Sender = 0x11223344;
    private const uint Media = 0xAABBCCDD;
    private static readonly TimeSpan s_start = TimeSpan.FromSeconds(10);

    [Test]
    public void OnPacketReceived_InOrder_NoFeedbackBeforeTheInterval_ThenOneWithEveryPacketAndItsArrival()
    {
        var generator = new TransportFeedbackGenerator(Sender);
        for (var i = 0; i < 10; i++)
        {
            generator.OnPacketReceived((ushort)(100 + i), Media, s_start + TimeSpan.FromMilliseconds(i * 2));
        }

        var buffer = new byte[1500];
        Assert.That(generator.NextTimeout, Is.EqualTo(s_start + TransportFeedbackGenerator.DefaultInterval), "first arrival + 50 ms");
        Assert.That(generator.TryPollFeedback(s_start + TimeSpan.FromMilliseconds(49), buffer, out _), Is.False);

        var all = PollAll(generator, s_start + TimeSpan.FromMilliseconds(50), buffer);

        Assert.That(all, Has.Count.EqualTo(1));
        var (header, statuses, _) = all[0];
        Assert.That(header, Is.EqualTo((Sender, Media, (ushort)100, 10, (byte)0)));
        Assert.That(statuses.Select(s => s.SequenceNumber), Is.EqualTo(Enumerable.Range(100, 10).Select(i => (ushort)i)));
        Assert.That(statuses.All(s => s.Received), Is.True);
        var first = statuses[0].ArrivalTime;
        Assert.That(statuses.Select(s => (s.ArrivalTime - first).TotalMilliseconds), Is.EqualTo(Enumerable.Range(0, 10).Select(i => i * 2.0)));
        Assert.That(generator.NextTimeout, Is.Null, "nothing left to report");
        Assert.That(generator.FeedbackPacketsSent, Is.EqualTo(1));
    }

    [Test]
    public void TryPollFeedback_SuccessiveIntervals_ContinueWhereTheLastStopped_AndTheFeedbackCountIncrements()
    {
        var generator = new TransportFeedbackGenerator(Sender);
        var buffer = new byte[1500];
        var now = s_start;
        ushort seq = 65000;
        var counts = new List<byte>();
        var bases = new List<ushort>();
        for (var round = 0; round < 300; round++)
        {
            for (var i = 0; i < 5; i++)
            {
                generator.OnPacketReceived(seq++, Media, now);
                now += TimeSpan.FromMilliseconds(10);
            }

            foreach (var (header, statuses, _) in PollAll(generator, now, buffer))
            {
                counts.Add(header.Count);
                bases.Add(header.Base);
                Assert.That(statuses.All(s => s.Received), Is.True);
            }
        }

        Assert.That(counts, Has.Count.EqualTo(300));
        Assert.That(counts.Select((c, i) => c == (byte)i), Is.All.True, "0, 1, ..., 255, 0, ... (wraps at 256)");
        Assert.That(bases.Select((b, i) => b == (ushort)(65000 + (i * 5))), Is.All.True, "each feedback starts after the last, across the 16-bit wrap");
    }

    [Test]
    public void OnPacketReceived_AcrossTheSequenceWrap_OneFeedbackFrom65530To5()
    {
        var generator = new TransportFeedbackGenerator(Sender);
        var sequence = Enumerable.Range(65530, 6).Concat(Enumerable.Range(0, 6)).Select(i => (ushort)i).ToList();
        for (var i = 0; i < sequence.Count; i++)
        {
            generator.OnPacketReceived(sequence[i], Media, s_start + TimeSpan.FromMilliseconds(i));
        }

        var all = PollAll(generator, s_start + TimeSpan.FromSeconds(1), new byte[1500]);

        Assert.That(all, Has.Count.EqualTo(1));
        Assert.That(all[0].Header.Base, Is.EqualTo(65530));
        Assert.That(all[0].Statuses.Select(s => s.SequenceNumber), Is.EqualTo(sequence));
        Assert.That(all[0].Statuses.All(s => s.Received), Is.True);
    }

    [Test]
    public void OnPacketReceived_Gap_AsksForEarlyFeedback_AndReportsTheMissingAsNotReceived()
    {
        var generator = new TransportFeedbackGenerator(Sender);
        var buffer = new byte[1500];
        generator.OnPacketReceived(1, Media, s_start);
        Assert.That(PollAll(generator, s_start + TimeSpan.FromMilliseconds(50), buffer), Has.Count.EqualTo(1));

        var t = s_start + TimeSpan.FromMilliseconds(80);
        generator.OnPacketReceived(2, Media, t);
        Assert.That(generator.NextTimeout, Is.EqualTo(t + TimeSpan.FromMilliseconds(50)), "in order: the regular interval");
        generator.OnPacketReceived(5, Media, t + TimeSpan.FromMilliseconds(1));
        Assert.That(generator.NextTimeout, Is.EqualTo(t + TimeSpan.FromMilliseconds(1)), "a gap: now (the last feedback was over 20 ms ago)");

        var all = PollAll(generator, t + TimeSpan.FromMilliseconds(1), buffer);

        Assert.That(all.Single().Statuses.Select(s => (s.SequenceNumber, s.Received)),
            Is.EqualTo(new[] { ((ushort)2, true), ((ushort)3, false), ((ushort)4, false), ((ushort)5, true) }));
        generator.OnPacketReceived(7, Media, t + TimeSpan.FromMilliseconds(2));
        Assert.That(generator.NextTimeout, Is.EqualTo(t + TimeSpan.FromMilliseconds(21)), "another gap: not before 20 ms after the last feedback");
    }

    [Test]
    public void OnPacketReceived_PacketReportedLostArrivesLate_IsReportedAgainAsReceived()
    {
        var generator = new TransportFeedbackGenerator(Sender);
        var buffer = new byte[1500];
        generator.OnPacketReceived(10, Media, s_start);
        generator.OnPacketReceived(12, Media, s_start + TimeSpan.FromMilliseconds(1));
        var first = PollAll(generator, s_start + TimeSpan.FromMilliseconds(50), buffer).Single();
        Assert.That(first.Statuses.Select(s => s.Received), Is.EqualTo(new[] { true, false, true }));

        generator.OnPacketReceived(11, Media, s_start + TimeSpan.FromMilliseconds(60));
        generator.OnPacketReceived(13, Media, s_start + TimeSpan.FromMilliseconds(61));
        var second = PollAll(generator, s_start + TimeSpan.FromMilliseconds(200), buffer).Single();

        Assert.That(second.Header.Base, Is.EqualTo(11));
        Assert.That(second.Statuses.Select(s => (s.SequenceNumber, s.Received)),
            Is.EqualTo(new[] { ((ushort)11, true), ((ushort)12, true), ((ushort)13, true) }));
        Assert.That(second.Statuses[0].ArrivalTime - second.Statuses[2].ArrivalTime, Is.EqualTo(TimeSpan.FromMilliseconds(-1)), "negative delta of the late one kept");
    }

    [Test]
    public void TryPollFeedback_WholeRingOfPackets_SplitsIntoPacketsUnderTheSizeLimitCoveringEverySequenceOnce()
    {
        var generator = new TransportFeedbackGenerator(Sender);
        var random = new Random(7);
        var expected = new List<ushort>();
        var now = s_start;
        for (var i = 0; i < generator.Capacity; i++)
        {
            // Irregular spacing (large deltas) and ~10 % loss: the worst case for the packet size.
            now += TimeSpan.FromMicroseconds(random.Next(0, 200_000));
            if (random.Next(10) == 0)
            {
                continue;
            }

            generator.OnPacketReceived((ushort)i, Media, now);
            expected.Add((ushort)i);
        }

        var buffer = new byte[1500];
        var all = PollAll(generator, now + TimeSpan.FromSeconds(1), buffer);

        Assert.That(all.Count, Is.GreaterThan(1));
        Assert.That(all.Select(f => f.Size), Is.All.LessThanOrEqualTo(RtcpTransportFeedbackBuilder.DefaultMaxPacketSize));
        var statuses = all.SelectMany(f => f.Statuses).ToList();
        Assert.That(statuses.Where(s => s.Received).Select(s => s.SequenceNumber), Is.EqualTo(expected));
        Assert.That(all.Zip(all.Skip(1)).All(p => p.Second.Header.Base == (ushort)(p.First.Header.Base + p.First.Header.StatusCount)), Is.True,
            "each packet starts where the previous ended");
    }

    [Test]
    public void OnPacketReceived_JumpOfAWholeRing_StartsAFreshWindowAndCountsTheDropped()
    {
        var generator = new TransportFeedbackGenerator(Sender, capacity: 64);
        for (var i = 0; i < 10; i++)
        {
            generator.OnPacketReceived((ushort)i, Media, s_start);
        }

        generator.OnPacketReceived(5000, Media, s_start);
        var all = PollAll(generator, s_start + TimeSpan.FromSeconds(1), new byte[1500]);

        Assert.That(generator.PacketsDropped, Is.EqualTo(10));
        Assert.That(all.Single().Header.Base, Is.EqualTo(5000));
        Assert.That(all.Single().Header.StatusCount, Is.EqualTo(1));
    }

    [Test]
    public void OnPacketReceived_OldAndDuplicate_AreIgnored()
    {
        var generator = new TransportFeedbackGenerator(Sender, capacity: 64);
        for (var i = 100; i < 200; i++)
        {
            generator.OnPacketReceived((ushort)i, Media, s_start);
        }

        generator.OnPacketReceived(120, Media, s_start);
        generator.OnPacketReceived(199, Media, s_start);

        Assert.That(generator.PacketsIgnored, Is.EqualTo(2), "older than the 64-slot ring, and a duplicate");
        Assert.That(generator.PacketsDropped, Is.EqualTo(36), "the ring holds the last 64 unreported");
    }

    [Test]
    public void OnPacketReceived_SeededFloodOfRandomSequenceNumbers_NeverThrows_MemoryStaysBounded_FeedbackParses()
    {
        var generator = new TransportFeedbackGenerator(Sender);
        var random = new Random(11);
        var buffer = new byte[1500];
        var now = s_start;
        var packets = 0;
        for (var round = 0; round < 200; round++)
        {
            for (var i = 0; i < 500; i++)
            {
                var seq = random.Next(4) == 0 ? (ushort)random.Next(65536) : (ushort)(round * 500 + i);
                now += TimeSpan.FromMicroseconds(random.Next(0, 3000));
                generator.OnPacketReceived(seq, (uint)random.Next(), now);
            }

            now += TimeSpan.FromMilliseconds(50);
            foreach (var feedback in PollAll(generator, now, buffer))
            {
                Assert.That(feedback.Size, Is.LessThanOrEqualTo(RtcpTransportFeedbackBuilder.DefaultMaxPacketSize));
                Assert.That(feedback.Header.StatusCount, Is.LessThanOrEqualTo(2 * generator.Capacity));
                packets++;
            }
        }

        Assert.That(packets, Is.GreaterThanOrEqualTo(200), "at least one per interval");
        Assert.That(generator.PacketsRecorded + generator.PacketsIgnored, Is.EqualTo(100_000));
    }

    [Test]
    public void OnPacketReceivedAndTryPollFeedback_AfterWarmUp_AllocateNothing()
    {
        var generator = new TransportFeedbackGenerator(Sender);
        var buffer = new byte[1500];
        var now = s_start;
        ushort seq = 0;
        void Run()
        {
            for (var round = 0; round < 100; round++)
            {
                for (var i = 0; i < 20; i++)
                {
                    generator.OnPacketReceived(seq++, Media, now);
                    now += TimeSpan.FromMilliseconds(3);
                }

                while (generator.TryPollFeedback(now, buffer, out _))
                {
                }
            }
        }

        Run();
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run();

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
        Assert.That(generator.FeedbackPacketsSent, Is.EqualTo(200));
    }

    [TestCase(0)]
    [TestCase(63)]
    [TestCase(100)]
    [TestCase(32768)]
    public void Constructor_CapacityNotAPowerOfTwoInRange_Throws(int capacity) =>
        Assert.That(() => new TransportFeedbackGenerator(Sender, capacity: capacity), Throws.TypeOf<ArgumentOutOfRangeException>());

    private static List<((uint Sender, uint Media, ushort Base, int StatusCount, byte Count) Header, List<RtcpTransportFeedbackStatus> Statuses, int Size)> PollAll(
        TransportFeedbackGenerator generator, TimeSpan now, byte[] buffer)
    {
        var result = new List<((uint, uint, ushort, int, byte), List<RtcpTransportFeedbackStatus>, int)>();
        for (var guard = 0; guard < 1000 && generator.TryPollFeedback(now, buffer, out var length); guard++)
        {
            Assert.That(RtcpTransportFeedback.TryParse(buffer.AsSpan(0, length), out var feedback), Is.True, "parses back");
            var statuses = new RtcpTransportFeedbackStatus[feedback.PacketStatusCount];
            Assert.That(feedback.CopyStatuses(statuses), Is.EqualTo(statuses.Length));
            result.Add(((feedback.SenderSsrc, feedback.MediaSsrc, feedback.BaseSequenceNumber, feedback.PacketStatusCount, feedback.FeedbackPacketCount),
                statuses.ToList(), length));
        }

        return result;
    }
}
