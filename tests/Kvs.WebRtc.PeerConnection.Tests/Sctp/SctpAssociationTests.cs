using NUnit.Framework;
using Kvs.WebRtc.PeerConnection.Sctp;
using Kvs.WebRtc.Testing.Sctp;

namespace Kvs.WebRtc.PeerConnection.Tests.Sctp;

public sealed class SctpAssociationTests
{
    private static readonly SctpAssociationOptions s_noHeartbeat = new() { HeartbeatInterval = Timeout.InfiniteTimeSpan };

    private static SctpTestLink Established(int seed = 1, SctpAssociationOptions? a = null, SctpAssociationOptions? b = null)
    {
        var link = new SctpTestLink(a ?? s_noHeartbeat, b ?? s_noHeartbeat, seed);
        link.Connect();
        Assert.That(link.Pump(() => link.A.State == SctpAssociationState.Established && link.B.State == SctpAssociationState.Established), Is.True);
        return link;
    }

    [Test]
    public void Connect_SimultaneousInit_BothEstablishOnce()
    {
        var link = Established();
        Assert.That(link.EventsA.Count(e => e.Kind == SctpEventKind.Connected), Is.EqualTo(1));
        Assert.That(link.EventsB.Count(e => e.Kind == SctpEventKind.Connected), Is.EqualTo(1));
        Assert.That(link.A.PeerSupportsForwardTsn && link.A.PeerSupportsReconfig, Is.True);
    }

    [Test]
    public void Connect_OneSideInitiates_PassiveSideEstablishes()
    {
        var link = new SctpTestLink(s_noHeartbeat, s_noHeartbeat);
        link.Connect(both: false);
        Assert.That(link.Pump(() => link.A.State == SctpAssociationState.Established && link.B.State == SctpAssociationState.Established), Is.True);
    }

    [Test]
    public void Send_SmallMessage_DeliveredWithPpid()
    {
        var link = Established();
        Assert.That(link.A.Send(1, 51, "hello"u8, false, SctpReliability.Reliable, link.Now), Is.EqualTo(SctpSendStatus.Queued));
        Assert.That(link.Pump(() => link.Messages(false).Any()), Is.True);
        var m = link.Messages(false).Single();
        Assert.That((m.StreamId, m.Ppid, m.Data), Is.EqualTo(((ushort)1, 51u, "hello"u8.ToArray())));
    }

    [TestCase(0.0, 1)]
    [TestCase(0.05, 2)]
    [TestCase(0.20, 3)]
    public void Send_ReliableOrderedUnderImpairment_EveryMessageOnceInOrder(double loss, int seed)
    {
        var link = Established(seed);
        link.LossRate = loss;
        link.DuplicateRate = 0.02;
        link.ReorderRate = 0.1;
        var random = new Random(seed);
        var count = loss >= 0.2 ? 500 : 2000;
        var sent = new List<byte[]>();
        for (var i = 0; i < count; i++)
        {
            var size = (i % 97) switch
            {
                0 => 256 * 1024,
                < 10 => random.Next(1200, 20000),
                _ => random.Next(1, 1100),
            };
            var data = new byte[size];
            random.NextBytes(data);
            BitConverter.TryWriteBytes(data.AsSpan(0, Math.Min(4, size)), i);
            sent.Add(data);
        }

        var next = 0;
        bool Feed()
        {
            while (next < sent.Count && link.A.TotalBufferedAmount < 1_000_000)
            {
                Assert.That(link.A.Send(3, 53, sent[next], false, SctpReliability.Reliable, link.Now), Is.EqualTo(SctpSendStatus.Queued));
                next++;
            }

            return next == sent.Count && link.MessagesReceivedByB >= count;
        }

        Assert.That(link.Pump(Feed, maxTime: TimeSpan.FromHours(2)), Is.True, $"delivered {link.Messages(false).Count()} of {count}");
        var received = link.Messages(false).Select(e => e.Data!).ToList();
        Assert.That(received, Has.Count.EqualTo(count));
        for (var i = 0; i < count; i++)
        {
            Assert.That(received[i].AsSpan().SequenceEqual(sent[i]), Is.True, $"message {i}");
        }
    }

    [Test]
    public void Send_UnorderedUnderImpairment_EveryMessageExactlyOnce()
    {
        var link = Established(4);
        link.LossRate = 0.1;
        link.DuplicateRate = 0.05;
        link.ReorderRate = 0.3;
        const int count = 600;
        for (var i = 0; i < count; i++)
        {
            var data = new byte[4 + (i % 3000)];
            BitConverter.TryWriteBytes(data, i);
            Assert.That(link.A.Send(2, 53, data, true, SctpReliability.Reliable, link.Now), Is.EqualTo(SctpSendStatus.Queued));
        }

        Assert.That(link.Pump(() => link.Messages(false).Count() >= count), Is.True);
        link.Advance(TimeSpan.FromSeconds(5));
        var ids = link.Messages(false).Select(e => BitConverter.ToInt32(e.Data)).ToList();
        Assert.That(ids, Has.Count.EqualTo(count));
        Assert.That(ids.Distinct().Count(), Is.EqualTo(count));
    }

    [Test]
    public void Send_BidirectionalTraffic_BothSidesDeliver()
    {
        var link = Established(5);
        link.LossRate = 0.05;
        for (var i = 0; i < 300; i++)
        {
            link.A.Send(0, 51, new byte[500], false, SctpReliability.Reliable, link.Now);
            link.B.Send(1, 53, new byte[1500], false, SctpReliability.Reliable, link.Now);
        }

        Assert.That(link.Pump(() => link.Messages(false).Count() == 300 && link.Messages(true).Count() == 300), Is.True);
    }

    [Test]
    public void Send_OneDataPacketLost_FastRetransmitRecoversWithoutTimeout()
    {
        var link = Established();
        var dataPackets = 0;
        link.Filter = (toB, packet) => toB && packet.Length > 100 && ++dataPackets == 3;
        for (var i = 0; i < 40; i++)
        {
            link.A.Send(0, 53, new byte[1000], false, SctpReliability.Reliable, link.Now);
        }

        Assert.That(link.Pump(() => link.Messages(false).Count() == 40), Is.True);
        Assert.That(link.A.Statistics.FastRetransmits, Is.GreaterThanOrEqualTo(1));
        Assert.That(link.A.Statistics.T3Expirations, Is.Zero);
    }

    [Test]
    public void Send_LastPacketLost_T3RetransmitsAfterRto()
    {
        var link = Established();
        var start = link.Now;
        var dropped = false;
        link.Filter = (toB, packet) => toB && packet.Length > 100 && !dropped && (dropped = true);
        link.A.Send(0, 53, new byte[800], false, SctpReliability.Reliable, link.Now);
        Assert.That(link.Pump(() => link.Messages(false).Any()), Is.True);
        Assert.That(link.A.Statistics.T3Expirations, Is.EqualTo(1));
        Assert.That(link.Now - start, Is.GreaterThanOrEqualTo(link.A.Options.RtoInitial), "no RTT sample yet, so T3 runs on RTO.Initial");
    }

    [Test]
    public void Receive_SinglePacket_SackIsDelayed()
    {
        var link = Established();
        TimeSpan? sackAt = null;
        var sentAt = link.Now;
        link.Filter = (toB, packet) =>
        {
            if (!toB && packet.Length > 12 && packet[12] == (byte)SctpChunkType.Sack)
            {
                sackAt ??= link.Now;
            }

            return false;
        };
        link.A.Send(0, 53, new byte[100], false, SctpReliability.Reliable, link.Now);
        Assert.That(link.Pump(() => sackAt is not null), Is.True);
        Assert.That(sackAt!.Value - sentAt, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(200)));
        Assert.That(sackAt.Value - sentAt, Is.LessThan(TimeSpan.FromMilliseconds(300)));
    }

    [Test]
    public void Receive_Gap_SackReportsGapBlockAtOnce()
    {
        var link = Established();
        var dataPackets = 0;
        var gapSacks = 0;
        link.Filter = (toB, packet) =>
        {
            if (!toB && packet[12] == (byte)SctpChunkType.Sack && SackChunk.TryParse(packet.AsSpan(16), out var sack) && sack.GapBlockCount > 0)
            {
                gapSacks++;
            }

            return toB && packet.Length > 100 && ++dataPackets == 1;
        };
        link.A.Send(0, 53, new byte[1000], false, SctpReliability.Reliable, link.Now);
        link.A.Send(0, 53, new byte[1000], false, SctpReliability.Reliable, link.Now);
        Assert.That(link.Pump(() => link.Messages(false).Count() == 2), Is.True);
        Assert.That(gapSacks, Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public void Receive_DuplicatedPackets_ReportedAsDuplicatesAndDeliveredOnce()
    {
        var link = Established();
        link.DuplicateRate = 1.0;
        var dupSacks = 0;
        link.Filter = (toB, packet) =>
        {
            if (!toB && packet[12] == (byte)SctpChunkType.Sack && SackChunk.TryParse(packet.AsSpan(16), out var sack) && sack.DuplicateCount > 0)
            {
                dupSacks++;
            }

            return false;
        };
        for (var i = 0; i < 10; i++)
        {
            link.A.Send(0, 53, [(byte)i], false, SctpReliability.Reliable, link.Now);
        }

        Assert.That(link.Pump(() => link.Messages(false).Count() == 10), Is.True);
        link.Advance(TimeSpan.FromSeconds(2));
        Assert.That(link.Messages(false).Select(m => m.Data![0]), Is.EqualTo(Enumerable.Range(0, 10).Select(i => (byte)i)));
        Assert.That(dupSacks, Is.GreaterThan(0));
        Assert.That(link.B.Statistics.DuplicateDataChunks, Is.GreaterThan(0));
    }

    [Test]
    public void PartialReliability_MaxRetransmitsZero_AbandonsAndForwardTsnUnblocksOrderedStream()
    {
        var link = Established();
        var dropData = true;
        link.Filter = (toB, packet) => toB && dropData && packet.Length > 100;
        link.A.Send(4, 53, new byte[3000], false, SctpReliability.WithMaxRetransmits(0), link.Now);
        link.Drain();
        dropData = false;
        link.A.Send(4, 53, new byte[200], false, SctpReliability.WithMaxRetransmits(0), link.Now);
        Assert.That(link.Pump(() => link.Messages(false).Any()), Is.True);
        var delivered = link.Messages(false).ToList();
        Assert.That(delivered, Has.Count.EqualTo(1));
        Assert.That(delivered[0].Data, Has.Length.EqualTo(200));
        Assert.That(link.A.Statistics.MessagesAbandoned, Is.EqualTo(1));
        link.Advance(TimeSpan.FromSeconds(3));
        Assert.That(link.A.InflightChunkCount, Is.Zero, "FORWARD-TSN moved the peer's cumulative TSN past the abandoned chunks");
    }

    [Test]
    public void PartialReliability_Lifetime_ExpiredMessageIsSkipped()
    {
        var link = Established();
        var dropData = true;
        link.Filter = (toB, packet) => toB && dropData && packet.Length > 100;
        link.A.Send(6, 53, new byte[500], false, SctpReliability.WithLifetime(TimeSpan.FromMilliseconds(300)), link.Now);
        link.Drain();
        link.Advance(TimeSpan.FromMilliseconds(400));
        dropData = false;
        link.A.Send(6, 53, new byte[150], false, SctpReliability.Reliable, link.Now);
        Assert.That(link.Pump(() => link.Messages(false).Any()), Is.True);
        link.Advance(TimeSpan.FromSeconds(5));
        Assert.That(link.Messages(false).Select(m => m.Data!.Length), Is.EqualTo(new[] { 150 }));
        Assert.That(link.A.Statistics.MessagesAbandoned, Is.EqualTo(1));
    }

    [Test]
    public void PartialReliability_UnreliableUnderLoss_NeverStallsReliableTraffic()
    {
        var link = Established(9);
        link.LossRate = 0.2;
        for (var i = 0; i < 200; i++)
        {
            link.A.Send(8, 53, new byte[700], true, SctpReliability.WithMaxRetransmits(0), link.Now);
            link.A.Send(10, 53, BitConverter.GetBytes(i), false, SctpReliability.Reliable, link.Now);
        }

        Assert.That(link.Pump(() => link.Messages(false).Count(m => m.StreamId == 10) == 200), Is.True);
        Assert.That(link.Messages(false).Where(m => m.StreamId == 10).Select(m => BitConverter.ToInt32(m.Data)), Is.EqualTo(Enumerable.Range(0, 200)));
        Assert.That(link.Messages(false).Count(m => m.StreamId == 8), Is.LessThan(200).And.GreaterThan(0));
        Assert.That(link.A.Statistics.MessagesAbandoned, Is.GreaterThan(0));
    }

    [Test]
    public void ResetStreams_BothSidesReportAndStreamRestartsAtSsnZero()
    {
        var link = Established();
        link.A.Send(3, 51, "before"u8, false, SctpReliability.Reliable, link.Now);
        link.A.ResetStreams([3], link.Now);
        Assert.That(link.A.Send(3, 51, "during"u8, false, SctpReliability.Reliable, link.Now), Is.EqualTo(SctpSendStatus.InvalidStream));
        Assert.That(link.Pump(() => link.EventsA.Any(e => e.Kind == SctpEventKind.OutgoingStreamReset)), Is.True);
        Assert.That(link.EventsB.Single(e => e.Kind == SctpEventKind.IncomingStreamReset).StreamId, Is.EqualTo(3));
        var order = link.EventsB.Select(e => e.Kind).ToList();
        Assert.That(order.IndexOf(SctpEventKind.MessageReceived), Is.LessThan(order.IndexOf(SctpEventKind.IncomingStreamReset)), "data sent before the reset is delivered first");
        Assert.That(link.A.Send(3, 51, "after"u8, false, SctpReliability.Reliable, link.Now), Is.EqualTo(SctpSendStatus.Queued));
        Assert.That(link.Pump(() => link.Messages(false).Count() == 2), Is.True);
    }

    [Test]
    public void ResetStreams_RequestLost_IsRetransmitted()
    {
        var link = Established();
        var dropped = false;
        link.Filter = (toB, packet) => toB && packet[12] == (byte)SctpChunkType.ReConfig && !dropped && (dropped = true);
        link.A.ResetStreams([7], link.Now);
        Assert.That(link.Pump(() => link.EventsA.Any(e => e.Kind == SctpEventKind.OutgoingStreamReset)), Is.True);
        Assert.That(dropped, Is.True);
    }

    [Test]
    public void Abort_PeerSeesClosedAborted()
    {
        var link = Established();
        link.A.Abort("bye", link.Now);
        Assert.That(link.Pump(() => link.EventsB.Any(e => e.Kind == SctpEventKind.Closed)), Is.True);
        Assert.That(link.EventsB.Single(e => e.Kind == SctpEventKind.Closed).Aborted, Is.True);
        Assert.That(link.A.IsTerminated && link.B.IsTerminated, Is.True);
        Assert.That(link.A.Send(0, 51, "x"u8, false, SctpReliability.Reliable, link.Now), Is.EqualTo(SctpSendStatus.InvalidState));
    }

    [Test]
    public void Shutdown_AfterQueuedData_DeliversThenClosesGracefully()
    {
        var link = Established(11);
        link.LossRate = 0.1;
        for (var i = 0; i < 50; i++)
        {
            link.A.Send(0, 53, new byte[2000], false, SctpReliability.Reliable, link.Now);
        }

        link.A.Shutdown(link.Now);
        Assert.That(link.Pump(() => link.A.IsTerminated && link.B.IsTerminated), Is.True);
        Assert.That(link.Messages(false).Count(), Is.EqualTo(50));
        Assert.That(link.EventsA.Single(e => e.Kind == SctpEventKind.Closed).Aborted, Is.False);
        Assert.That(link.EventsB.Single(e => e.Kind == SctpEventKind.Closed).Aborted, Is.False);
    }

    [Test]
    public void Heartbeat_IdleAssociation_ExchangesHeartbeatsAndStaysUp()
    {
        var options = new SctpAssociationOptions { HeartbeatInterval = TimeSpan.FromSeconds(30) };
        var link = Established(a: options, b: options);
        var heartbeats = 0;
        var acks = 0;
        link.Filter = (toB, packet) =>
        {
            heartbeats += packet[12] == (byte)SctpChunkType.Heartbeat ? 1 : 0;
            acks += packet[12] == (byte)SctpChunkType.HeartbeatAck ? 1 : 0;
            return false;
        };
        link.Advance(TimeSpan.FromMinutes(3));
        Assert.That(heartbeats, Is.GreaterThanOrEqualTo(4));
        Assert.That(acks, Is.EqualTo(heartbeats));
        Assert.That(link.A.State, Is.EqualTo(SctpAssociationState.Established));
    }

    [Test]
    public void Heartbeat_PeerSilent_AssociationFails()
    {
        var options = new SctpAssociationOptions { HeartbeatInterval = TimeSpan.FromSeconds(5), MaxAssociationRetransmits = 3 };
        var link = Established(a: options, b: options);
        link.Filter = (toB, _) => !toB;
        Assert.That(link.Pump(() => link.A.IsTerminated, maxTime: TimeSpan.FromHours(1)), Is.True);
        Assert.That(link.EventsA.Single(e => e.Kind == SctpEventKind.Closed).Aborted, Is.True);
    }

    [Test]
    public void Connect_PeerNeverAnswers_FailsAfterInitRetransmits()
    {
        var link = new SctpTestLink(new SctpAssociationOptions { MaxInitRetransmits = 3 }, null);
        link.Filter = (_, _) => true;
        link.A.Connect(link.Now);
        Assert.That(link.Pump(() => link.A.IsTerminated, maxTime: TimeSpan.FromHours(1)), Is.True);
        Assert.That(link.EventsA.Single().Kind, Is.EqualTo(SctpEventKind.Closed));
    }

    [Test]
    public void Connect_LossyHandshake_StillEstablishes()
    {
        var link = new SctpTestLink(s_noHeartbeat, s_noHeartbeat, 21) { LossRate = 0.4 };
        link.Connect();
        Assert.That(link.Pump(() => link.A.State == SctpAssociationState.Established && link.B.State == SctpAssociationState.Established, maxTime: TimeSpan.FromHours(1)), Is.True);
    }

    [Test]
    public void Send_BufferedAmountLow_FiresWhenDrainedBelowThreshold()
    {
        var link = Established();
        link.A.SetBufferedAmountLowThreshold(2, 10_000);
        for (var i = 0; i < 100; i++)
        {
            link.A.Send(2, 53, new byte[1000], false, SctpReliability.Reliable, link.Now);
        }

        Assert.That(link.A.GetBufferedAmount(2), Is.EqualTo(100_000));
        Assert.That(link.Pump(() => link.EventsA.Any(e => e.Kind == SctpEventKind.BufferedAmountLow)), Is.True);
        Assert.That(link.A.GetBufferedAmount(2), Is.LessThanOrEqualTo(10_000));
        Assert.That(link.EventsA.Single(e => e.Kind == SctpEventKind.BufferedAmountLow).StreamId, Is.EqualTo(2));
    }

    [Test]
    public void Send_InvalidArguments_AreRefused()
    {
        var link = Established(a: new SctpAssociationOptions { MaxSendMessageSize = 1000, MaxBufferedAmount = 5000, HeartbeatInterval = Timeout.InfiniteTimeSpan });
        Assert.That(link.A.Send(0, 53, new byte[1001], false, SctpReliability.Reliable, link.Now), Is.EqualTo(SctpSendStatus.MessageTooLarge));
        Assert.That(link.A.Send(0, 53, [], false, SctpReliability.Reliable, link.Now), Is.EqualTo(SctpSendStatus.EmptyMessage));
        for (var i = 0; i < 5; i++)
        {
            Assert.That(link.A.Send(0, 53, new byte[1000], false, SctpReliability.Reliable, link.Now), Is.EqualTo(SctpSendStatus.Queued));
        }

        Assert.That(link.A.Send(0, 53, new byte[1], false, SctpReliability.Reliable, link.Now), Is.EqualTo(SctpSendStatus.BufferFull));
    }

    [Test]
    public void Receive_MessageLargerThanMaxReceiveSize_AbortsAssociation()
    {
        var link = Established(b: new SctpAssociationOptions { MaxReceiveMessageSize = 4000, HeartbeatInterval = Timeout.InfiniteTimeSpan });
        link.A.Send(0, 53, new byte[10_000], false, SctpReliability.Reliable, link.Now);
        Assert.That(link.Pump(() => link.A.IsTerminated && link.B.IsTerminated), Is.True);
        Assert.That(link.Messages(false), Is.Empty);
        Assert.That(link.EventsA.Single(e => e.Kind == SctpEventKind.Closed).Aborted, Is.True);
    }

    [Test]
    public void Receive_SmallWindow_SenderRespectsItAndDeliversAll()
    {
        var link = Established(b: new SctpAssociationOptions { ReceiveWindow = 8000, HeartbeatInterval = Timeout.InfiniteTimeSpan });
        link.OnEvent = (isA, e) => Assert.That(link.B.ReceiveBufferedAmount, Is.LessThanOrEqualTo(16_000));
        for (var i = 0; i < 100; i++)
        {
            link.A.Send(0, 53, new byte[3000], false, SctpReliability.Reliable, link.Now);
        }

        Assert.That(link.Pump(() => link.Messages(false).Count() == 100), Is.True);
    }

    [Test]
    public void Send_LargeBacklog_NewDataLimitedToMaxBurstPerSack()
    {
        var link = Established();
        for (var i = 0; i < 200; i++)
        {
            link.A.Send(0, 53, new byte[1000], false, SctpReliability.Reliable, link.Now);
        }

        var buffer = new byte[1500];
        var packets = 0;
        while (link.A.TryPollTransmit(buffer, link.Now, out _))
        {
            packets++;
        }

        Assert.That(packets, Is.EqualTo(link.A.Options.MaxBurst), "RFC 9260 §6.1 D: at most Max.Burst packets before the next SACK");
        Assert.That(link.Pump(() => link.Messages(false).Count() == 200), Is.True, "ack clocking moves the rest");
    }

    [Test]
    public void Receive_ApplicationDrainsFullWindow_WindowUpdateSackSent()
    {
        var link = new SctpTestLink(s_noHeartbeat, new SctpAssociationOptions { ReceiveWindow = 20_000, HeartbeatInterval = Timeout.InfiniteTimeSpan });
        link.Connect();
        Assert.That(link.Pump(() => link.B.State == SctpAssociationState.Established && link.A.State == SctpAssociationState.Established), Is.True);
        var buffer = new byte[1500];
        var now = link.Now;
        for (var i = 0; i < 30; i++)
        {
            link.A.Send(0, 53, new byte[1000], false, SctpReliability.Reliable, now);
        }

        // Deliver by hand without letting B's application poll its messages: B's window fills up.
        for (var round = 0; round < 50; round++)
        {
            while (link.A.TryPollTransmit(buffer, now, out var n))
            {
                link.B.HandleInput(buffer.AsSpan(0, n), now);
            }

            while (link.B.TryPollTransmit(buffer, now, out var n))
            {
                link.A.HandleInput(buffer.AsSpan(0, n), now);
            }

            now += TimeSpan.FromMilliseconds(300);
            link.A.HandleTimeout(now);
            link.B.HandleTimeout(now);
        }

        Assert.That(link.B.ReceiveBufferedAmount, Is.GreaterThanOrEqualTo(19_000), "the window is full");
        Assert.That(link.B.TryPollTransmit(buffer, now, out _), Is.False, "nothing to say while the window stays closed");
        while (link.B.TryPollEvent(out _))
        {
        }

        Assert.That(link.B.TryPollTransmit(buffer, now, out var length), Is.True, "a window update follows the drain");
        Assert.That(buffer[12], Is.EqualTo((byte)SctpChunkType.Sack));
        Assert.That(SackChunk.TryParse(buffer.AsSpan(16, length - 16), out var sack) && sack.AdvertisedReceiverWindow > 10_000, Is.True);
    }

    [Test]
    public void HoldPolledMessages_PolledBytesStayInTheWindowUntilReleased_AndTheReleaseReopensIt()
    {
        const int window = 16 * 1024;
        const int count = 60;
        var link = Established(b: new SctpAssociationOptions { HeartbeatInterval = Timeout.InfiniteTimeSpan, ReceiveWindow = window, HoldPolledMessages = true });
        var payload = new byte[1000];
        for (var i = 0; i < count; i++)
        {
            Assert.That(link.A.Send(1, 53, payload, false, SctpReliability.Reliable, link.Now), Is.EqualTo(SctpSendStatus.Queued));
        }

        // Nothing is released: the window closes, A probes, and over a minute of probe timeouts the association survives.
        link.Pump(() => false, maxTime: TimeSpan.FromSeconds(60));
        var delivered = link.Messages(false).Count();

        Assert.That(delivered, Is.InRange(window / payload.Length, 2 * window / payload.Length), "the window, at most twice for in-order chunks");
        Assert.That(link.B.ReceiveBufferedAmount, Is.EqualTo((long)delivered * payload.Length), "polled messages still count");
        Assert.That(link.A.PeerReceiveWindow, Is.LessThan(payload.Length));
        Assert.That(link.A.IsTerminated || link.B.IsTerminated, Is.False, "zero-window probe timeouts do not abort");

        link.B.ChargeReceived(100);
        Assert.That(link.B.ReceiveBufferedAmount, Is.EqualTo((long)delivered * payload.Length + 100));
        Assert.That(link.B.ReleaseReceived(((long)delivered * payload.Length) + 100), Is.True, "a window update is due");
        var released = delivered;
        Assert.That(link.Pump(() =>
        {
            var now = link.Messages(false).Count();
            link.B.ReleaseReceived((long)(now - released) * payload.Length);
            released = now;
            return now == count;
        }), Is.True);
        Assert.That(link.B.ReceiveBufferedAmount, Is.Zero);
    }
}
