using Kvs.WebRtc.PeerConnection.DataChannels;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.PeerConnection;

/// <summary>Ours↔ours over 127.0.0.1: negotiation in both directions and data channels of every flavour.</summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class RTCPeerConnectionLoopbackTests
{
    [TestCase(true)]
    [TestCase(false)]
    public async Task InBandChannelFromOfferer_OpensAndExchangesTextBothWays(bool aOffers)
    {
        var ct = PeerPair.Timeout();
        await using var pair = new PeerPair();
        var offerer = aOffers ? pair.A : pair.B;
        var answerer = aOffers ? pair.B : pair.A;
        var local = offerer.CreateDataChannel("chat");
        var remoteTask = PeerPair.NextRemoteChannelAsync(answerer, ct);
        await pair.NegotiateAsync(offerer, ct: ct);
        await PeerPair.WaitOpenAsync(local, ct);
        var remote = await remoteTask;
        await PeerPair.WaitOpenAsync(remote, ct);
        Assert.That(remote.Label, Is.EqualTo("chat"));

        Assert.That(await RoundTripTextAsync(local, remote, "ping", ct), Is.EqualTo("ping"));
        Assert.That(await RoundTripTextAsync(remote, local, "pong", ct), Is.EqualTo("pong"));
        await PeerPair.WaitForStateAsync(offerer, RTCPeerConnectionState.Connected, ct);
        await PeerPair.WaitForStateAsync(answerer, RTCPeerConnectionState.Connected, ct);
        Assert.That(offerer.SignalingState, Is.EqualTo(RTCSignalingState.Stable));
        Assert.That(answerer.SignalingState, Is.EqualTo(RTCSignalingState.Stable));
    }

    [Test]
    public async Task InBandChannelFromAnswerer_AfterNegotiation_OpensOnOfferer()
    {
        var ct = PeerPair.Timeout();
        await using var pair = new PeerPair();
        var first = pair.A.CreateDataChannel("first");
        await pair.NegotiateAsync(pair.A, ct: ct);
        await PeerPair.WaitOpenAsync(first, ct);

        var atOfferer = PeerPair.NextRemoteChannelAsync(pair.A, ct);
        var fromAnswerer = pair.B.CreateDataChannel("from-answerer", new RTCDataChannelInit { Protocol = "proto" });
        await PeerPair.WaitOpenAsync(fromAnswerer, ct);
        var remote = await atOfferer;
        Assert.That(remote.Label, Is.EqualTo("from-answerer"));
        Assert.That(remote.Protocol, Is.EqualTo("proto"));
        Assert.That(remote.Id, Is.EqualTo(fromAnswerer.Id));
        Assert.That(fromAnswerer.Id % 2, Is.Not.EqualTo(first.Id % 2), "DTLS client and server use different stream-id parities");
        Assert.That(await RoundTripTextAsync(fromAnswerer, remote, "hi", ct), Is.EqualTo("hi"));
    }

    [Test]
    public async Task NegotiatedChannel_SameIdOnBothSides_OpensWithoutDcepAndCarriesBinary()
    {
        var ct = PeerPair.Timeout();
        await using var pair = new PeerPair();
        var announced = 0;
        pair.B.DataChannel += (_, _) => Interlocked.Increment(ref announced);
        var a = pair.A.CreateDataChannel("neg", new RTCDataChannelInit { Negotiated = true, Id = 7 });
        var b = pair.B.CreateDataChannel("neg", new RTCDataChannelInit { Negotiated = true, Id = 7 });
        await pair.NegotiateAsync(pair.A, ct: ct);
        await PeerPair.WaitOpenAsync(a, ct);
        await PeerPair.WaitOpenAsync(b, ct);
        var received = PeerPair.NextMessageAsync(b, ct);
        a.Send(new byte[] { 1, 2, 3 });
        var message = await received;
        Assert.That(message.Type, Is.EqualTo(RTCDataChannelMessageType.Binary));
        Assert.That(message.Data.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3 }));
        Assert.That(announced, Is.Zero, "a negotiated channel is not announced through DataChannel");
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task MessagesOfEverySize_TextAndBinary_ArriveIntact(bool ordered)
    {
        var ct = PeerPair.Timeout(30);
        await using var pair = new PeerPair();
        var (local, remote) = await pair.OpenChannelAsync("sizes", new RTCDataChannelInit { Ordered = ordered }, ct);
        var sizes = new[] { 0, 1, 1199, 1200, 4096, 65535, 65536, 100_000, 262_144 };
        var random = new Random(1234);
        foreach (var size in sizes)
        {
            var payload = new byte[size];
            random.NextBytes(payload);
            var binary = PeerPair.NextMessageAsync(remote, ct);
            local.Send(payload);
            var got = await binary;
            Assert.That(got.Type, Is.EqualTo(RTCDataChannelMessageType.Binary), $"binary {size}");
            Assert.That(got.Data.ToArray(), Is.EqualTo(payload), $"binary {size}");

            var text = new string('é', size / 2) + (size % 2 == 1 ? "x" : string.Empty);
            var textMessage = PeerPair.NextMessageAsync(remote, ct);
            local.Send(text);
            var gotText = await textMessage;
            Assert.That(gotText.Type, Is.EqualTo(RTCDataChannelMessageType.Text), $"text {size}");
            Assert.That(gotText.Text, Is.EqualTo(text), $"text {size}");
        }
    }

    [Test]
    public async Task TenThousandMessages_ArriveIntactAndInOrder()
    {
        var ct = PeerPair.Timeout(60);
        await using var pair = new PeerPair();
        var (local, remote) = await pair.OpenChannelAsync("bulk", null, ct);
        const int count = 10_000;
        var received = new List<int>(count);
        var corrupt = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        remote.MessageReceived += (_, e) =>
        {
            var span = e.Data.Span;
            var index = BitConverter.ToInt32(span);
            for (var i = 4; i < span.Length; i++)
            {
                if (span[i] != (byte)(index + i))
                {
                    corrupt++;
                    break;
                }
            }

            received.Add(index);
            if (received.Count == count)
            {
                done.TrySetResult();
            }
        };

        for (var i = 0; i < count; i++)
        {
            var payload = new byte[64 + (i % 1000)];
            BitConverter.TryWriteBytes(payload, i);
            for (var j = 4; j < payload.Length; j++)
            {
                payload[j] = (byte)(i + j);
            }

            await local.SendAsync(payload, ct);
        }

        await done.Task.WaitAsync(ct);
        Assert.That(corrupt, Is.Zero);
        Assert.That(received, Is.EqualTo(Enumerable.Range(0, count)));
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task CloseChannel_FromEitherSide_ClosesBothEnds_AndASecondChannelWorks(bool closeFromCreator)
    {
        var ct = PeerPair.Timeout();
        await using var pair = new PeerPair();
        var (local, remote) = await pair.OpenChannelAsync("first", null, ct);
        var localClosed = PeerPair.WaitClosedAsync(local, ct);
        var remoteClosed = PeerPair.WaitClosedAsync(remote, ct);
        (closeFromCreator ? local : remote).Close();
        await Task.WhenAll(localClosed, remoteClosed);
        Assert.That(local.ReadyState, Is.EqualTo(RTCDataChannelState.Closed));
        Assert.That(remote.ReadyState, Is.EqualTo(RTCDataChannelState.Closed));

        var next = PeerPair.NextRemoteChannelAsync(pair.B, ct);
        var second = pair.A.CreateDataChannel("second");
        await PeerPair.WaitOpenAsync(second, ct);
        var secondRemote = await next;
        await PeerPair.WaitOpenAsync(secondRemote, ct);
        Assert.That(secondRemote.Label, Is.EqualTo("second"));
        Assert.That(await RoundTripTextAsync(second, secondRemote, "again", ct), Is.EqualTo("again"));
    }

    [Test]
    public async Task ClosePeerConnection_ClosesRemoteChannels_AndLaterCallsThrowClosed()
    {
        var ct = PeerPair.Timeout();
        await using var pair = new PeerPair();
        var (_, remote) = await pair.OpenChannelAsync("x", null, ct);
        var remoteClosed = PeerPair.WaitClosedAsync(remote, ct);
        pair.A.Close();
        await remoteClosed;
        Assert.That(pair.A.ConnectionState, Is.EqualTo(RTCPeerConnectionState.Closed));
        Assert.That(pair.A.SignalingState, Is.EqualTo(RTCSignalingState.Closed));
        var error = Assert.ThrowsAsync<WebRtcException>(() => pair.A.CreateOfferAsync(ct));
        Assert.That(error!.Error, Is.EqualTo(WebRtcError.Closed));
        Assert.That(() => pair.A.CreateDataChannel("late"), Throws.TypeOf<WebRtcException>().With.Property(nameof(WebRtcException.Error)).EqualTo(WebRtcError.Closed));
    }

    [Test]
    public async Task GetStats_AfterTraffic_ReportsBytesCipherAndPair()
    {
        var ct = PeerPair.Timeout();
        await using var pair = new PeerPair();
        var (local, remote) = await pair.OpenChannelAsync("stats", null, ct);
        Assert.That(await RoundTripTextAsync(local, remote, new string('a', 5000), ct), Has.Length.EqualTo(5000));
        var stats = pair.A.GetStats();
        Assert.That(stats.BytesSent, Is.GreaterThan(5000));
        Assert.That(stats.BytesReceived, Is.GreaterThan(0));
        Assert.That(stats.PacketsSent, Is.GreaterThan(4));
        Assert.That(stats.DtlsCipher, Does.StartWith("TLS_ECDHE_ECDSA_WITH_"));
        Assert.That(stats.DtlsRole, Is.EqualTo("server"), "the offerer is the DTLS server when the answer is setup:active");
        Assert.That(stats.SelectedCandidatePair, Does.Contain("127.0.0.1"));
        Assert.That(stats.DataChannelsOpen, Is.EqualTo(1));
        Assert.That(pair.B.GetStats().MessagesReceived, Is.GreaterThanOrEqualTo(2), "DCEP open plus the text message");
    }

    [Test]
    public async Task ThrowingHandlers_DoNotBreakDelivery()
    {
        var ct = PeerPair.Timeout();
        await using var pair = new PeerPair();
        pair.A.ConnectionStateChanged += (_, _) => throw new InvalidOperationException("user bug");
        pair.B.IceCandidate += (_, _) => throw new InvalidOperationException("user bug");
        var (local, remote) = await pair.OpenChannelAsync("robust", null, ct);
        remote.MessageReceived += (_, _) => throw new InvalidOperationException("user bug");
        Assert.That(await RoundTripTextAsync(local, remote, "still", ct), Is.EqualTo("still"));
        Assert.That(await RoundTripTextAsync(local, remote, "works", ct), Is.EqualTo("works"));
    }

    [Test]
    public async Task LocalDescription_AfterGathering_ContainsCandidatesAndEndOfCandidates()
    {
        var ct = PeerPair.Timeout();
        await using var pair = new PeerPair();
        var complete = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.A.IceGatheringStateChanged += (_, _) =>
        {
            if (pair.A.IceGatheringState == RTCIceGatheringState.Complete)
            {
                complete.TrySetResult();
            }
        };
        pair.A.CreateDataChannel("d");
        await pair.A.SetLocalDescriptionAsync(ct);
        await complete.Task.WaitAsync(ct);
        var sdp = pair.A.LocalDescription!.Sdp;
        Assert.That(sdp, Does.Contain("a=candidate:").And.Contain("127.0.0.1").And.Contain("a=end-of-candidates"));
        Assert.That(pair.A.SignalingState, Is.EqualTo(RTCSignalingState.HaveLocalOffer));
    }

    private static async Task<string> RoundTripTextAsync(RTCDataChannel from, RTCDataChannel to, string text, CancellationToken ct)
    {
        var next = PeerPair.NextMessageAsync(to, ct);
        from.Send(text);
        return (await next).Text!;
    }
}
