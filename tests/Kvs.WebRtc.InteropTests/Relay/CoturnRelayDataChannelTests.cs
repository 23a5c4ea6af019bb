using System.Globalization;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.DataChannels;
using NUnit.Framework;
using static Kvs.WebRtc.Testing.PeerConnectionWaits;

namespace Kvs.WebRtc.InteropTests.Relay;

/// <summary>
/// Two of our RTCPeerConnections with <see cref="RTCIceTransportPolicy.Relay"/> through a real coturn on 127.0.0.1:
/// only relay candidates are offered, the selected pair is relay to relay inside coturn's relay port range, and a
/// data channel carries text and binary both ways and a burst in order.
/// </summary>
[TestFixture]
[Category("Interop")]
[NonParallelizable]
public sealed partial class CoturnRelayDataChannelTests
{
    [TestCase("udp")]
    [TestCase("tcp")]
    public async Task RelayOnly_ThroughCoturn_DataChannelOpensAndMessagesFlowBothWays(string transport)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        var ct = cts.Token;
        await using var coturn = await CoturnServer.StartAsync(ct);
        var configuration = new RTCConfiguration
        {
            IceServers =
            [
                new RTCIceServer
                {
                    Urls = [$"turn:127.0.0.1:{coturn.Port.ToString(CultureInfo.InvariantCulture)}?transport={transport}"],
                    Username = CoturnServer.User,
                    Credential = CoturnServer.Password,
                },
            ],
            IceTransportPolicy = RTCIceTransportPolicy.Relay,
            IncludeLoopbackCandidates = true,
            HostAddresses = [System.Net.IPAddress.Loopback],
            EnableIpv6 = false,
        };
        await using var a = new RTCPeerConnection(configuration);
        await using var b = new RTCPeerConnection(configuration);
        var candidatesA = new List<string>();
        var candidatesB = new List<string>();
        var remoteTask = NextRemoteChannelAsync(b, "relayed", ct);
        var local = a.CreateDataChannel("relayed");

        await NegotiateAsync(a, b, candidatesA, candidatesB, ct);
        await WaitOpenAsync(local, ct);
        var remote = await remoteTask;
        await WaitOpenAsync(remote, ct);
        await WaitForStateAsync(a, RTCPeerConnectionState.Connected, ct);
        await WaitForStateAsync(b, RTCPeerConnectionState.Connected, ct);

        lock (candidatesA)
        {
            Assert.That(candidatesA, Is.Not.Empty.And.All.Contains(" typ relay"), "A offers relay candidates only");
        }

        lock (candidatesB)
        {
            Assert.That(candidatesB, Is.Not.Empty.And.All.Contains(" typ relay"), "B offers relay candidates only");
        }

        foreach (var pc in new[] { a, b })
        {
            var pair = pc.GetStats().SelectedCandidatePair;
            var match = PairPattern().Match(pair ?? string.Empty);
            Assert.That(match.Success, Is.True, $"selected pair '{pair}' is relay -> relay. coturn log:\n{coturn.Log}");
            foreach (var port in new[] { match.Groups["lport"].Value, match.Groups["rport"].Value })
            {
                Assert.That(int.Parse(port, CultureInfo.InvariantCulture), Is.InRange(coturn.MinRelayPort, coturn.MaxRelayPort),
                    $"'{pair}' uses coturn's relayed addresses");
            }
        }

        // Text and binary both ways.
        var random = new Random(11);
        foreach (var (from, to) in new[] { (local, remote), (remote, local) })
        {
            var bytes = new byte[60_000];
            random.NextBytes(bytes);
            var next = NextMessagesAsync(to, 2, ct);
            from.Send("över TURN " + from.Label);
            from.Send(bytes);
            var got = await next;
            Assert.That(got[0].Type, Is.EqualTo(RTCDataChannelMessageType.Text));
            Assert.That(got[0].Text, Is.EqualTo("över TURN " + from.Label));
            Assert.That(got[1].Type, Is.EqualTo(RTCDataChannelMessageType.Binary));
            Assert.That(got[1].Data.ToArray(), Is.EqualTo(bytes));
        }

        // A burst in order through the relay.
        const int count = 300;
        var burst = NextMessagesAsync(remote, count, ct);
        for (var i = 0; i < count; i++)
        {
            await local.SendAsync(BitConverter.GetBytes(i).Concat(new byte[i % 1500]).ToArray(), ct);
        }

        var received = await burst;
        Assert.That(received.Select(m => BitConverter.ToInt32(m.Data.Span)), Is.EqualTo(Enumerable.Range(0, count)));
        Assert.That(received.Select(m => m.Data.Length), Is.EqualTo(Enumerable.Range(0, count).Select(i => 4 + (i % 1500))));
    }

    [GeneratedRegex(@"^127\.0\.0\.1:(?<lport>\d+) relay -> 127\.0\.0\.1:(?<rport>\d+) relay$")]
    private static partial Regex PairPattern();

    private static async Task NegotiateAsync(
        RTCPeerConnection offerer, RTCPeerConnection answerer, List<string> offererCandidates, List<string> answererCandidates, CancellationToken ct)
    {
        var toAnswerer = Forward(offerer, answerer, offererCandidates, ct);
        var toOfferer = Forward(answerer, offerer, answererCandidates, ct);
        var offer = await offerer.CreateOfferAsync(ct);
        await offerer.SetLocalDescriptionAsync(offer, ct);
        await answerer.SetRemoteDescriptionAsync(offer, ct);
        toAnswerer.TrySetResult();
        var answer = await answerer.CreateAnswerAsync(ct);
        await answerer.SetLocalDescriptionAsync(answer, ct);
        await offerer.SetRemoteDescriptionAsync(answer, ct);
        toOfferer.TrySetResult();
    }

    /// <summary>Forwards (and records) trickled candidates once the target has a remote description.</summary>
    private static TaskCompletionSource Forward(RTCPeerConnection from, RTCPeerConnection to, List<string> seen, CancellationToken ct)
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = Channel.CreateUnbounded<RTCIceCandidateInit>();
        from.IceCandidate += (_, e) =>
        {
            if (e.Candidate is { IsEndOfCandidates: false } candidate)
            {
                lock (seen)
                {
                    seen.Add(candidate.Candidate);
                }
            }

            queue.Writer.TryWrite(e.Candidate ?? new RTCIceCandidateInit(string.Empty));
        };
        _ = Task.Run(async () =>
        {
            try
            {
                await ready.Task.WaitAsync(ct);
                await foreach (var candidate in queue.Reader.ReadAllAsync(ct))
                {
                    try
                    {
                        await to.AddIceCandidateAsync(candidate, ct);
                    }
                    catch (WebRtcException)
                    {
                        // Closed at the end of the test.
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The test is over.
            }
        }, ct);
        return ready;
    }
}
