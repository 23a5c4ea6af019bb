using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.PeerConnection.Sctp;
using Kvs.WebRtc.Testing.Sctp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.DataChannels;

// These tests hold the ValueTasks of waiting sends and inspect their state while the network is stepped by hand; each
// one is consumed once (GetResult after it completed, or AsTask).
#pragma warning disable CA2012

/// <summary>The send queue of a data channel: back-pressure, FIFO completion, the buffer cap and its typed error.</summary>
public sealed class RTCDataChannelTests
{
    private static (DataChannelTestLink Link, RTCDataChannel Channel, List<byte[]> Received) OpenChannel(int seed = 1)
    {
        var link = new DataChannelTestLink(seed);
        link.Connect();
        var channel = link.A.CreateDataChannel("queue");
        Assert.That(link.Pump(() => link.AnnouncedToB.Count == 1 && channel.ReadyState == RTCDataChannelState.Open), Is.True);
        var received = new List<byte[]>();
        link.AnnouncedToB[0].MessageReceived += (_, e) =>
        {
            lock (received)
            {
                received.Add(e.Data.ToArray());
            }
        };
        return (link, channel, received);
    }

    private static byte[] Message(int index, int size)
    {
        var data = new byte[size];
        BitConverter.TryWriteBytes(data, index);
        return data;
    }

    private static int Count(List<byte[]> received)
    {
        lock (received)
        {
            return received.Count;
        }
    }

    private static bool CompletedArePrefix(IReadOnlyList<ValueTask> sends)
    {
        var seenPending = false;
        foreach (var send in sends)
        {
            if (!send.IsCompleted)
            {
                seenPending = true;
            }
            else if (seenPending)
            {
                return false;
            }
        }

        return true;
    }

    [Test]
    public void SendAsync_AboveHighWaterMark_WaitsAndCompletesInCallOrderOnlyWhenItFits()
    {
        var (link, channel, received) = OpenChannel();
        link.A.SendAsyncHighWaterMark = 16_000;
        channel.Send(Message(-1, 20_000));
        var sends = new List<ValueTask>();
        for (var i = 0; i < 50; i++)
        {
            sends.Add(channel.SendAsync(Message(i, 4_000)));
        }

        Assert.That(sends.Count(s => s.IsCompleted), Is.Zero, "the SCTP buffer is above the high-water mark: every send waits");
        Assert.That(channel.BufferedAmount, Is.EqualTo(20_000 + (50 * 4_000)), "waiting sends count in bufferedAmount");

        // Step until the first waiting send went: the ones behind it that do not fit yet are still waiting.
        var orderKept = true;
        Assert.That(link.Pump(() =>
        {
            orderKept &= CompletedArePrefix(sends);
            return sends[0].IsCompleted;
        }), Is.True);
        Assert.That(sends.Count(s => s.IsCompleted), Is.LessThan(sends.Count), "only the sends that fit are released");

        Assert.That(link.Pump(() =>
        {
            orderKept &= CompletedArePrefix(sends);
            return sends.All(s => s.IsCompleted) && Count(received) == 51;
        }), Is.True);
        Assert.That(orderKept, Is.True, "sends complete in call order");
        foreach (var send in sends)
        {
            Assert.That(send.IsCompletedSuccessfully, Is.True);
            send.GetAwaiter().GetResult();
        }

        Assert.That(received.Skip(1).Select(m => BitConverter.ToInt32(m)), Is.EqualTo(Enumerable.Range(0, 50)), "the wire order is the call order");
        Assert.That(channel.BufferedAmount, Is.Zero);
    }

    [Test]
    public void Send_WhileSendAsyncWaits_QueuesBehindIt()
    {
        var (link, channel, received) = OpenChannel();
        link.A.SendAsyncHighWaterMark = 8_000;
        channel.Send(Message(0, 10_000));
        var waiting = channel.SendAsync(Message(1, 2_000));
        Assert.That(waiting.IsCompleted, Is.False);
        channel.Send(Message(2, 2_000));
        Assert.That(channel.BufferedAmount, Is.EqualTo(14_000));
        Assert.That(link.Pump(() => Count(received) == 3), Is.True);
        Assert.That(received.Select(m => BitConverter.ToInt32(m)), Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(waiting.IsCompletedSuccessfully, Is.True);
        waiting.GetAwaiter().GetResult();
    }

    [Test]
    public void Send_OverMaxBufferedAmount_ThrowsSendBufferFull()
    {
        var (link, channel, received) = OpenChannel();
        channel.MaxBufferedAmount = 50_000;
        channel.Send(Message(0, 40_000));
        var ex = Assert.Throws<WebRtcException>(() => channel.Send(Message(1, 20_000)));
        Assert.That(ex!.Error, Is.EqualTo(WebRtcError.SendBufferFull));
        Assert.That(channel.BufferedAmount, Is.EqualTo(40_000), "a refused message is not queued");
        channel.Send(Message(2, 10_000)); // exactly at the cap
        Assert.That(link.Pump(() => Count(received) == 2), Is.True);
        Assert.That(received.Select(m => BitConverter.ToInt32(m)), Is.EqualTo(new[] { 0, 2 }));
        channel.Send(Message(3, 20_000)); // room again once sent
    }

    [Test]
    public void SendAsync_WaitingRoomFull_FailsWithSendBufferFull()
    {
        var (link, channel, _) = OpenChannel();
        link.A.SendAsyncHighWaterMark = 10_000;
        channel.MaxBufferedAmount = 30_000;
        channel.Send(Message(0, 20_000));
        var waiting = channel.SendAsync(Message(1, 10_000));
        var refused = channel.SendAsync(Message(2, 1));
        Assert.That(waiting.IsCompleted, Is.False);
        Assert.That(refused.IsFaulted, Is.True);
        var ex = Assert.Throws<WebRtcException>(() => refused.GetAwaiter().GetResult());
        Assert.That(ex!.Error, Is.EqualTo(WebRtcError.SendBufferFull));
        Assert.That(link.Pump(() => waiting.IsCompleted), Is.True);
        waiting.GetAwaiter().GetResult();
    }

    [Test]
    public void SendAsync_FireAndForgetFlood_BufferedAmountNeverExceedsCapAndAcceptedArriveInOrder()
    {
        var (link, channel, received) = OpenChannel(5);
        const long Cap = 64 * 1024;
        link.A.SendAsyncHighWaterMark = 16 * 1024;
        channel.MaxBufferedAmount = Cap;
        var accepted = new List<int>();
        var refused = 0;
        var maxBuffered = 0L;
        for (var i = 0; i < 20_000; i++)
        {
            var send = channel.SendAsync(Message(i, 1024));
            if (send.IsFaulted)
            {
                var ex = Assert.Throws<WebRtcException>(() => send.GetAwaiter().GetResult());
                Assert.That(ex!.Error, Is.EqualTo(WebRtcError.SendBufferFull));
                refused++;
            }
            else
            {
                accepted.Add(i);
                _ = send.AsTask(); // fire and forget
            }

            maxBuffered = Math.Max(maxBuffered, channel.BufferedAmount);
            if (i % 200 == 0)
            {
                link.Pump(() => true); // one network step now and then: the caller outruns the network
            }
        }

        Assert.That(maxBuffered, Is.LessThanOrEqualTo(Cap), "bytes accepted and not yet sent never pass the cap");
        Assert.That(refused, Is.GreaterThan(0), "the flood was refused with a typed error instead of queued without bound");
        Assert.That(link.Pump(() => Count(received) == accepted.Count && channel.BufferedAmount == 0), Is.True);
        Assert.That(received.Select(m => BitConverter.ToInt32(m)), Is.EqualTo(accepted), "every accepted message arrives, in call order");
    }

    [Test]
    public void Send_FloodOfTinyMessages_QueuedMessageCountBoundedByCap()
    {
        var (link, channel, received) = OpenChannel(9);
        const long Cap = 32 * 1024;
        channel.MaxBufferedAmount = Cap;
        var accepted = 0;
        var maxQueued = 0L;
        for (var i = 0; i < 5_000; i++)
        {
            try
            {
                channel.Send([(byte)i]);
                accepted++;
            }
            catch (WebRtcException ex) when (ex.Error == WebRtcError.SendBufferFull)
            {
                // expected once the cap is reached
            }

            maxQueued = Math.Max(maxQueued, link.A.Association.GetQueuedMessageCount(channel.Id!.Value));
            if (i % 500 == 0)
            {
                link.Pump(() => true);
            }
        }

        Assert.That(maxQueued, Is.LessThanOrEqualTo(Cap / DataChannelManager.MinMessageCharge),
            "every message counts at least MinMessageCharge, so tiny messages cannot pile up by the million");
        Assert.That(accepted, Is.LessThan(5_000));
        Assert.That(link.Pump(() => Count(received) == accepted), Is.True);
    }

    [Test]
    public void SendAsync_CancelledWhileWaiting_LeavesQueueAndLaterSendsStillGoInOrder()
    {
        var (link, channel, received) = OpenChannel();
        link.A.SendAsyncHighWaterMark = 8_000;
        channel.Send(Message(0, 10_000));
        using var cts = new CancellationTokenSource();
        var first = channel.SendAsync(Message(1, 1_000));
        var cancelled = channel.SendAsync(Message(2, 1_000), cts.Token);
        var last = channel.SendAsync(Message(3, 1_000));
        Assert.That(channel.BufferedAmount, Is.EqualTo(13_000));
        cts.Cancel();
        Assert.That(cancelled.IsCanceled, Is.True);
        Assert.That(channel.BufferedAmount, Is.EqualTo(12_000), "a cancelled send gives its bytes back");
        Assert.That(link.Pump(() => Count(received) == 3 && last.IsCompleted), Is.True);
        Assert.That(received.Select(m => BitConverter.ToInt32(m)), Is.EqualTo(new[] { 0, 1, 3 }));
        Assert.That(first.IsCompletedSuccessfully && last.IsCompletedSuccessfully, Is.True);
        first.GetAwaiter().GetResult();
        last.GetAwaiter().GetResult();
    }

    [Test]
    public void Close_WithWaitingSends_SendsThemBeforeTheReset()
    {
        var (link, channel, received) = OpenChannel();
        link.A.SendAsyncHighWaterMark = 8_000;
        channel.Send(Message(0, 10_000));
        var waiting = channel.SendAsync(Message(1, 1_000));
        channel.Close();
        Assert.That(waiting.IsCompletedSuccessfully, Is.True, "close() queues what was waiting, within the cap");
        waiting.GetAwaiter().GetResult();
        Assert.That(link.Pump(() => channel.ReadyState == RTCDataChannelState.Closed), Is.True);
        Assert.That(received.Select(m => BitConverter.ToInt32(m)), Is.EqualTo(new[] { 0, 1 }));
    }

    [Test]
    public void SendAsync_AfterAbortWhileWaiting_FailsWithInvalidOperation()
    {
        var (link, channel, _) = OpenChannel();
        link.A.SendAsyncHighWaterMark = 8_000;
        channel.Send(Message(0, 10_000));
        var waiting = channel.SendAsync(Message(1, 1_000));
        link.A.Abort("test");
        Assert.That(waiting.IsFaulted, Is.True);
        Assert.Throws<InvalidOperationException>(() => waiting.GetAwaiter().GetResult());
        Assert.That(channel.BufferedAmount, Is.Zero);
    }

    [Test]
    public void SendAsync_UnderHighWaterMark_AllocatesNothingPerMessage()
    {
        var (link, channel, received) = OpenChannel();
        var payload = new byte[1024];
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 100; i++)
            {
                channel.SendAsync(payload).GetAwaiter().GetResult();
            }

            var expected = (round + 1) * 100;
            Assert.That(link.Pump(() => Count(received) == expected), Is.True);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            channel.SendAsync(payload).GetAwaiter().GetResult();
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.LessThan(1024), "the fast path of SendAsync copies into pooled SCTP buffers and allocates nothing per message");
        Assert.That(link.A.Association.State, Is.EqualTo(SctpAssociationState.Established));
    }
}
