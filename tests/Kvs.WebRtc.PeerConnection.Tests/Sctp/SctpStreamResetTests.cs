using Kvs.WebRtc.PeerConnection.Sctp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Sctp;

public sealed class SctpStreamResetTests
{
    private const uint OurFirstSeq = 1000;
    private const uint PeerFirstSeq = 5000;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(1);
    private static readonly Func<ushort, bool> AllDrained = _ => true;

    private static SctpStreamReset NewReset(uint ours = OurFirstSeq, uint peers = PeerFirstSeq)
    {
        var reset = new SctpStreamReset(ours);
        reset.SetPeerInitialSequence(peers);
        return reset;
    }

    /// <summary>What one RE-CONFIG chunk carried.</summary>
    private sealed record Built((uint Seq, SctpReconfigResult Result)? Response, (uint Seq, uint ResponseSeq, uint LastTsn, ushort[] Streams)? Request);

    private static Built? Build(SctpStreamReset reset, int room = 1200)
    {
        var buffer = new byte[SctpPacket.CommonHeaderLength + room];
        var writer = new SctpPacketWriter(buffer, 1, 2, 3);
        if (!reset.TryBuildChunk(ref writer))
        {
            Assert.That(writer.HasChunks, Is.False);
            return null;
        }

        var chunkReader = new SctpChunkReader(buffer.AsSpan(SctpPacket.CommonHeaderLength, writer.Position - SctpPacket.CommonHeaderLength));
        Assert.That(chunkReader.TryReadNext(out var chunk), Is.True);
        Assert.That(chunk.Type, Is.EqualTo(SctpChunkType.ReConfig));
        (uint, SctpReconfigResult)? response = null;
        (uint, uint, uint, ushort[])? request = null;
        var reader = new SctpParameterReader(chunk.Value);
        while (reader.TryReadNext(out var type, out var value))
        {
            if (type == (ushort)SctpParameterType.ReconfigurationResponse)
            {
                Assert.That(ReconfigResponseParameter.TryParse(value, out var r), Is.True);
                response = (r.ResponseSequence, r.Result);
            }
            else
            {
                Assert.That(OutgoingSsnResetRequestParameter.TryParse(value, out var q), Is.True);
                var streams = new ushort[q.StreamCount];
                for (var i = 0; i < streams.Length; i++)
                {
                    streams[i] = q.GetStream(i);
                }

                request = (q.RequestSequence, q.ResponseSequence, q.LastAssignedTsn, streams);
            }
        }

        return new Built(response, request);
    }

    private static byte[] RequestBytes(uint seq, uint lastTsn, params ushort[] streams)
    {
        var buffer = new byte[256];
        var writer = new SctpPacketWriter(buffer, 1, 2, 3);
        writer.BeginChunk(SctpChunkType.ReConfig, 0);
        OutgoingSsnResetRequestParameter.Write(ref writer, seq, 0, lastTsn, streams);
        writer.EndChunk();
        var reader = new SctpParameterReader(buffer.AsSpan(SctpPacket.CommonHeaderLength + SctpPacket.ChunkHeaderLength, writer.Position - SctpPacket.CommonHeaderLength - SctpPacket.ChunkHeaderLength));
        Assert.That(reader.TryReadNext(out _, out var value), Is.True);
        return value.ToArray();
    }

    private static ushort[]? OnRequest(SctpStreamReset reset, uint seq, uint lastTsn, uint cumulativeTsn, params ushort[] streams)
    {
        Assert.That(OutgoingSsnResetRequestParameter.TryParse(RequestBytes(seq, lastTsn, streams), out var request), Is.True);
        return reset.OnOutgoingResetRequest(request, cumulativeTsn);
    }

    [Test]
    public void Request_WhenDrained_IsSentWithOurSequenceAndLastTsn()
    {
        var reset = NewReset();
        reset.Request(3);
        reset.Request(5);
        Assert.That(reset.HasChunkToSend, Is.False, "nothing is sent before a request starts");
        Assert.That(reset.TryStartRequest(AllDrained, 77, Deadline), Is.True);
        Assert.That(reset.NextTimeout, Is.EqualTo(Deadline));
        Assert.That(reset.InFlightStreams, Is.EqualTo(new ushort[] { 3, 5 }));
        var built = Build(reset)!;
        Assert.That(built.Response, Is.Null);
        Assert.That(built.Request!.Value.Seq, Is.EqualTo(OurFirstSeq));
        Assert.That(built.Request.Value.ResponseSeq, Is.EqualTo(PeerFirstSeq - 1), "the last peer request we saw");
        Assert.That(built.Request.Value.LastTsn, Is.EqualTo(77u));
        Assert.That(built.Request.Value.Streams, Is.EqualTo(new ushort[] { 3, 5 }));
        Assert.That(reset.HasChunkToSend, Is.False);
        Assert.That(Build(reset), Is.Null, "written once");
    }

    [Test]
    public void StreamWithQueuedData_WaitsUntilDrained()
    {
        var reset = NewReset();
        var drained = new HashSet<ushort> { 2 };
        reset.Request(1);
        reset.Request(2);
        Assert.That(reset.TryStartRequest(drained.Contains, 10, Deadline), Is.True);
        Assert.That(reset.InFlightStreams, Is.EqualTo(new ushort[] { 2 }));
        Assert.That(reset.WaitingStreams, Is.EqualTo(new ushort[] { 1 }));
        Assert.That(reset.OnResponse(OurFirstSeq, SctpReconfigResult.SuccessPerformed, Deadline, out _), Is.True);
        Assert.That(reset.TryStartRequest(drained.Contains, 10, Deadline), Is.False, "stream 1 still has data");
        drained.Add(1);
        Assert.That(reset.TryStartRequest(drained.Contains, 11, Deadline), Is.True);
        Assert.That(Build(reset)!.Request!.Value.Seq, Is.EqualTo(OurFirstSeq + 1));
    }

    [Test]
    public void OneRequestInFlight_LaterStreamsWaitForTheResponse()
    {
        var reset = NewReset();
        reset.Request(1);
        reset.TryStartRequest(AllDrained, 10, Deadline);
        reset.Request(2);
        Assert.That(reset.TryStartRequest(AllDrained, 10, Deadline), Is.False);
        Assert.That(reset.OnResponse(OurFirstSeq, SctpReconfigResult.SuccessNothingToDo, Deadline, out var done), Is.True);
        Assert.That(done, Is.EqualTo(new ushort[] { 1 }));
        Assert.That(reset.InFlightStreams, Is.Null);
        Assert.That(reset.NextTimeout, Is.Null);
        Assert.That(reset.TryStartRequest(AllDrained, 12, Deadline), Is.True);
        Assert.That(reset.InFlightStreams, Is.EqualTo(new ushort[] { 2 }));
    }

    [Test]
    public void ManyStreams_AreSplitIntoRequestsOfAtMostTheCap()
    {
        var reset = NewReset();
        for (ushort id = 0; id < 300; id++)
        {
            reset.Request(id);
        }

        reset.TryStartRequest(AllDrained, 1, Deadline);
        Assert.That(reset.InFlightStreams, Has.Count.EqualTo(SctpStreamReset.MaxStreamsPerRequest));
        Assert.That(reset.WaitingStreams, Has.Count.EqualTo(300 - SctpStreamReset.MaxStreamsPerRequest));
    }

    [Test]
    public void Response_WithAnotherSequence_IsIgnored()
    {
        var reset = NewReset();
        reset.Request(1);
        reset.TryStartRequest(AllDrained, 10, Deadline);
        Assert.That(reset.OnResponse(OurFirstSeq + 1, SctpReconfigResult.SuccessPerformed, Deadline, out var streams), Is.False);
        Assert.That(reset.OnResponse(OurFirstSeq - 1, SctpReconfigResult.SuccessPerformed, Deadline, out _), Is.False);
        Assert.That(streams, Is.Empty);
        Assert.That(reset.InFlightStreams, Is.Not.Null);
        Assert.That(NewReset().OnResponse(OurFirstSeq, SctpReconfigResult.SuccessPerformed, Deadline, out _), Is.False, "no request in flight");
    }

    [Test]
    public void Response_InProgress_RestartsTheTimer()
    {
        var reset = NewReset();
        reset.Request(1);
        reset.TryStartRequest(AllDrained, 10, Deadline);
        var later = TimeSpan.FromSeconds(5);
        Assert.That(reset.OnResponse(OurFirstSeq, SctpReconfigResult.InProgress, later, out _), Is.False);
        Assert.That(reset.NextTimeout, Is.EqualTo(later));
        Assert.That(reset.InFlightStreams, Is.Not.Null);
    }

    [Test]
    public void Response_Denied_EndsTheRequestWithItsStreams()
    {
        var reset = NewReset();
        reset.Request(4);
        reset.TryStartRequest(AllDrained, 10, Deadline);
        Assert.That(reset.OnResponse(OurFirstSeq, SctpReconfigResult.Denied, Deadline, out var streams), Is.True);
        Assert.That(streams, Is.EqualTo(new ushort[] { 4 }));
        Assert.That(reset.RequestSequence, Is.EqualTo(OurFirstSeq + 1), "a finished request uses up its sequence number");
    }

    [Test]
    public void Timeout_ResendsTheSameRequest()
    {
        var reset = NewReset();
        reset.Request(1);
        reset.TryStartRequest(AllDrained, 10, Deadline);
        Build(reset);
        Assert.That(reset.HandleTimeout(Deadline - TimeSpan.FromTicks(1)), Is.False);
        Assert.That(reset.NextTimeout, Is.EqualTo(Deadline));
        Assert.That(reset.HandleTimeout(Deadline), Is.True);
        Assert.That(reset.NextTimeout, Is.Null);
        reset.Retransmit(Deadline * 3);
        Assert.That(reset.NextTimeout, Is.EqualTo(Deadline * 3));
        var built = Build(reset)!;
        Assert.That((built.Request!.Value.Seq, built.Request.Value.LastTsn), Is.EqualTo((OurFirstSeq, 10u)));
    }

    [Test]
    public void Timeout_AfterTheResponse_DoesNothing()
    {
        var reset = NewReset();
        reset.Request(1);
        reset.TryStartRequest(AllDrained, 10, Deadline);
        reset.OnResponse(OurFirstSeq, SctpReconfigResult.InProgress, Deadline, out _);
        reset.OnResponse(OurFirstSeq, SctpReconfigResult.SuccessPerformed, Deadline, out _);
        Assert.That(reset.HandleTimeout(Deadline * 10), Is.False);
        reset.Retransmit(Deadline * 20);
        Assert.That((reset.NextTimeout, reset.HasChunkToSend), Is.EqualTo(((TimeSpan?)null, false)));
        Assert.That(NewReset().HandleTimeout(Deadline), Is.False, "no timer");
    }

    [Test]
    public void IncomingRequest_Expected_IsPerformedAndAnswered()
    {
        var reset = NewReset();
        Assert.That(OnRequest(reset, PeerFirstSeq, lastTsn: 40, cumulativeTsn: 40, 7, 9), Is.EqualTo(new ushort[] { 7, 9 }));
        Assert.That(reset.PeerExpectedSequence, Is.EqualTo(PeerFirstSeq + 1));
        Assert.That(Build(reset)!.Response, Is.EqualTo((PeerFirstSeq, SctpReconfigResult.SuccessPerformed)));
    }

    [Test]
    public void IncomingRequest_EmptyList_MeansEveryStream()
    {
        var reset = NewReset();
        Assert.That(OnRequest(reset, PeerFirstSeq, 40, 40), Is.Empty);
    }

    [Test]
    public void IncomingRequest_Retransmitted_GetsTheSameAnswerAgain_AndIsNotPerformedTwice()
    {
        var reset = NewReset();
        OnRequest(reset, PeerFirstSeq, 40, 40, 7);
        Build(reset);
        Assert.That(OnRequest(reset, PeerFirstSeq, 40, 40, 7), Is.Null);
        Assert.That(Build(reset)!.Response, Is.EqualTo((PeerFirstSeq, SctpReconfigResult.SuccessPerformed)));
        Assert.That(reset.PeerExpectedSequence, Is.EqualTo(PeerFirstSeq + 1));
    }

    [Test]
    public void IncomingRequest_BadSequence_IsAnsweredWithAnError()
    {
        var reset = NewReset();
        Assert.That(OnRequest(reset, PeerFirstSeq + 5, 40, 40, 7), Is.Null);
        Assert.That(Build(reset)!.Response, Is.EqualTo((PeerFirstSeq + 5, SctpReconfigResult.ErrorBadSequenceNumber)));
        Assert.That(reset.PeerExpectedSequence, Is.EqualTo(PeerFirstSeq));
    }

    [Test]
    public void IncomingRequest_BeforeItsLastTsnArrived_IsDeferred()
    {
        var reset = NewReset();
        Assert.That(OnRequest(reset, PeerFirstSeq, lastTsn: 50, cumulativeTsn: 45, 7), Is.Null);
        Assert.That(Build(reset)!.Response, Is.EqualTo((PeerFirstSeq, SctpReconfigResult.InProgress)));
        Assert.That(OnRequest(reset, PeerFirstSeq, 50, 46, 7), Is.Null, "retransmitted while deferred");
        Assert.That(Build(reset)!.Response, Is.EqualTo((PeerFirstSeq, SctpReconfigResult.InProgress)));
        Assert.That(reset.TryCompleteDeferred(49), Is.Null);
        Assert.That(reset.HasChunkToSend, Is.False);
        Assert.That(reset.TryCompleteDeferred(50), Is.EqualTo(new ushort[] { 7 }));
        Assert.That(reset.PeerExpectedSequence, Is.EqualTo(PeerFirstSeq + 1));
        Assert.That(Build(reset)!.Response, Is.EqualTo((PeerFirstSeq, SctpReconfigResult.SuccessPerformed)));
        Assert.That(reset.TryCompleteDeferred(60), Is.Null, "performed once");
    }

    [Test]
    public void UnsupportedRequest_IsDenied()
    {
        var reset = NewReset();
        reset.OnUnsupportedRequest(PeerFirstSeq);
        Assert.That(Build(reset)!.Response, Is.EqualTo((PeerFirstSeq, SctpReconfigResult.Denied)));
        reset.OnUnsupportedRequest(PeerFirstSeq);
        Assert.That(Build(reset)!.Response, Is.EqualTo((PeerFirstSeq, SctpReconfigResult.Denied)), "retransmission: same answer");
        reset.OnUnsupportedRequest(PeerFirstSeq + 3);
        Assert.That(Build(reset)!.Response, Is.EqualTo((PeerFirstSeq + 3, SctpReconfigResult.ErrorBadSequenceNumber)));
        Assert.That(reset.PeerExpectedSequence, Is.EqualTo(PeerFirstSeq + 1));
    }

    [Test]
    public void ResponseAndRequest_ShareOneChunk()
    {
        var reset = NewReset();
        OnRequest(reset, PeerFirstSeq, 40, 40, 7);
        reset.Request(2);
        reset.TryStartRequest(AllDrained, 99, Deadline);
        var built = Build(reset)!;
        Assert.That(built.Response, Is.EqualTo((PeerFirstSeq, SctpReconfigResult.SuccessPerformed)));
        Assert.That(built.Request!.Value.ResponseSeq, Is.EqualTo(PeerFirstSeq), "names the peer request just answered");
    }

    [Test]
    public void Chunk_ThatDoesNotFit_WaitsForTheNextPacket()
    {
        var reset = NewReset();
        reset.Request(2);
        reset.TryStartRequest(AllDrained, 99, Deadline);
        Assert.That(reset.PendingChunkLength, Is.EqualTo(SctpPacket.ChunkHeaderLength + OutgoingSsnResetRequestParameter.WrittenLength(1)));
        Assert.That(Build(reset, room: reset.PendingChunkLength - 1), Is.Null);
        Assert.That(reset.HasChunkToSend, Is.True);
        Assert.That(Build(reset, room: reset.PendingChunkLength), Is.Not.Null);
    }

    [Test]
    public void SequenceNumbers_WrapAround()
    {
        var reset = NewReset(ours: uint.MaxValue, peers: uint.MaxValue);
        Assert.That(OnRequest(reset, uint.MaxValue, 40, 40, 1), Is.Not.Null);
        Assert.That(reset.PeerExpectedSequence, Is.Zero);
        Assert.That(OnRequest(reset, 0, 41, 41, 2), Is.Not.Null);
        Build(reset);
        reset.Request(1);
        reset.TryStartRequest(AllDrained, 5, Deadline);
        var built = Build(reset)!.Request!.Value;
        Assert.That((built.Seq, built.ResponseSeq), Is.EqualTo((uint.MaxValue, 0u)));
        Assert.That(reset.OnResponse(uint.MaxValue, SctpReconfigResult.SuccessPerformed, Deadline, out _), Is.True);
        Assert.That(reset.RequestSequence, Is.Zero);
        reset.Request(2);
        reset.TryStartRequest(AllDrained, 6, Deadline);
        Assert.That(Build(reset)!.Request!.Value.Seq, Is.Zero);
        Assert.That(reset.OnResponse(0, SctpReconfigResult.SuccessPerformed, Deadline, out _), Is.True);
    }

    [Test]
    public void IncomingRequest_LastTsnComparison_UsesSerialArithmetic()
    {
        var reset = NewReset();
        Assert.That(OnRequest(reset, PeerFirstSeq, lastTsn: uint.MaxValue, cumulativeTsn: 2, 1), Is.Not.Null, "0xFFFFFFFF is before 2");
        Assert.That(OnRequest(reset, PeerFirstSeq + 1, lastTsn: 3, cumulativeTsn: uint.MaxValue, 1), Is.Null, "3 is after 0xFFFFFFFF");
    }

    [Test]
    public void TakeWaiting_EmptiesTheWaitingList()
    {
        var reset = NewReset();
        reset.Request(1);
        reset.Request(2);
        var taken = new List<ushort>();
        reset.TakeWaiting(taken);
        Assert.That(taken, Is.EqualTo(new ushort[] { 1, 2 }));
        Assert.That(reset.WaitingStreams, Is.Empty);
        Assert.That(reset.TryStartRequest(AllDrained, 1, Deadline), Is.False);
    }
}
