using System.Text;
using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.PeerConnection.Sctp;
using Kvs.WebRtc.Testing.Sctp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.DataChannels;

public sealed class DataChannelManagerTests
{
    private static DataChannelTestLink Connected(int seed = 1)
    {
        var link = new DataChannelTestLink(seed);
        link.Connect();
        Assert.That(link.Pump(() => link.A.Association.State == SctpAssociationState.Established && link.B.Association.State == SctpAssociationState.Established), Is.True);
        return link;
    }

    private static List<RTCDataChannelMessageEventArgs> Collect(RTCDataChannel channel)
    {
        var list = new List<RTCDataChannelMessageEventArgs>();
        channel.MessageReceived += (_, e) =>
        {
            lock (list)
            {
                list.Add(e);
            }
        };
        return list;
    }

    [Test]
    public void CreateDataChannel_InBandFromDtlsClient_PeerAnnouncesSameOptionsAndBothOpen()
    {
        var link = Connected();
        var opened = 0;
        var channel = link.A.CreateDataChannel("chat", new RTCDataChannelInit { Ordered = false, MaxRetransmits = 3, Protocol = "json" });
        Assert.That(channel.ReadyState, Is.EqualTo(RTCDataChannelState.Connecting));
        channel.Opened += (_, _) => opened++;
        Assert.That(link.Pump(() => link.AnnouncedToB.Count == 1), Is.True);
        var remote = link.AnnouncedToB[0];
        Assert.That(channel.Id % 2, Is.Zero, "the DTLS client uses even stream ids");
        Assert.That((remote.Label, remote.Protocol, remote.Id, remote.Ordered, remote.MaxRetransmits, remote.MaxPacketLifeTime, remote.Negotiated),
            Is.EqualTo(("chat", "json", channel.Id, false, (int?)3, (int?)null, false)));
        Assert.That(channel.ReadyState, Is.EqualTo(RTCDataChannelState.Open));
        Assert.That(remote.ReadyState, Is.EqualTo(RTCDataChannelState.Open));
        Assert.That(opened, Is.EqualTo(1), "Opened is raised after CreateDataChannel returned");
    }

    [Test]
    public void CreateDataChannel_BeforeAssociationUp_OpensAfterConnect()
    {
        var link = new DataChannelTestLink();
        var channel = link.B.CreateDataChannel("early", new RTCDataChannelInit { MaxPacketLifeTime = 500 });
        var opened = false;
        channel.Opened += (_, _) => opened = true;
        Assert.That(channel.ReadyState, Is.EqualTo(RTCDataChannelState.Connecting));
        link.Connect();
        Assert.That(link.Pump(() => opened && link.AnnouncedToA.Count == 1), Is.True);
        Assert.That(channel.Id % 2, Is.EqualTo(1), "the DTLS server uses odd stream ids");
        Assert.That(link.AnnouncedToA[0].MaxPacketLifeTime, Is.EqualTo(500));
    }

    [Test]
    public void Send_AllMessageKinds_ArriveWithTypeAndContent()
    {
        var link = Connected();
        var channel = link.A.CreateDataChannel("kinds");
        Assert.That(link.Pump(() => link.AnnouncedToB.Count == 1), Is.True);
        var received = Collect(link.AnnouncedToB[0]);
        channel.Send("héllo");
        channel.Send(string.Empty);
        channel.Send([1, 2, 3]);
        channel.Send(Array.Empty<byte>());
        channel.Send(new ReadOnlyMemory<byte>(new byte[70_000]));
        Assert.That(link.Pump(() => received.Count == 5), Is.True);
        Assert.That(received.Select(m => m.Type), Is.EqualTo(new[] { RTCDataChannelMessageType.Text, RTCDataChannelMessageType.Text, RTCDataChannelMessageType.Binary, RTCDataChannelMessageType.Binary, RTCDataChannelMessageType.Binary }));
        Assert.That(received[0].Text, Is.EqualTo("héllo"));
        Assert.That(received[1].Text, Is.EqualTo(string.Empty));
        Assert.That(received[1].Data.Length, Is.Zero);
        Assert.That(received[2].Data.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3 }));
        Assert.That(received[2].Text, Is.Null);
        Assert.That(received[3].Data.Length, Is.Zero);
        Assert.That(received[4].Data.Length, Is.EqualTo(70_000));
    }

    [Test]
    public void Send_EmptyMessages_UseEmptyPpids()
    {
        var link = Connected();
        var channel = link.A.CreateDataChannel("ppid");
        Assert.That(link.Pump(() => link.AnnouncedToB.Count == 1), Is.True);
        channel.Send(string.Empty);
        channel.Send(Array.Empty<byte>());
        channel.Send("x");
        channel.Send([1]);
        var assoc = link.A.Association;
        var buffer = new byte[2048];
        var decoded = new List<(uint Ppid, int Length)>();
        while (link.A.TryPollTransmit(buffer, link.Now, out var length))
        {
            var reader = new SctpChunkReader(buffer.AsSpan(12, length - 12));
            while (reader.TryReadNext(out var chunk))
            {
                if (chunk.Type == SctpChunkType.Data && DataChunk.TryParse(chunk, out var data))
                {
                    decoded.Add((data.Ppid, data.Payload.Length));
                }
            }
        }

        Assert.That(decoded, Is.EqualTo(new[] { (56u, 1), (57u, 1), (51u, 1), (53u, 1) }));
        Assert.That(assoc.Statistics.DataChunksSent, Is.GreaterThanOrEqualTo(4));
    }

    [Test]
    public void Send_BothDirectionsOnPeerCreatedChannel_Works()
    {
        var link = Connected();
        var local = link.B.CreateDataChannel("from-b");
        var fromRemote = Collect(local);
        Assert.That(link.Pump(() => link.AnnouncedToA.Count == 1), Is.True);
        var remote = link.AnnouncedToA[0];
        var toRemote = Collect(remote);
        local.Send("ping");
        remote.Send("pong");
        Assert.That(link.Pump(() => fromRemote.Count == 1 && toRemote.Count == 1), Is.True);
        Assert.That(fromRemote[0].Text, Is.EqualTo("pong"));
        Assert.That(toRemote[0].Text, Is.EqualTo("ping"));
    }

    [Test]
    public void CreateDataChannel_Negotiated_OpensBothSidesWithoutAnnouncement()
    {
        var link = new DataChannelTestLink();
        var init = new RTCDataChannelInit { Negotiated = true, Id = 42 };
        var a = link.A.CreateDataChannel("neg", init);
        var b = link.B.CreateDataChannel("neg", init);
        var received = Collect(b);
        link.Connect();
        Assert.That(link.Pump(() => a.ReadyState == RTCDataChannelState.Open && b.ReadyState == RTCDataChannelState.Open), Is.True);
        a.Send("direct");
        Assert.That(link.Pump(() => received.Count == 1), Is.True);
        Assert.That(received[0].Text, Is.EqualTo("direct"));
        Assert.That(link.AnnouncedToA.Count + link.AnnouncedToB.Count, Is.Zero);
        Assert.That(a.Negotiated && a.Id == 42, Is.True);
    }

    [Test]
    public void CreateDataChannel_IdInUse_Throws()
    {
        var link = Connected();
        link.A.CreateDataChannel("one", new RTCDataChannelInit { Negotiated = true, Id = 8 });
        Assert.Throws<ArgumentException>(() => link.A.CreateDataChannel("two", new RTCDataChannelInit { Negotiated = true, Id = 8 }));
        Assert.Throws<ArgumentException>(() => link.A.CreateDataChannel("bad", new RTCDataChannelInit { MaxRetransmits = 1, MaxPacketLifeTime = 1 }));
    }

    [Test]
    public void CreateDataChannel_Several_GetDistinctIdsOfOwnParity()
    {
        var link = Connected();
        var ids = Enumerable.Range(0, 5).Select(i => link.A.CreateDataChannel("c" + i).Id).ToList();
        Assert.That(ids, Is.EqualTo(new ushort[] { 0, 2, 4, 6, 8 }));
        Assert.That(link.Pump(() => link.AnnouncedToB.Count == 5), Is.True);
    }

    [Test]
    public void Close_Local_BothSidesCloseAndIdIsReusable()
    {
        var link = Connected();
        var channel = link.A.CreateDataChannel("closing");
        Assert.That(link.Pump(() => link.AnnouncedToB.Count == 1), Is.True);
        var remote = link.AnnouncedToB[0];
        var received = Collect(remote);
        var localClosed = 0;
        var remoteClosed = 0;
        channel.Closed += (_, _) => localClosed++;
        remote.Closed += (_, _) => remoteClosed++;
        channel.Send("last words");
        channel.Close();
        Assert.That(channel.ReadyState, Is.EqualTo(RTCDataChannelState.Closing));
        Assert.Throws<InvalidOperationException>(() => channel.Send("too late"));
        Assert.That(link.Pump(() => localClosed == 1 && remoteClosed == 1), Is.True);
        Assert.That(received.Single().Text, Is.EqualTo("last words"), "data queued before close is delivered");
        Assert.That(channel.ReadyState, Is.EqualTo(RTCDataChannelState.Closed));
        Assert.That(remote.ReadyState, Is.EqualTo(RTCDataChannelState.Closed));
        Assert.That(link.A.Channels, Is.Empty);
        Assert.That(link.B.Channels, Is.Empty);
        var again = link.A.CreateDataChannel("again");
        Assert.That(again.Id, Is.EqualTo(channel.Id));
        Assert.That(link.Pump(() => link.AnnouncedToB.Count == 2), Is.True);
        var receivedAgain = Collect(link.AnnouncedToB[1]);
        again.Send("reborn");
        Assert.That(link.Pump(() => receivedAgain.Count == 1), Is.True, "the reset stream restarts at SSN 0 on both sides");
    }

    [Test]
    public void Close_ByPeer_LocalChannelCloses()
    {
        var link = Connected();
        var channel = link.A.CreateDataChannel("peer-closes");
        Assert.That(link.Pump(() => link.AnnouncedToB.Count == 1), Is.True);
        var closed = false;
        channel.Closed += (_, _) => closed = true;
        link.AnnouncedToB[0].Close();
        Assert.That(link.Pump(() => closed), Is.True);
        Assert.That(link.AnnouncedToB[0].ReadyState, Is.EqualTo(RTCDataChannelState.Closed));
    }

    [Test]
    public void Abort_AllChannelsGetErrorAndClose()
    {
        var link = Connected();
        var channel = link.A.CreateDataChannel("doomed");
        Assert.That(link.Pump(() => link.AnnouncedToB.Count == 1), Is.True);
        var remote = link.AnnouncedToB[0];
        string? error = null;
        var closed = false;
        remote.ErrorOccurred += (_, e) => error = e.Message;
        remote.Closed += (_, _) => closed = true;
        string? reason = null;
        link.B.AssociationClosed += r => reason = r;
        link.A.Abort("test");
        Assert.That(link.Pump(() => closed), Is.True);
        Assert.That(error, Is.Not.Null);
        Assert.That(reason, Is.Not.Null);
        Assert.That(channel.ReadyState, Is.EqualTo(RTCDataChannelState.Closed));
        Assert.Throws<InvalidOperationException>(() => link.A.CreateDataChannel("after"));
    }

    [Test]
    public void Send_TooLarge_ThrowsArgumentException()
    {
        var link = Connected();
        var channel = link.A.CreateDataChannel("big");
        Assert.Throws<InvalidOperationException>(() => channel.Send("connecting"));
        Assert.That(link.Pump(() => channel.ReadyState == RTCDataChannelState.Open), Is.True);
        Assert.Throws<ArgumentException>(() => channel.Send(new byte[256 * 1024 + 1]));
        Assert.DoesNotThrow(() => channel.Send(new byte[256 * 1024]));
    }

    [Test]
    public void BufferedAmountLow_FiresAfterDrain()
    {
        var link = Connected();
        var channel = link.A.CreateDataChannel("bulk");
        Assert.That(link.Pump(() => channel.ReadyState == RTCDataChannelState.Open), Is.True);
        channel.BufferedAmountLowThreshold = 64 * 1024;
        var lowEvents = 0;
        channel.BufferedAmountLow += (_, _) => lowEvents++;
        for (var i = 0; i < 20; i++)
        {
            channel.Send(new byte[32 * 1024]);
        }

        Assert.That(channel.BufferedAmount, Is.GreaterThan(64 * 1024));
        Assert.That(link.Pump(() => lowEvents > 0), Is.True);
        Assert.That(channel.BufferedAmount, Is.LessThanOrEqualTo(64 * 1024));
    }

    [Test]
    public void SendAsync_AboveHighWaterMark_WaitsThenCompletes()
    {
        var link = Connected();
        link.A.SendAsyncHighWaterMark = 100_000;
        var channel = link.A.CreateDataChannel("async");
        Assert.That(link.Pump(() => link.AnnouncedToB.Count == 1), Is.True);
        var received = Collect(link.AnnouncedToB[0]);
        channel.Send(new byte[90_000]);
        var pending = channel.SendAsync(new byte[50_000]).AsTask();
        Assert.That(pending.IsCompleted, Is.False, "90 000 + 50 000 bytes exceed the high-water mark");
        Assert.That(link.Pump(() => pending.IsCompleted && ReceivedCount(received) == 2, TimeSpan.FromMinutes(1)), Is.True);
        Assert.That(pending.IsCompletedSuccessfully, Is.True);
    }

    [Test]
    public void SendAsync_Cancelled_ThrowsOperationCanceled()
    {
        var link = Connected();
        link.A.SendAsyncHighWaterMark = 10_000;
        var channel = link.A.CreateDataChannel("cancel");
        Assert.That(link.Pump(() => channel.ReadyState == RTCDataChannelState.Open), Is.True);
        channel.Send(new byte[20_000]);
        using var cts = new CancellationTokenSource();
        var pending = channel.SendAsync(new byte[5_000], cts.Token).AsTask();
        cts.Cancel();
        Assert.That(() => pending.Wait(TimeSpan.FromSeconds(10)), Throws.InstanceOf<AggregateException>().With.InnerException.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void PartialReliableUnorderedChannel_UnderLoss_LaterMessagesStillFlow()
    {
        var link = Connected(7);
        var channel = link.A.CreateDataChannel("lossy", new RTCDataChannelInit { Ordered = false, MaxRetransmits = 0 });
        Assert.That(link.Pump(() => link.AnnouncedToB.Count == 1), Is.True);
        var received = Collect(link.AnnouncedToB[0]);
        link.LossRate = 0.2;
        for (var i = 0; i < 200; i++)
        {
            channel.Send(Encoding.UTF8.GetBytes("m" + i));
        }

        link.Pump(() => false, TimeSpan.FromSeconds(30));
        link.LossRate = 0;
        channel.Send("final");
        Assert.That(link.Pump(() => received.Any(m => m.Text == "final"), TimeSpan.FromMinutes(1)), Is.True);
        Assert.That(received.Count, Is.LessThan(201).And.GreaterThan(100));
    }

    [Test]
    public void ManyMessages_ReliableOrderedUnderLoss_AllArriveInOrder()
    {
        var link = Connected(3);
        link.LossRate = 0.05;
        var channel = link.A.CreateDataChannel("reliable");
        Assert.That(link.Pump(() => link.AnnouncedToB.Count == 1), Is.True);
        var received = Collect(link.AnnouncedToB[0]);
        for (var i = 0; i < 1000; i++)
        {
            channel.Send("n" + i);
        }

        Assert.That(link.Pump(() => received.Count == 1000, TimeSpan.FromMinutes(30)), Is.True);
        Assert.That(received.Select(m => m.Text), Is.EqualTo(Enumerable.Range(0, 1000).Select(i => "n" + i)));
    }

    [Test]
    public void ThrowingHandler_DoesNotBreakDelivery()
    {
        var link = Connected();
        var channel = link.A.CreateDataChannel("throws");
        Assert.That(link.Pump(() => link.AnnouncedToB.Count == 1), Is.True);
        var remote = link.AnnouncedToB[0];
        remote.MessageReceived += (_, _) => throw new InvalidOperationException("user bug");
        var received = Collect(remote);
        channel.Send("a");
        channel.Send("b");
        Assert.That(link.Pump(() => received.Count == 2), Is.True);
    }

    private static int ReceivedCount(List<RTCDataChannelMessageEventArgs> list)
    {
        lock (list)
        {
            return list.Count;
        }
    }

    [Test]
    public void CreateDataChannel_BeforeAttach_GetsIdOnAttachAndOpens()
    {
        var now = TimeSpan.FromSeconds(1);
        var options = new SctpAssociationOptions { HeartbeatInterval = Timeout.InfiniteTimeSpan };
        var a = new DataChannelManager(() => now);
        var b = new DataChannelManager(() => now);
        var early = a.CreateDataChannel("early");
        var negotiated = a.CreateDataChannel("neg", new RTCDataChannelInit { Negotiated = true, Id = 3 });
        Assert.That(early.Id, Is.Null, "W3C: id is null until the DTLS role is known");
        Assert.That(a.IsAttached, Is.False);
        Assert.Throws<InvalidOperationException>(() => _ = a.Association);
        Assert.That(negotiated.Id, Is.EqualTo(3));
        Assert.That(a.TryPollTransmit(new byte[1500], now, out _), Is.False);
        Assert.That(a.NextTimeout, Is.Null);
        Assert.Throws<InvalidOperationException>(() => a.Connect(now));

        a.Attach(new SctpAssociation(options, now), isDtlsClient: false);
        b.Attach(new SctpAssociation(options, now), isDtlsClient: true);
        Assert.That(early.Id, Is.EqualTo(1), "the DTLS server allocates odd ids, skipping none in use");
        Assert.Throws<InvalidOperationException>(() => a.Attach(new SctpAssociation(options, now), isDtlsClient: false));
        a.Connect(now);
        b.Connect(now);
        var announced = new List<RTCDataChannel>();
        b.ChannelAnnounced += announced.Add;
        var buffer = new byte[1500];
        for (var i = 0; i < 100 && !(announced.Count == 1 && early.ReadyState == RTCDataChannelState.Open); i++)
        {
            while (a.TryPollTransmit(buffer, now, out var n))
            {
                b.HandleInput(buffer.AsSpan(0, n), now);
            }

            while (b.TryPollTransmit(buffer, now, out var n))
            {
                a.HandleInput(buffer.AsSpan(0, n), now);
            }

            now += TimeSpan.FromMilliseconds(50);
            a.HandleTimeout(now);
            b.HandleTimeout(now);
        }

        Assert.That(announced.Single().Label, Is.EqualTo("early"));
        Assert.That(early.ReadyState, Is.EqualTo(RTCDataChannelState.Open));
        Assert.That(negotiated.ReadyState, Is.EqualTo(RTCDataChannelState.Open));
    }

    [Test]
    public void Abort_BeforeAttach_ClosesChannels()
    {
        var manager = new DataChannelManager(() => TimeSpan.Zero);
        var channel = manager.CreateDataChannel("never");
        var closed = false;
        channel.Closed += (_, _) => closed = true;
        manager.Abort("gone");
        Assert.That(closed, Is.True);
        Assert.That(channel.ReadyState, Is.EqualTo(RTCDataChannelState.Closed));
        Assert.Throws<InvalidOperationException>(() => manager.CreateDataChannel("after"));
    }

    [Test]
    public void Close_BothSidesAtOnce_BothClose()
    {
        var link = Connected();
        var channel = link.A.CreateDataChannel("both");
        Assert.That(link.Pump(() => link.AnnouncedToB.Count == 1), Is.True);
        var remote = link.AnnouncedToB[0];
        channel.Close();
        remote.Close();
        Assert.That(link.Pump(() => channel.ReadyState == RTCDataChannelState.Closed && remote.ReadyState == RTCDataChannelState.Closed), Is.True);
    }

    [Test]
    public void Send_FromSeveralThreadsWhileLoopRuns_EveryMessageArrives()
    {
        var link = Connected();
        var channel = link.A.CreateDataChannel("threads");
        Assert.That(link.Pump(() => link.AnnouncedToB.Count == 1), Is.True);
        var received = Collect(link.AnnouncedToB[0]);
        var senders = Enumerable.Range(0, 4).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < 250; i++)
            {
                await channel.SendAsync(BitConverter.GetBytes((t * 1000) + i));
            }
        })).ToArray();
        Assert.That(link.Pump(() => ReceivedCount(received) == 1000, TimeSpan.FromMinutes(10), 2_000_000), Is.True);
        Assert.That(Task.WaitAll(senders, TimeSpan.FromSeconds(30)), Is.True);
        List<int> values;
        lock (received)
        {
            values = received.Select(m => BitConverter.ToInt32(m.Data.Span)).ToList();
        }

        Assert.That(values.Distinct().Count(), Is.EqualTo(1000));
        for (var t = 0; t < 4; t++)
        {
            var mine = values.Where(v => v / 1000 == t).ToList();
            Assert.That(mine, Is.Ordered, "one sender's messages keep their order");
        }
    }

    [Test]
    public void HoldPolledMessages_ApplicationStalls_WindowClosesSenderWaitsNothingIsLostAndTheFlowResumes()
    {
        // B's application does not consume (its user events pile up, unrun): the messages keep their window bytes, the
        // advertised window closes and A stops sending; zero-window probing must not abort the association.
        const int window = 64 * 1024;
        const int count = 2000;
        var held = new Queue<Action>();
        var options = new SctpAssociationOptions { HeartbeatInterval = Timeout.InfiniteTimeSpan, ReceiveWindow = window, HoldPolledMessages = true };
        var link = new DataChannelTestLink(seed: 5, options, dispatcherB: held.Enqueue);
        var received = new List<int>();
        link.Connect();
        var local = link.A.CreateDataChannel("flood");
        Assert.That(link.Pump(() => local.ReadyState == RTCDataChannelState.Open && RunAll(held) >= 0 && link.AnnouncedToB.Count == 1), Is.True);
        link.AnnouncedToB[0].MessageReceived += (_, e) => received.Add(BitConverter.ToInt32(e.Data.Span));
        var payload = new byte[1024];
        for (var i = 0; i < count; i++)
        {
            BitConverter.TryWriteBytes(payload, i);
            local.Send(payload);
        }

        link.Pump(() => false, TimeSpan.FromSeconds(60));

        var receiver = link.B.Association;
        Assert.That(receiver.IsTerminated, Is.False, "zero-window probes are answered: no abort");
        Assert.That(link.A.Association.IsTerminated, Is.False);
        Assert.That(received, Is.Empty, "nothing consumed yet");
        Assert.That(receiver.ReceiveBufferedAmount, Is.LessThanOrEqualTo(2 * window), "the window bounds what is held");
        Assert.That(link.B.QueuedDeliveryBytes, Is.InRange(window / 2, 2 * window));
        Assert.That(link.B.QueuedDeliveries, Is.LessThan(count / 4));
        Assert.That(link.A.Association.PeerReceiveWindow, Is.LessThan(payload.Length), "A sees the closed window");
        Assert.That(local.BufferedAmount, Is.GreaterThan(count / 2 * payload.Length), "the rest waits at the sender");

        Assert.That(link.Pump(() => RunAll(held) >= 0 && received.Count == count, TimeSpan.FromSeconds(120)), Is.True,
            $"received {received.Count} of {count}");
        Assert.That(received, Is.EqualTo(Enumerable.Range(0, count)));
        Assert.That(link.B.QueuedDeliveryBytes, Is.Zero);
        Assert.That(receiver.ReceiveBufferedAmount, Is.Zero, "every consumed byte went back to the window");
        Assert.That(link.B.PeakQueuedDeliveryBytes, Is.LessThanOrEqualTo(2 * window));
    }

    private static int RunAll(Queue<Action> actions)
    {
        var ran = 0;
        while (actions.TryDequeue(out var action))
        {
            action();
            ran++;
        }

        return ran;
    }
}
