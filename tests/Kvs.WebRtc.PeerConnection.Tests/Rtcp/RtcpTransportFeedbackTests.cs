using Kvs.WebRtc.PeerConnection.Rtcp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Rtcp;

[TestFixture]
public sealed class RtcpTransportFeedbackTests
{
    private static readonly TimeSpan s_tick = TimeSpan.FromMicroseconds(250);

    [Test]
    public void TryParse_ChromiumSample_ReadsRunLengthChunkAndDeltas()
    {
        Assert.That(RtcpTransportFeedback.TryParse(RtcpSamples.ChromiumTwcc, out var fb), Is.True);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(fb.SenderSsrc, Is.EqualTo(1u));
            Assert.That(fb.MediaSsrc, Is.EqualTo(0xdd586eb6u));
            Assert.That(fb.BaseSequenceNumber, Is.EqualTo(1));
            Assert.That(fb.PacketStatusCount, Is.EqualTo(9));
            Assert.That(fb.ReferenceTimeRaw, Is.EqualTo(6197520u));
            Assert.That(fb.FeedbackPacketCount, Is.Zero);
            Assert.That(fb.ReceivedCount, Is.EqualTo(9));
        }
        var statuses = new RtcpTransportFeedbackStatus[16];
        Assert.That(fb.CopyStatuses(statuses), Is.EqualTo(9));
        double[] expectedMs = [7, 3, 11, 14, 0, 1, 0, 2, 6];
        var arrival = fb.ReferenceTime;
        for (var i = 0; i < 9; i++)
        {
            arrival += TimeSpan.FromMilliseconds(expectedMs[i]);
            Assert.That(statuses[i].SequenceNumber, Is.EqualTo(i + 1));
            Assert.That(statuses[i].Symbol, Is.EqualTo(RtcpTransportFeedbackSymbol.ReceivedSmallDelta));
            Assert.That(statuses[i].Delta, Is.EqualTo(TimeSpan.FromMilliseconds(expectedMs[i])));
            Assert.That(statuses[i].ArrivalTime, Is.EqualTo(arrival));
        }
    }

    [Test]
    public void TryParse_LargeDeltaSample_ReadsTwoRunLengthChunks()
    {
        Assert.That(RtcpTransportFeedback.TryParse(RtcpSamples.TwccLargeDeltas, out var fb), Is.True);
        Assert.That((fb.BaseSequenceNumber, fb.PacketStatusCount, fb.ReferenceTimeRaw, fb.FeedbackPacketCount), Is.EqualTo(((ushort)372, 6, 4567386u, (byte)64)));
        var statuses = new RtcpTransportFeedbackStatus[6];
        Assert.That(fb.CopyStatuses(statuses), Is.EqualTo(6));
        Assert.That(statuses.Select(s => s.Symbol), Is.EqualTo(new[]
        {
            RtcpTransportFeedbackSymbol.ReceivedLargeDelta, RtcpTransportFeedbackSymbol.ReceivedLargeDelta,
            RtcpTransportFeedbackSymbol.ReceivedSmallDelta, RtcpTransportFeedbackSymbol.ReceivedSmallDelta,
            RtcpTransportFeedbackSymbol.ReceivedSmallDelta, RtcpTransportFeedbackSymbol.ReceivedSmallDelta,
        }));
        Assert.That(statuses.Select(s => s.Delta.TotalMicroseconds), Is.EqualTo(new double[] { 2_047_500, 2_022_500, 52_000, 0, 52_000, 0 }));
    }

    [Test]
    public void TryParse_OneBitVectorSample_MarksLostPackets()
    {
        Assert.That(RtcpTransportFeedback.TryParse(RtcpSamples.TwccOneBitVector, out var fb), Is.True);
        Assert.That(fb.PacketStatusCount, Is.EqualTo(14));
        Assert.That(fb.ReceivedCount, Is.EqualTo(4));
        var statuses = new RtcpTransportFeedbackStatus[14];
        fb.CopyStatuses(statuses);
        Assert.That(statuses.Where(s => s.Received).Select(s => (int)s.SequenceNumber), Is.EqualTo(new[] { 1, 2, 3, 5 }));
        Assert.That(statuses.Where(s => s.Received).Select(s => s.Delta.TotalMilliseconds), Is.EqualTo(new double[] { 4, 3, 3, 4 }));
    }

    [Test]
    public void TryParse_DraftOneBitVectorExampleAndTwoBitVector_Decode()
    {
        // §3.1.4 example 1: 0x9F1C = 1-bit vector {NR, 5×small, 3×NR, 3×small, 2×NR}; then a 2-bit vector 0xC950 =
        // {NR, large, 3×small, NR, NR}. 8 + 3 one-byte deltas and one two-byte delta; 20 + 4 + 13 = 37, padded to 40.
        byte[] packet =
        [
            0x8f, 205, 0, 9, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 21, 0, 0, 1, 0, 0x9F, 0x1C, 0xC9, 0x50,
            4, 4, 4, 4, 4, 4, 4, 4, 0xFF, 0xF0, 4, 4, 4, 0, 0, 3,
        ];
        Assert.That(RtcpTransportFeedback.TryParse(packet, out var fb), Is.True);
        var statuses = new RtcpTransportFeedbackStatus[21];
        Assert.That(fb.CopyStatuses(statuses), Is.EqualTo(21));
        var symbols = string.Concat(statuses.Select(s => (int)s.Symbol));
        Assert.That(symbols, Is.EqualTo("01111100011100" + "0211100"));
        Assert.That(statuses[15].DeltaTicks, Is.EqualTo(-16), "large deltas are signed");
        Assert.That(statuses[15].ArrivalTime, Is.EqualTo(fb.ReferenceTime + (s_tick * ((8 * 4) - 16))));
    }

    [Test]
    public void TryParse_DraftTwoBitExampleWithReservedSymbol_IsRejected()
    {
        // §3.1.4 example 2 (0xCD50) carries symbol 11, which §3.1.1 reserves; libwebrtc never sends it.
        byte[] packet = [0x8f, 205, 0, 6, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 7, 0, 0, 1, 0, 0xCD, 0x50, 1, 1, 1, 0, 0, 2];
        Assert.That(RtcpTransportFeedback.TryParse(packet, out _), Is.False);
    }

    [Test]
    public void TryParse_HugeStatusCountWithShortBody_RejectedQuickly()
    {
        // 65535 statuses claimed, run-length chunk of 8191 small deltas, and no delta bytes.
        byte[] packet = [0x8f, 205, 0, 5, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0xFF, 0xFF, 0, 0, 1, 0, 0x3F, 0xFF, 0, 0];
        Assert.That(RtcpTransportFeedback.TryParse(packet, out _), Is.False);

        // 65535 "not received" in nine run-length chunks is legal and cheap.
        var lost = new byte[20 + 20];
        packet.AsSpan(0, 20).CopyTo(lost);
        lost[3] = 9;
        for (var i = 0; i < 9; i++)
        {
            lost[20 + (2 * i)] = 0x1F;
            lost[21 + (2 * i)] = 0xFF;
        }

        Assert.That(RtcpTransportFeedback.TryParse(lost, out var fb), Is.True);
        Assert.That(fb.ReceivedCount, Is.Zero);
        Assert.That(fb.CopyStatuses(new RtcpTransportFeedbackStatus[10]), Is.EqualTo(10));
    }

    [TestCase(new byte[] { 0x8f, 205, 0, 4, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 1, 0 }, TestName = "TryParse_ZeroStatusCount_ReturnsFalse")]
    [TestCase(new byte[] { 0x8f, 205, 0, 4, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 1, 0 }, TestName = "TryParse_NoChunks_ReturnsFalse")]
    [TestCase(new byte[] { 0x8f, 205, 0, 5, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 1, 0, 0x60, 0x01, 0, 0 }, TestName = "TryParse_ReservedSymbol_ReturnsFalse")]
    [TestCase(new byte[] { 0x8f, 205, 0, 5, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 1, 0, 0x40, 0x02, 0, 0 }, TestName = "TryParse_LargeDeltasPastEnd_ReturnsFalse")]
    [TestCase(new byte[] { 0x81, 205, 0, 5, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 1, 0, 0x20, 0x01, 0, 0 }, TestName = "TryParse_NackFormat_ReturnsFalse")]
    [TestCase(new byte[] { 0x8f, 205, 0, 5, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 1, 0 }, TestName = "TryParse_LengthPastInput_ReturnsFalse")]
    public void TryParse_Malformed(byte[] packet)
    {
        Assert.That(RtcpTransportFeedback.TryParse(packet, out _), Is.False);
    }

    [Test]
    public void Builder_GapsLargeAndNegativeDeltas_RoundTripThroughParser()
    {
        var random = new Random(1);
        var input = new List<(ushort Seq, TimeSpan Arrival)>();
        ushort seq = 65000; // crosses the 16-bit wrap
        var time = TimeSpan.FromSeconds(100);
        for (var i = 0; i < 800; i++)
        {
            seq += (ushort)(random.Next(10) == 0 ? random.Next(2, 40) : 1);
            var step = random.Next(20) switch
            {
                0 => TimeSpan.FromMilliseconds(-random.Next(1, 500)),   // reordered arrival: negative large delta
                1 => TimeSpan.FromMilliseconds(random.Next(64, 3000)),  // large positive delta
                2 => TimeSpan.FromSeconds(9),                            // not representable: forces a new feedback
                _ => TimeSpan.FromMicroseconds(random.Next(0, 4000)),
            };
            time += step;
            input.Add((seq, time));
        }

        var (packets, _) = BuildAll(input, RtcpTransportFeedbackBuilder.DefaultMaxPacketSize);
        Assert.That(packets.Count, Is.GreaterThan(1));
        var output = ParseAll(packets, out var sawVector1, out var sawVector2, out var sawRunLength);
        Assert.That(output.Keys, Is.EquivalentTo(input.Select(p => p.Seq)));
        foreach (var (s, arrival) in input)
        {
            var expected = TimeSpan.FromTicks(arrival.Ticks / 2500 * 2500);
            Assert.That(output[s], Is.EqualTo(expected), $"seq {s}");
        }

        Assert.That(sawRunLength && sawVector1 && sawVector2, Is.True, "all chunk kinds used");
    }

    [Test]
    public void Builder_SizeLimit_SplitsIntoPacketsWithinLimit()
    {
        var input = Enumerable.Range(0, 500).Select(i => ((ushort)(i * 2), TimeSpan.FromMilliseconds(i * 0.5))).ToList();
        var (packets, _) = BuildAll(input, 64);
        Assert.That(packets, Has.All.Matches<byte[]>(p => p.Length <= 64 && p.Length % 4 == 0));
        Assert.That(packets.Count, Is.GreaterThan(10));
        var output = ParseAll(packets, out _, out _, out _);
        Assert.That(output.Keys, Is.EquivalentTo(input.Select(p => p.Item1)));
    }

    [Test]
    public void Builder_ConsecutiveSmallDeltas_UseOneRunLengthChunk()
    {
        var builder = new RtcpTransportFeedbackBuilder();
        builder.Reset(1, 2, 7);
        for (var i = 0; i < 100; i++)
        {
            Assert.That(builder.TryAddReceivedPacket((ushort)(10 + i), TimeSpan.FromMilliseconds(640 + i)), Is.True);
        }

        var buffer = new byte[builder.Size];
        var n = builder.Write(buffer);
        Assert.That(n, Is.EqualTo(124), "20 + one chunk + 100 deltas, padded to 32 bits");
        Assert.That(buffer[20..22], Is.EqualTo(new byte[] { 0x20, 100 }));
        Assert.That(RtcpTransportFeedback.TryParse(buffer, out var fb), Is.True);
        Assert.That((fb.BaseSequenceNumber, fb.PacketStatusCount, fb.FeedbackPacketCount, fb.ReferenceTimeRaw), Is.EqualTo(((ushort)10, 100, (byte)7, 10u)));
    }

    [Test]
    public void Builder_ExplicitBase_ReportsLeadingLosses()
    {
        var builder = new RtcpTransportFeedbackBuilder();
        builder.Reset(1, 2, 0, baseSequenceNumber: 5);
        Assert.That(builder.TryAddReceivedPacket(8, TimeSpan.FromMilliseconds(10)), Is.True);
        Assert.That(builder.TryAddReceivedPacket(8, TimeSpan.FromMilliseconds(11)), Is.False, "duplicate");
        Assert.That(builder.TryAddReceivedPacket(7, TimeSpan.FromMilliseconds(11)), Is.False, "out of order");
        var buffer = new byte[builder.Size];
        builder.Write(buffer);
        Assert.That(buffer[0] & 0x20, Is.Not.Zero, "padded with the P bit");
        Assert.That(buffer[^1], Is.EqualTo(buffer.Length - 23));
        Assert.That(RtcpTransportFeedback.TryParse(buffer, out var fb), Is.True);
        var statuses = new RtcpTransportFeedbackStatus[4];
        Assert.That(fb.CopyStatuses(statuses), Is.EqualTo(4));
        Assert.That(statuses.Select(s => s.Received), Is.EqualTo(new[] { false, false, false, true }));
        Assert.That(statuses[3].SequenceNumber, Is.EqualTo(8));
    }

    [Test]
    public void Builder_EmptyOrNegativeTime_Throws()
    {
        var builder = new RtcpTransportFeedbackBuilder();
        builder.Reset(1, 2, 0);
        Assert.That(() => builder.Write(new byte[100]), Throws.InvalidOperationException);
        Assert.That(() => builder.TryAddReceivedPacket(1, TimeSpan.FromTicks(-1)), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new RtcpTransportFeedbackBuilder(10), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void BuilderAndParser_AllocationFree()
    {
        var builder = new RtcpTransportFeedbackBuilder();
        var buffer = new byte[RtcpTransportFeedbackBuilder.DefaultMaxPacketSize];
        var statuses = new RtcpTransportFeedbackStatus[256];
        var sum = 0;
        for (var i = 0; i < 10; i++)
        {
            sum += Round(builder, buffer, statuses, i);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 200; i++)
        {
            sum += Round(builder, buffer, statuses, i);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
        Assert.That(sum, Is.GreaterThan(0));

        static int Round(RtcpTransportFeedbackBuilder builder, byte[] buffer, RtcpTransportFeedbackStatus[] statuses, int round)
        {
            builder.Reset(1, 2, (byte)round);
            for (var k = 0; k < 100; k++)
            {
                builder.TryAddReceivedPacket((ushort)((round * 200) + (k * 2)), TimeSpan.FromMilliseconds(1000 + (k * 3)));
            }

            var n = builder.Write(buffer);
            return RtcpTransportFeedback.TryParse(buffer.AsSpan(0, n), out var fb) ? fb.CopyStatuses(statuses) : 0;
        }
    }

    internal static (List<byte[]> Packets, int FeedbackCount) BuildAll(IReadOnlyList<(ushort Seq, TimeSpan Arrival)> input, int maxSize)
    {
        var builder = new RtcpTransportFeedbackBuilder(maxSize);
        var packets = new List<byte[]>();
        byte count = 0;
        builder.Reset(1, 2, count++);
        foreach (var (seq, arrival) in input)
        {
            if (!builder.TryAddReceivedPacket(seq, arrival))
            {
                packets.Add(Flush(builder));
                builder.Reset(1, 2, count++);
                Assert.That(builder.TryAddReceivedPacket(seq, arrival), Is.True, "a fresh feedback accepts any packet");
            }
        }

        packets.Add(Flush(builder));
        return (packets, count);

        static byte[] Flush(RtcpTransportFeedbackBuilder builder)
        {
            var buffer = new byte[builder.Size];
            Assert.That(builder.Write(buffer), Is.EqualTo(buffer.Length));
            Assert.That(buffer.Length, Is.LessThanOrEqualTo(builder.MaxPacketSize));
            return buffer;
        }
    }

    private static Dictionary<ushort, TimeSpan> ParseAll(List<byte[]> packets, out bool sawVector1, out bool sawVector2, out bool sawRunLength)
    {
        sawVector1 = sawVector2 = sawRunLength = false;
        var output = new Dictionary<ushort, TimeSpan>();
        foreach (var packet in packets)
        {
            Assert.That(RtcpTransportFeedback.TryParse(packet, out var fb), Is.True);
            var statuses = new RtcpTransportFeedbackStatus[fb.PacketStatusCount];
            Assert.That(fb.CopyStatuses(statuses), Is.EqualTo(fb.PacketStatusCount));
            Assert.That(statuses[^1].Received, Is.True, "a feedback ends at a received packet");
            foreach (var s in statuses.Where(s => s.Received))
            {
                Assert.That(output.TryAdd(s.SequenceNumber, s.ArrivalTime), Is.True, $"seq {s.SequenceNumber} reported twice");
            }

            var statusesLeft = fb.PacketStatusCount;
            for (var offset = 20; statusesLeft > 0; offset += 2)
            {
                var chunk = (packet[offset] << 8) | packet[offset + 1];
                if ((chunk & 0x8000) == 0)
                {
                    sawRunLength = true;
                    statusesLeft -= chunk & 0x1FFF;
                }
                else if ((chunk & 0x4000) == 0)
                {
                    sawVector1 = true;
                    statusesLeft -= 14;
                }
                else
                {
                    sawVector2 = true;
                    statusesLeft -= 7;
                }
            }
        }

        return output;
    }
}
