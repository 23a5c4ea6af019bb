using Kvs.WebRtc.PeerConnection.Sctp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Sctp;

public sealed class SctpSendQueueTests
{
    private const int MaxPayload = 100;
    private const uint Ppid = 53;

    private readonly Queue<SctpEvent> _events = new();

    private SctpSendQueue NewQueue(long maxBuffered = 1 << 20)
    {
        _events.Clear(); // NUnit reuses the fixture instance across tests
        return new SctpSendQueue(new SctpBufferPool(MaxPayload), _events, MaxPayload, maxBuffered);
    }

    private static byte[] Bytes(int length, byte fill = 7) => Enumerable.Repeat(fill, length).ToArray();

    private static SctpSendStatus Enqueue(SctpSendQueue queue, ushort stream, int length, bool unordered = false, SctpReliability? reliability = null, TimeSpan now = default) =>
        queue.Enqueue(stream, Ppid, Bytes(length, (byte)stream), unordered, reliability ?? SctpReliability.Reliable, now);

    private static List<SctpOutboundChunk> TakeAll(SctpSendQueue queue, long budget = long.MaxValue)
    {
        var chunks = new List<SctpOutboundChunk>();
        while (queue.TryTakeChunk(budget, TimeSpan.Zero, out var chunk))
        {
            chunks.Add(chunk);
        }

        return chunks;
    }

    [Test]
    public void LargeMessage_IsCutIntoChunksOfTheMaxPayload_WithBeginningAndEndingFlags()
    {
        var queue = NewQueue();
        Assert.That(Enqueue(queue, 1, 250), Is.EqualTo(SctpSendStatus.Queued));
        var chunks = TakeAll(queue);
        Assert.That(chunks.Select(c => (c.Offset, c.Length)), Is.EqualTo(new[] { (0, 100), (100, 100), (200, 50) }));
        Assert.That(chunks.Select(c => c.Flags), Is.EqualTo(new[] { DataChunk.FlagBeginning, (byte)0, DataChunk.FlagEnding }));
        Assert.That(chunks.Select(c => c.Message).Distinct().Single().ChunksOutstanding, Is.EqualTo(3));
        Assert.That(chunks.All(c => c.SendCount == 1), Is.True);
        Assert.That(queue.HasPending, Is.False);
    }

    [Test]
    public void MessageOfExactlyTheMaxPayload_IsOneChunk()
    {
        var queue = NewQueue();
        Enqueue(queue, 1, MaxPayload);
        var chunk = TakeAll(queue).Single();
        Assert.That(chunk.Length, Is.EqualTo(MaxPayload));
        Assert.That(chunk.Flags, Is.EqualTo(DataChunk.FlagBeginning | DataChunk.FlagEnding));
    }

    [Test]
    public void Unordered_SetsTheUBit_AndTakesNoSsn()
    {
        var queue = NewQueue();
        Enqueue(queue, 1, 10, unordered: true);
        Enqueue(queue, 1, 10);
        var chunks = TakeAll(queue);
        Assert.That(chunks[0].Flags, Is.EqualTo(DataChunk.FlagBeginning | DataChunk.FlagEnding | DataChunk.FlagUnordered));
        Assert.That(chunks[1].Message.Ssn, Is.EqualTo(0), "the unordered message did not use SSN 0");
    }

    [Test]
    public void Streams_AreServedInQueueOrder_WithOneSsnSequencePerStream()
    {
        var queue = NewQueue();
        Enqueue(queue, 1, 150);
        Enqueue(queue, 2, 10);
        Enqueue(queue, 1, 10);
        Enqueue(queue, 3, 10);
        Enqueue(queue, 2, 10);
        var order = TakeAll(queue).Select(c => (c.Message.Stream.Id, c.Message.Ssn, c.Length)).ToArray();
        Assert.That(order, Is.EqualTo(new[]
        {
            ((ushort)1, (ushort)0, 100), ((ushort)1, (ushort)0, 50), ((ushort)2, (ushort)0, 10), ((ushort)1, (ushort)1, 10),
            ((ushort)3, (ushort)0, 10), ((ushort)2, (ushort)1, 10),
        }));
    }

    [Test]
    public void Budget_TooSmallForTheNextChunk_TakesNothing()
    {
        var queue = NewQueue();
        Enqueue(queue, 1, 150);
        Assert.That(queue.TryTakeChunk(99, TimeSpan.Zero, out _), Is.False);
        Assert.That(queue.TryTakeChunk(-4, TimeSpan.Zero, out _), Is.False);
        Assert.That(queue.GetBufferedAmount(1), Is.EqualTo(150), "nothing was cut");
        Assert.That(queue.TryTakeChunk(100, TimeSpan.Zero, out var first), Is.True);
        Assert.That(first.Length, Is.EqualTo(100));
        Assert.That(queue.TryTakeChunk(49, TimeSpan.Zero, out _), Is.False);
        Assert.That(queue.TryTakeChunk(50, TimeSpan.FromSeconds(3), out var last), Is.True);
        Assert.That(last.SentAt, Is.EqualTo(TimeSpan.FromSeconds(3)));
    }

    [Test]
    public void BufferedAmounts_PerStreamAndTotal_FollowTheChunksTaken()
    {
        var queue = NewQueue();
        Enqueue(queue, 1, 250);
        Enqueue(queue, 2, 30);
        Assert.That((queue.GetBufferedAmount(1), queue.GetBufferedAmount(2), queue.TotalBufferedAmount), Is.EqualTo((250L, 30L, 280L)));
        Assert.That((queue.GetQueuedMessageCount(1), queue.GetQueuedMessageCount(2), queue.PendingMessageCount), Is.EqualTo((1, 1, 2)));
        queue.TryTakeChunk(long.MaxValue, TimeSpan.Zero, out _);
        Assert.That((queue.GetBufferedAmount(1), queue.TotalBufferedAmount), Is.EqualTo((150L, 180L)));
        Assert.That(queue.GetQueuedMessageCount(1), Is.EqualTo(1), "a partly cut message is still queued");
        TakeAll(queue);
        Assert.That((queue.GetBufferedAmount(1), queue.GetBufferedAmount(2), queue.TotalBufferedAmount), Is.EqualTo((0L, 0L, 0L)));
        Assert.That((queue.GetQueuedMessageCount(1), queue.PendingMessageCount), Is.EqualTo((0, 0)));
        Assert.That(queue.GetBufferedAmount(9), Is.Zero, "an unknown stream has nothing buffered");
    }

    [Test]
    public void BufferFull_RefusesAMessageOverTheCap()
    {
        var queue = NewQueue(maxBuffered: 200);
        Assert.That(Enqueue(queue, 1, 150), Is.EqualTo(SctpSendStatus.Queued));
        Assert.That(Enqueue(queue, 2, 51), Is.EqualTo(SctpSendStatus.BufferFull));
        Assert.That(Enqueue(queue, 2, 50), Is.EqualTo(SctpSendStatus.Queued));
        Assert.That(queue.TotalBufferedAmount, Is.EqualTo(200));
        queue.TryTakeChunk(long.MaxValue, TimeSpan.Zero, out _);
        Assert.That(Enqueue(queue, 2, 100), Is.EqualTo(SctpSendStatus.Queued), "sent bytes no longer count");
    }

    [Test]
    public void LowThreshold_FiresOnceWhenCrossedDownwards()
    {
        var queue = NewQueue();
        queue.SetBufferedAmountLowThreshold(1, 120);
        Enqueue(queue, 1, 300);
        queue.TryTakeChunk(long.MaxValue, TimeSpan.Zero, out _); // 200 left
        Assert.That(_events, Is.Empty);
        queue.TryTakeChunk(long.MaxValue, TimeSpan.Zero, out _); // 100 left: crossed
        Assert.That(_events.ToArray(), Is.EqualTo(new[] { new SctpEvent(SctpEventKind.BufferedAmountLow, 1) }));
        queue.TryTakeChunk(long.MaxValue, TimeSpan.Zero, out _); // 0 left: already below
        Assert.That(_events, Has.Count.EqualTo(1));
        Assert.That(() => queue.SetBufferedAmountLowThreshold(1, -1), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void LowThresholdZero_FiresWhenTheStreamDrains()
    {
        var queue = NewQueue();
        Enqueue(queue, 4, 10);
        Enqueue(queue, 5, 10);
        TakeAll(queue);
        Assert.That(_events.Select(e => e.StreamId), Is.EqualTo(new ushort[] { 4, 5 }));
    }

    [Test]
    public void DropExpiredHeads_DropsOnlyUnsentExpiredMessagesAtTheHead()
    {
        var queue = NewQueue();
        var lifetime = SctpReliability.WithLifetime(TimeSpan.FromMilliseconds(100));
        Enqueue(queue, 1, 10, reliability: lifetime);
        Enqueue(queue, 1, 10, reliability: lifetime);
        Enqueue(queue, 2, 10);
        Enqueue(queue, 1, 10, reliability: lifetime);
        Assert.That(queue.DropExpiredHeads(TimeSpan.FromMilliseconds(99)), Is.Zero);
        Assert.That(queue.DropExpiredHeads(TimeSpan.FromMilliseconds(100)), Is.EqualTo(2), "stops at the reliable message");
        Assert.That((queue.GetBufferedAmount(1), queue.GetQueuedMessageCount(1), queue.TotalBufferedAmount), Is.EqualTo((10L, 1, 20L)));
        Assert.That(queue.PooledMessages, Is.EqualTo(2), "dropped messages are recycled");
        Assert.That(queue.TryTakeChunk(long.MaxValue, TimeSpan.Zero, out var chunk), Is.True);
        Assert.That(chunk.Message.Stream.Id, Is.EqualTo(2));
        Assert.That(queue.TryTakeChunk(long.MaxValue, TimeSpan.Zero, out chunk), Is.True);
        Assert.That(chunk.Message.Ssn, Is.EqualTo(0), "dropped messages used no SSN");
    }

    [Test]
    public void DropExpiredHeads_KeepsAPartlySentMessage()
    {
        var queue = NewQueue();
        Enqueue(queue, 1, 250, reliability: SctpReliability.WithLifetime(TimeSpan.FromMilliseconds(10)));
        queue.TryTakeChunk(long.MaxValue, TimeSpan.Zero, out _);
        Assert.That(queue.DropExpiredHeads(TimeSpan.FromSeconds(1)), Is.Zero);
        Assert.That(queue.GetBufferedAmount(1), Is.EqualTo(150));
    }

    [Test]
    public void OnMessageAbandoned_PartlySentHead_DropsItsUnsentFragments()
    {
        var queue = NewQueue();
        queue.SetBufferedAmountLowThreshold(1, 100);
        Enqueue(queue, 1, 350, reliability: SctpReliability.WithMaxRetransmits(0));
        Enqueue(queue, 2, 10);
        queue.TryTakeChunk(long.MaxValue, TimeSpan.Zero, out var first);
        queue.OnMessageAbandoned(first.Message);
        Assert.That((queue.GetBufferedAmount(1), queue.GetQueuedMessageCount(1), queue.TotalBufferedAmount), Is.EqualTo((0L, 0, 10L)));
        Assert.That(_events.Select(e => (e.Kind, e.StreamId)), Is.EqualTo(new[] { (SctpEventKind.BufferedAmountLow, (ushort)1) }));
        Assert.That(queue.TryTakeChunk(long.MaxValue, TimeSpan.Zero, out var next), Is.True);
        Assert.That(next.Message.Stream.Id, Is.EqualTo(2), "the abandoned message left the queue");
        queue.OnMessageAbandoned(next.Message);
        Assert.That(queue.TotalBufferedAmount, Is.Zero, "a fully cut message has nothing left to drop");
    }

    [Test]
    public void ReleaseChunk_FreesTheMessageAfterItsLastChunk()
    {
        var queue = NewQueue();
        Enqueue(queue, 1, 150);
        var chunks = TakeAll(queue);
        var message = chunks[0].Message;
        queue.ReleaseChunk(chunks[0]);
        Assert.That((queue.PooledChunks, queue.PooledMessages), Is.EqualTo((1, 0)));
        Assert.That(message.Buffer, Is.Not.Empty, "one chunk still refers to the bytes");
        queue.ReleaseChunk(chunks[1]);
        Assert.That((queue.PooledChunks, queue.PooledMessages), Is.EqualTo((2, 1)));
        Assert.That(message.Buffer, Is.Empty);
        Enqueue(queue, 1, 10);
        Assert.That(queue.TryTakeChunk(long.MaxValue, TimeSpan.Zero, out var reused), Is.True);
        Assert.That((reused.Message, queue.PooledChunks, queue.PooledMessages), Is.EqualTo((message, 1, 0)), "message and chunk are reused");
    }

    [Test]
    public void ResetGate_RefusesNewMessages_UntilTheResetEnds()
    {
        var queue = NewQueue();
        Enqueue(queue, 1, 10);
        Enqueue(queue, 1, 10);
        TakeAll(queue);
        Assert.That(queue.TryBeginReset(1), Is.True);
        Assert.That(queue.TryBeginReset(1), Is.False, "already resetting");
        Assert.That(queue.IsResetting(1), Is.True);
        Assert.That(Enqueue(queue, 1, 10), Is.EqualTo(SctpSendStatus.InvalidStream));
        Assert.That(Enqueue(queue, 2, 10), Is.EqualTo(SctpSendStatus.Queued), "other streams are open");
        queue.EndReset(1, success: false);
        Assert.That(queue.IsResetting(1), Is.False);
        Assert.That(Enqueue(queue, 1, 10), Is.EqualTo(SctpSendStatus.Queued));
        var ssns = TakeAll(queue).Where(c => c.Message.Stream.Id == 1).Select(c => c.Message.Ssn);
        Assert.That(ssns, Is.EqualTo(new ushort[] { 2 }), "a refused reset keeps the SSNs");
        Assert.That(queue.TryBeginReset(1), Is.True);
        queue.EndReset(1, success: true);
        Enqueue(queue, 1, 10);
        Assert.That(TakeAll(queue).Single().Message.Ssn, Is.EqualTo(0), "a reset restarts the SSNs");
    }

    [Test]
    public void ResetGate_OnAStreamWithQueuedData_KeepsThatData()
    {
        var queue = NewQueue();
        Enqueue(queue, 1, 150);
        queue.TryBeginReset(1);
        Assert.That(queue.GetQueuedMessageCount(1), Is.EqualTo(1));
        Assert.That(TakeAll(queue), Has.Count.EqualTo(2));
        Assert.That(queue.GetQueuedMessageCount(1), Is.Zero);
    }

    [Test]
    public void Ssn_WrapsAround()
    {
        var queue = NewQueue();
        ushort last = 0;
        for (var i = 0; i <= ushort.MaxValue + 1; i++)
        {
            Enqueue(queue, 1, 1);
            queue.TryTakeChunk(long.MaxValue, TimeSpan.Zero, out var chunk);
            last = chunk.Message.Ssn;
            queue.ReleaseChunk(chunk);
        }

        Assert.That(last, Is.EqualTo(0));
    }

    [Test]
    public void Clear_DropsEverythingQueued()
    {
        var queue = NewQueue();
        Enqueue(queue, 1, 250);
        Enqueue(queue, 2, 10);
        queue.TryTakeChunk(long.MaxValue, TimeSpan.Zero, out var sent);
        queue.ReleaseChunk(sent);
        queue.Clear();
        Assert.That((queue.TotalBufferedAmount, queue.GetBufferedAmount(1), queue.GetQueuedMessageCount(2), queue.HasPending), Is.EqualTo((0L, 0L, 0, false)));
        Assert.That(queue.PooledMessages, Is.EqualTo(2));
    }
}
