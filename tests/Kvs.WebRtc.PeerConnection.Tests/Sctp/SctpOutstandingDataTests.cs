using System.Buffers.Binary;
using Kvs.WebRtc.PeerConnection.Sctp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Sctp;

public sealed class SctpOutstandingDataTests
{
    private const uint FirstTsn = 0xFFFF_FFF0; // wraps during the tests
    private const int ChunkLength = 100;

    private static (SctpOutstandingData Data, SctpOutboundChunk[] Chunks) Send(int count, SctpOutboundMessage? message = null)
    {
        var data = new SctpOutstandingData(FirstTsn);
        var chunks = new SctpOutboundChunk[count];
        for (var i = 0; i < count; i++)
        {
            chunks[i] = new SctpOutboundChunk { Message = message ?? NewMessage(), Length = ChunkLength, SendCount = 1 };
            data.Add(chunks[i]);
        }

        return (data, chunks);
    }

    private static SctpOutboundMessage NewMessage(int maxRetransmits = -1, TimeSpan? expiresAt = null) =>
        new() { Length = ChunkLength, NextOffset = ChunkLength, MaxRetransmits = maxRetransmits, ExpiresAt = expiresAt ?? TimeSpan.MaxValue };

    /// <summary>SACK value: cumulative TSN, a_rwnd, gap blocks as offsets from it.</summary>
    private static byte[] Sack(uint cum, params (ushort Start, ushort End)[] gaps)
    {
        var value = new byte[12 + (4 * gaps.Length)];
        BinaryPrimitives.WriteUInt32BigEndian(value, cum);
        BinaryPrimitives.WriteUInt32BigEndian(value.AsSpan(4), 100_000);
        BinaryPrimitives.WriteUInt16BigEndian(value.AsSpan(8), (ushort)gaps.Length);
        for (var i = 0; i < gaps.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(value.AsSpan(12 + (4 * i)), gaps[i].Start);
            BinaryPrimitives.WriteUInt16BigEndian(value.AsSpan(14 + (4 * i)), gaps[i].End);
        }

        return value;
    }

    private static long ApplyGaps(SctpOutstandingData data, byte[] sackValue, out uint htna)
    {
        Assert.That(SackChunk.TryParse(sackValue, out var sack), Is.True);
        return data.ApplyGapBlocks(sack, out htna);
    }

    private static long AckCumulative(SctpOutstandingData data, uint cum)
    {
        long bytes = 0;
        while (data.TryRemoveAcked(cum, out _, out var newly))
        {
            bytes += newly;
        }

        return bytes;
    }

    [Test]
    public void Add_AssignsConsecutiveTsnsAcrossTheWrap_AndCountsFlight()
    {
        var (data, chunks) = Send(40);
        Assert.That(chunks[0].Tsn, Is.EqualTo(FirstTsn));
        Assert.That(chunks[39].Tsn, Is.EqualTo(unchecked(FirstTsn + 39)));
        Assert.That(data.NextTsn, Is.EqualTo(unchecked(FirstTsn + 40)));
        Assert.That(data.Count, Is.EqualTo(40));
        Assert.That(data.FlightSize, Is.EqualTo(40 * ChunkLength));
        Assert.That(data[unchecked(FirstTsn + 20)], Is.SameAs(chunks[20]));
    }

    [Test]
    public void Ring_GrowsBeyondItsInitialSize_KeepingTsnOrder()
    {
        var (data, chunks) = Send(700);
        Assert.That(AckCumulative(data, unchecked(FirstTsn + 499)), Is.EqualTo(500 * ChunkLength));
        for (var i = 0; i < 2000; i++)
        {
            data.Add(new SctpOutboundChunk { Message = NewMessage(), Length = ChunkLength });
        }

        Assert.That(data.Count, Is.EqualTo(2200));
        Assert.That(data[chunks[650].Tsn], Is.SameAs(chunks[650]));
        Assert.That(data[unchecked(FirstTsn + 2699)].Tsn, Is.EqualTo(unchecked(FirstTsn + 2699)));
    }

    [Test]
    public void CumulativeAck_RemovesInOrder_CountsBytesOnce_AndStopsAtTheAck()
    {
        var (data, chunks) = Send(10);
        Assert.That(data.TryRemoveAcked(unchecked(FirstTsn - 1), out _, out _), Is.False, "nothing below the first TSN");
        Assert.That(data.TryRemoveAcked(unchecked(FirstTsn + 2), out var first, out var firstBytes), Is.True);
        Assert.That(first, Is.SameAs(chunks[0]));
        Assert.That(firstBytes, Is.EqualTo(ChunkLength));
        Assert.That(AckCumulative(data, unchecked(FirstTsn + 2)), Is.EqualTo(2 * ChunkLength));
        Assert.That(data.CumulativeTsnAck, Is.EqualTo(unchecked(FirstTsn + 2)));
        Assert.That(data.Count, Is.EqualTo(7));
        Assert.That(data.FlightSize, Is.EqualTo(7 * ChunkLength));
        Assert.That(data.AdvancedPeerAckPoint, Is.EqualTo(data.CumulativeTsnAck));
    }

    [Test]
    public void GapBlocks_AckOutOfOrder_AndTheLaterCumulativeAckDoesNotCountThemAgain()
    {
        var (data, _) = Send(10);
        var cum = unchecked(FirstTsn + 1);
        AckCumulative(data, cum);
        var gapBytes = ApplyGaps(data, Sack(cum, (3, 4), (6, 6)), out var htna);
        Assert.That(gapBytes, Is.EqualTo(3 * ChunkLength));
        Assert.That(htna, Is.EqualTo(unchecked(cum + 6)));
        Assert.That(data.GapAckedCount, Is.EqualTo(3));
        Assert.That(data.FlightSize, Is.EqualTo(5 * ChunkLength));
        Assert.That(AckCumulative(data, unchecked(cum + 6)), Is.EqualTo(3 * ChunkLength), "only the three never acked before");
        Assert.That(data.GapAckedCount, Is.Zero);
    }

    [Test]
    public void GapBlocks_MalformedOverlappingAndBeyondNextTsn_AreTolerated()
    {
        var (data, _) = Send(6);
        var cum = unchecked(FirstTsn - 1);
        var bytes = ApplyGaps(data, Sack(cum, (0, 1), (5, 3), (2, 3), (3, 4), (6, 60000)), out var htna);
        Assert.That(bytes, Is.EqualTo(4 * ChunkLength), "blocks 2-4 and 6 (clipped at the last TSN sent)");
        Assert.That(htna, Is.EqualTo(unchecked(cum + 6)));
    }

    [Test]
    public void Renege_GapAckedChunkMissingFromALaterSack_IsMarkedForRetransmit()
    {
        var (data, chunks) = Send(5);
        var cum = unchecked(FirstTsn - 1);
        ApplyGaps(data, Sack(cum, (2, 3)), out _);
        Assert.That(data.GapAckedCount, Is.EqualTo(2));
        ApplyGaps(data, Sack(cum, (3, 3)), out _);
        Assert.That(chunks[1].GapAcked, Is.False);
        Assert.That(chunks[1].MarkedForRetransmit, Is.True, "TSN cum+2 was reneged");
        Assert.That(chunks[2].GapAcked, Is.True);
        Assert.That(data.RetransmitCount, Is.EqualTo(1));
        Assert.That(data.GapAckedCount, Is.EqualTo(1));
    }

    [Test]
    public void ThreeMissIndications_MarkFastRetransmitOnce()
    {
        var (data, chunks) = Send(8);
        var cum = unchecked(FirstTsn - 1);
        var abandoned = new List<SctpOutboundMessage>();
        for (ushort i = 2; i <= 4; i++)
        {
            ApplyGaps(data, Sack(cum, (2, i)), out var htna);
            var marked = data.MarkFastRetransmits(htna, TimeSpan.Zero, partialReliability: false, abandoned);
            Assert.That(marked, Is.EqualTo(i == 4 ? 1 : 0), $"SACK {i - 1}");
        }

        Assert.That(chunks[0].MarkedForRetransmit && chunks[0].FastRetransmit, Is.True);
        Assert.That(data.RetransmitCount, Is.EqualTo(1));
        Assert.That(data.FlightSize, Is.EqualTo(4 * ChunkLength), "8 sent, 3 gap-acked, 1 waiting for retransmission");

        data.OnRetransmitted(chunks[0], TimeSpan.FromSeconds(1));
        Assert.That(chunks[0].WasFastRetransmitted, Is.True);
        Assert.That(chunks[0].SendCount, Is.EqualTo(2));
        Assert.That(data.RetransmitCount, Is.Zero);
        for (ushort i = 5; i <= 8; i++)
        {
            ApplyGaps(data, Sack(cum, (2, (ushort)Math.Min((int)i, 8))), out var htna);
            Assert.That(data.MarkFastRetransmits(htna, TimeSpan.Zero, false, abandoned), Is.Zero, "a chunk is fast retransmitted at most once");
        }

        Assert.That(abandoned, Is.Empty);
    }

    [Test]
    public void RetransmissionTimeout_MarksEverythingInFlight_ButNotGapAcked()
    {
        var (data, chunks) = Send(4);
        ApplyGaps(data, Sack(unchecked(FirstTsn - 1), (2, 2)), out _);
        data.MarkAllForRetransmit(TimeSpan.Zero, partialReliability: false, []);
        Assert.That(chunks.Select(c => c.MarkedForRetransmit), Is.EqualTo(new[] { true, false, true, true }));
        Assert.That(data.FlightSize, Is.Zero);
        Assert.That(data.RetransmitCount, Is.EqualTo(3));
    }

    [Test]
    public void PartialReliability_ExhaustedMessage_IsAbandonedAndAckPointAdvances()
    {
        var limited = NewMessage(maxRetransmits: 0);
        var data = new SctpOutstandingData(FirstTsn);
        var first = new SctpOutboundChunk { Message = limited, Length = ChunkLength, SendCount = 1 };
        var second = new SctpOutboundChunk { Message = limited, Length = ChunkLength, SendCount = 1 };
        var reliable = new SctpOutboundChunk { Message = NewMessage(), Length = ChunkLength, SendCount = 1 };
        data.Add(first);
        data.Add(second);
        data.Add(reliable);

        var abandoned = new List<SctpOutboundMessage>();
        data.MarkAllForRetransmit(TimeSpan.Zero, partialReliability: false, abandoned);
        Assert.That(abandoned, Is.Empty, "without FORWARD-TSN nothing is abandoned");
        data.OnRetransmitted(first, TimeSpan.Zero);
        data.OnRetransmitted(second, TimeSpan.Zero);
        data.OnRetransmitted(reliable, TimeSpan.Zero);

        data.MarkAllForRetransmit(TimeSpan.Zero, partialReliability: true, abandoned);
        Assert.That(abandoned, Is.EqualTo(new[] { limited }), "reported once for its two chunks");
        Assert.That(first.Abandoned && second.Abandoned, Is.True);
        Assert.That(reliable.MarkedForRetransmit, Is.True);
        Assert.That(data.RetransmitCount, Is.EqualTo(1));
        Assert.That(data.UpdateAdvancedPeerAckPoint(), Is.True, "a FORWARD-TSN is due");
        Assert.That(data.AdvancedPeerAckPoint, Is.EqualTo(second.Tsn));
        Assert.That(data.Abandon(limited), Is.False, "already abandoned");
    }

    [Test]
    public void ShouldAbandon_FollowsLifetimeAndRetransmitLimit()
    {
        var timed = new SctpOutboundChunk { Message = NewMessage(expiresAt: TimeSpan.FromSeconds(5)), SendCount = 1 };
        Assert.That(SctpOutstandingData.ShouldAbandon(timed, TimeSpan.FromSeconds(4), true), Is.False);
        Assert.That(SctpOutstandingData.ShouldAbandon(timed, TimeSpan.FromSeconds(5), true), Is.True);
        Assert.That(SctpOutstandingData.ShouldAbandon(timed, TimeSpan.FromSeconds(5), false), Is.False);
        var counted = new SctpOutboundChunk { Message = NewMessage(maxRetransmits: 2), SendCount = 2 };
        Assert.That(SctpOutstandingData.ShouldAbandon(counted, TimeSpan.Zero, true), Is.False, "sent once and resent once: one resend left");
        counted.SendCount = 3;
        Assert.That(SctpOutstandingData.ShouldAbandon(counted, TimeSpan.Zero, true), Is.True, "both resends spent");
    }

    [Test]
    public void TryRemoveAny_EmptiesEverything()
    {
        var (data, _) = Send(5);
        data.MarkAllForRetransmit(TimeSpan.Zero, false, []);
        var removed = 0;
        while (data.TryRemoveAny(out _))
        {
            removed++;
        }

        Assert.That(removed, Is.EqualTo(5));
        Assert.That((data.Count, data.FlightSize, data.RetransmitCount), Is.EqualTo((0, 0L, 0)));
    }
}
