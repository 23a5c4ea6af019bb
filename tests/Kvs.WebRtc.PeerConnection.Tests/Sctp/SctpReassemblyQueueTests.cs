using Kvs.WebRtc.PeerConnection.Sctp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Sctp;

public sealed class SctpReassemblyQueueTests
{
    private readonly Queue<SctpEvent> _delivered = new();
    private readonly byte[] _chunkBuffer = new byte[1200];

    private SctpReassemblyQueue NewQueue(long maxMessageSize = 1 << 20)
    {
        _delivered.Clear(); // NUnit reuses the fixture instance across tests
        return new(new SctpBufferPool(1000), _delivered, maxMessageSize);
    }

    /// <summary>Adds one DATA chunk built with the real codec.</summary>
    private SctpReassemblyOutcome Add(SctpReassemblyQueue queue, uint tsn, ushort ssn, byte[] payload, bool beginning = true, bool ending = true, bool unordered = false, ushort stream = 1)
    {
        var flags = (byte)((beginning ? DataChunk.FlagBeginning : 0) | (ending ? DataChunk.FlagEnding : 0) | (unordered ? DataChunk.FlagUnordered : 0));
        var writer = new SctpPacketWriter(_chunkBuffer, 1, 1, 1);
        DataChunk.Write(ref writer, flags, tsn, stream, ssn, 53, payload);
        var reader = new SctpChunkReader(_chunkBuffer.AsSpan(SctpPacket.CommonHeaderLength, writer.Position - SctpPacket.CommonHeaderLength));
        Assert.That(reader.TryReadNext(out var chunk), Is.True);
        Assert.That(DataChunk.TryParse(chunk, out var data), Is.True);
        return queue.Add(data);
    }

    private byte[][] Delivered() => _delivered.Select(e => e.Data!).ToArray();

    [Test]
    public void Ordered_OutOfOrderArrival_IsDeliveredInSsnOrder()
    {
        var queue = NewQueue();
        Assert.That(Add(queue, 12, 2, [3]), Is.EqualTo(SctpReassemblyOutcome.Accepted));
        Assert.That(Add(queue, 11, 1, [2]), Is.EqualTo(SctpReassemblyOutcome.Accepted));
        Assert.That(_delivered, Is.Empty, "SSN 0 missing");
        Assert.That(queue.HeldBytes, Is.EqualTo(2));
        Add(queue, 10, 0, [1]);
        Assert.That(Delivered(), Is.EqualTo(new[] { new byte[] { 1 }, [2], [3] }));
        Assert.That(queue.MessagesDelivered, Is.EqualTo(3));
        Assert.That(queue.FragmentCount, Is.Zero);
        Assert.That(queue.HeldBytes, Is.EqualTo(3), "delivered bytes stay held until released");
        queue.Release(3);
        Assert.That(queue.HeldBytes, Is.Zero);
    }

    [Test]
    public void Fragments_AreJoinedOnlyWhenContiguous()
    {
        var queue = NewQueue();
        Add(queue, 100, 0, [1, 2], ending: false);
        Add(queue, 102, 0, [5], beginning: false);
        Assert.That(_delivered, Is.Empty, "middle fragment missing");
        Add(queue, 101, 0, [3, 4], beginning: false, ending: false);
        Assert.That(Delivered(), Is.EqualTo(new[] { new byte[] { 1, 2, 3, 4, 5 } }));
        Assert.That(queue.FragmentCount, Is.Zero);
    }

    [Test]
    public void Unordered_IsDeliveredAtOnce_EvenAheadOfOrderedGaps()
    {
        var queue = NewQueue();
        Add(queue, 21, 1, [9]);
        Add(queue, 22, 0, [7], ending: false, unordered: true);
        Add(queue, 23, 0, [8], beginning: false, unordered: true);
        Assert.That(Delivered(), Is.EqualTo(new[] { new byte[] { 7, 8 } }));
    }

    [Test]
    public void StaleSsn_IsReported()
    {
        var queue = NewQueue();
        Add(queue, 1, 0, [1]);
        Assert.That(Add(queue, 2, 0, [1]), Is.EqualTo(SctpReassemblyOutcome.StaleSsn));
    }

    [Test]
    public void MessageTooLarge_IsReported_Whole_AndFragmented()
    {
        var queue = NewQueue(maxMessageSize: 4);
        Assert.That(Add(queue, 1, 0, [1, 2, 3, 4, 5]), Is.EqualTo(SctpReassemblyOutcome.MessageTooLarge));
        Assert.That(Add(queue, 2, 1, [1, 2, 3], ending: false), Is.EqualTo(SctpReassemblyOutcome.Accepted));
        Assert.That(Add(queue, 3, 1, [4, 5], beginning: false), Is.EqualTo(SctpReassemblyOutcome.MessageTooLarge));
        Assert.That(_delivered, Is.Empty);
    }

    [Test]
    public void SkipTo_DropsAbandonedSsns_AndDeliversWhatFollows()
    {
        var queue = NewQueue();
        Add(queue, 30, 0, [1], ending: false); // first fragment of SSN 0; the rest was abandoned
        Add(queue, 33, 2, [3]);
        Assert.That(queue.SkipTo(1, 1, newCumulativeTsn: 32), Is.EqualTo(SctpReassemblyOutcome.Accepted));
        Assert.That(Delivered(), Is.EqualTo(new[] { new byte[] { 3 } }));
        Assert.That(queue.FragmentCount, Is.Zero);
        Assert.That(queue.HeldBytes, Is.EqualTo(1), "only the delivered byte is held; the dropped fragment was released");
    }

    [Test]
    public void DropAbandoned_FreesUnorderedFragmentsBelowTheNewCumulativeTsn()
    {
        var queue = NewQueue();
        Add(queue, 40, 0, [1, 1], ending: false, unordered: true);
        Add(queue, 50, 0, [2], ending: false, unordered: true);
        queue.DropAbandoned(45);
        Assert.That(queue.FragmentCount, Is.EqualTo(1));
        Assert.That(queue.HeldBytes, Is.EqualTo(1));
    }

    [Test]
    public void ResetStream_RestartsSsnAtZero()
    {
        var queue = NewQueue();
        Assert.That(queue.TryResetStream(1), Is.False, "unknown stream");
        Add(queue, 1, 0, [1]);
        Add(queue, 2, 1, [2]);
        Assert.That(queue.StreamIds, Is.EquivalentTo(new ushort[] { 1 }));
        Assert.That(queue.TryResetStream(1), Is.True);
        Assert.That(Add(queue, 3, 0, [3]), Is.EqualTo(SctpReassemblyOutcome.Accepted));
        Assert.That(Delivered().Last(), Is.EqualTo(new byte[] { 3 }));
    }

    [Test]
    public void Clear_ReleasesEveryFragment()
    {
        var queue = NewQueue();
        Add(queue, 5, 3, [1, 2, 3]);
        Add(queue, 6, 0, [4], ending: false, unordered: true, stream: 2);
        Assert.That(queue.HeldBytes, Is.EqualTo(4));
        queue.Clear();
        Assert.That((queue.HeldBytes, queue.FragmentCount, queue.StreamIds.Count), Is.EqualTo((0L, 0, 0)));
    }

    [Test]
    public void BufferPool_ReusesSmallBuffers_AndRentsLargeOnes()
    {
        var pool = new SctpBufferPool(100);
        var small = pool.Rent(10);
        Assert.That(small.Length, Is.EqualTo(100));
        pool.Return(small);
        Assert.That(pool.PooledSmallBuffers, Is.EqualTo(1));
        Assert.That(pool.Rent(100), Is.SameAs(small));
        var large = pool.Rent(101);
        Assert.That(large.Length, Is.GreaterThanOrEqualTo(101));
        pool.Return(large);
        pool.Return([]);
        Assert.That(pool.PooledSmallBuffers, Is.Zero, "only small buffers go to the free list");
    }
}
