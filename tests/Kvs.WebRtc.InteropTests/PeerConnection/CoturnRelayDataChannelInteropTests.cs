using System.Threading.Channels;
using Kvs.WebRtc.InteropTests.Ice;
using Kvs.WebRtc.PeerConnection;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.PeerConnection;

/// <summary>Ours↔ours through coturn with <see cref="RTCIceTransportPolicy.Relay"/>: relay candidates only, data flows.</summary>
[TestFixture]
[Category("Interop")]
[NonParallelizable]
public sealed class CoturnRelayDataChannelInteropTests
{
    [Test]
    public async Task RelayOnly_BothPeersThroughCoturn_ChannelOpensAndCarriesMessagesInOrder()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = cts.Token;

        // The TURN/ICE engineers' helper, reused (docs/INTEROP.md recipe).
        await using var turn = await CoturnServer.StartAsync(ct);
        var configuration = new RTCConfiguration
        {
            IceServers = [new RTCIceServer { Urls = [turn.Url], Username = CoturnServer.Username, Credential = CoturnServer.Password }],
            IceTransportPolicy = RTCIceTransportPolicy.Relay,
            EnableIpv6 = false,
        };
        await using var a = new RTCPeerConnection(configuration);
        await using var b = new RTCPeerConnection(configuration);
        var candidateTypes = new List<string>();
        var toB = Forward(a, b, candidateTypes);
        var toA = Forward(b, a, candidateTypes);
        var remote = ChromiumEchoPage.CollectRemoteChannels(b, ct);
        var channel = a.CreateDataChannel("relayed");

        var offer = await a.CreateOfferAsync(ct);
        await a.SetLocalDescriptionAsync(offer, ct);
        await b.SetRemoteDescriptionAsync(offer, ct);
        toB.TrySetResult();
        var answer = await b.CreateAnswerAsync(ct);
        await b.SetLocalDescriptionAsync(answer, ct);
        await a.SetRemoteDescriptionAsync(answer, ct);
        toA.TrySetResult();

        await ChromiumEchoPage.WaitOpenAsync(channel, ct);
        var received = await remote("relayed");
        await ChromiumEchoPage.WaitOpenAsync(received, ct);

        const int count = 500;
        var got = new List<int>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        received.MessageReceived += (_, e) =>
        {
            got.Add(BitConverter.ToInt32(e.Data.Span));
            if (got.Count == count)
            {
                done.TrySetResult();
            }
        };
        for (var i = 0; i < count; i++)
        {
            var payload = new byte[1000];
            BitConverter.TryWriteBytes(payload, i);
            await channel.SendAsync(payload, ct);
        }

        await done.Task.WaitAsync(ct);
        Assert.That(got, Is.EqualTo(Enumerable.Range(0, count)));
        Assert.That(a.GetStats().SelectedCandidatePair, Does.Contain("relay"));
        lock (candidateTypes)
        {
            Assert.That(candidateTypes, Is.Not.Empty.And.All.EqualTo("relay"), "relay policy gathers relay candidates only");
        }
    }

    private static TaskCompletionSource Forward(RTCPeerConnection from, RTCPeerConnection to, List<string> types)
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = Channel.CreateUnbounded<RTCIceCandidateInit?>();
        from.IceCandidate += (_, e) =>
        {
            if (e.Candidate is { } c)
            {
                var parts = c.Candidate.Split(' ');
                var typ = Array.IndexOf(parts, "typ");
                lock (types)
                {
                    types.Add(typ >= 0 && typ + 1 < parts.Length ? parts[typ + 1] : "?");
                }
            }

            queue.Writer.TryWrite(e.Candidate);
        };
        _ = Task.Run(async () =>
        {
            await ready.Task;
            await foreach (var candidate in queue.Reader.ReadAllAsync())
            {
                try
                {
                    await to.AddIceCandidateAsync(candidate ?? new RTCIceCandidateInit(string.Empty));
                }
                catch (WebRtcException)
                {
                    return;
                }
            }
        });
        return ready;
    }
}
