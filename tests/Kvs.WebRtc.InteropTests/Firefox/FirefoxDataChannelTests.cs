using System.Text.Json.Nodes;
using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.DataChannels;
using NUnit.Framework;
using static Kvs.WebRtc.Testing.PeerConnectionWaits;

namespace Kvs.WebRtc.InteropTests.Firefox;

/// <summary>
/// Our <see cref="RTCPeerConnection"/> against headless Firefox ESR's (nICEr, NSS DTLS, usrsctp) on 127.0.0.1 in
/// both offer/answer roles: ICE, DTLS, SCTP, DCEP, and messages both ways in order. Firefox's non-loopback candidates
/// are filtered out before our stack sees them (<see cref="FirefoxPeer.KeepLoopbackCandidates"/>). One Firefox serves
/// all Firefox tests (<see cref="FirefoxSetUp"/>), a fresh peer connection per test.
/// </summary>
[TestFixture]
[Category("Interop")]
[NonParallelizable]
public sealed class FirefoxDataChannelTests
{
    private const int MessageCount = 100;

    private static readonly RTCConfiguration s_configuration = new() { IncludeLoopbackCandidates = true, EnableIpv6 = false, HostAddresses = [System.Net.IPAddress.Loopback] };

    [Test]
    public async Task WeOffer_FirefoxAnswers_DtlsConnected_HundredMessagesEachWayInOrder()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        var ct = cts.Token;
        var firefox = FirefoxSetUp.Firefox;
        await using var ours = new RTCPeerConnection(s_configuration);
        await firefox.CreatePeerConnectionAsync(ct);
        var channel = ours.CreateDataChannel("from-us", new RTCDataChannelInit { Protocol = "kvs-test" });

        await firefox.WeOfferAsync(ours, ct);
        await WaitOpenAsync(channel, ct);
        var announced = await firefox.WaitForEventAsync("channel", ct, e => (string?)e["label"] == "from-us");
        Assert.That((string?)announced["protocol"], Is.EqualTo("kvs-test"));
        Assert.That((int?)announced["id"], Is.EqualTo((int?)channel.Id), "Firefox sees the stream id we chose");
        await firefox.WaitForEventAsync("open", ct, e => (string?)e["label"] == "from-us");
        await WaitForStateAsync(ours, RTCPeerConnectionState.Connected, ct);
        Assert.That(ours.GetStats().DtlsRole, Is.EqualTo("server"), "Firefox answers setup:active");

        await AssertConnectedOverLoopbackAsync(firefox, ct);
        await AssertMessagesBothWaysAsync(firefox, channel, ct);
        Assert.That(firefox.Errors, Is.Empty, firefox.Describe());
    }

    [Test]
    public async Task FirefoxOffers_WeAnswer_DtlsConnected_HundredMessagesEachWayInOrder()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        var ct = cts.Token;
        var firefox = FirefoxSetUp.Firefox;
        await using var ours = new RTCPeerConnection(s_configuration);
        await firefox.CreatePeerConnectionAsync(ct);
        await firefox.CreateDataChannelAsync("from-firefox", ct);
        var remote = NextRemoteChannelAsync(ours, "from-firefox", ct);

        await firefox.FirefoxOffersAsync(ours, ct);
        var channel = await remote;
        await WaitOpenAsync(channel, ct);
        await firefox.WaitForEventAsync("open", ct, e => (string?)e["label"] == "from-firefox");
        await WaitForStateAsync(ours, RTCPeerConnectionState.Connected, ct);
        Assert.That(channel.Ordered, Is.True);
        Assert.That(ours.GetStats().DtlsRole, Is.EqualTo("client"), "we answer setup:active to Firefox's actpass");

        await AssertConnectedOverLoopbackAsync(firefox, ct);
        await AssertMessagesBothWaysAsync(firefox, channel, ct);
        Assert.That(firefox.Errors, Is.Empty, firefox.Describe());
    }

    [Test]
    public async Task FirefoxOffersRecvOnlyAudioVideoAndData_WeAnswerMediaInactive_DataChannelWorks()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        var ct = cts.Token;
        var firefox = FirefoxSetUp.Firefox;
        await using var ours = new RTCPeerConnection(s_configuration);
        await firefox.CreatePeerConnectionAsync(ct);
        await firefox.AddTransceiverAsync("audio", ct, new { direction = "recvonly" });
        await firefox.AddTransceiverAsync("video", ct, new { direction = "recvonly" });
        await firefox.CreateDataChannelAsync("kvs", ct);
        var remote = NextRemoteChannelAsync(ours, "kvs", ct);

        await firefox.FirefoxOffersAsync(ours, ct);
        var offer = ours.RemoteDescription!.Sdp;
        Assert.That(offer, Does.Contain("m=audio ").And.Contain("m=video ").And.Contain("m=application "));
        Assert.That(offer, Does.Contain("a=recvonly").And.Contain("opus/48000/2").And.Contain("VP8/90000"));
        var answer = ours.LocalDescription!.Sdp;
        Assert.That(answer, Does.Contain("m=audio 9 ").And.Contain("m=video 9 "), "our answer accepts the media sections (no port 0)");
        foreach (var kind in new[] { "audio", "video" })
        {
            var mid = MediaSection(offer, kind).Split("\r\n").Single(l => l.StartsWith("a=mid:", StringComparison.Ordinal));
            Assert.That(MediaSection(answer, kind), Does.Contain("a=inactive").And.Contain(mid + "\r\n"), $"{kind}: no local track, so nothing to send to a recvonly offer; the mid is kept");
        }

        var channel = await remote;
        await WaitOpenAsync(channel, ct);
        await firefox.WaitForEventAsync("open", ct, e => (string?)e["label"] == "kvs");
        var reply = NextMessagesAsync(channel, 1, ct);
        await firefox.SetEchoAsync("kvs", true, ct);
        await channel.SendAsync("data beside inactive media", ct);
        var echoed = await reply;
        Assert.That(echoed[0].Text, Is.EqualTo("data beside inactive media"));
        Assert.That(firefox.Errors, Is.Empty, firefox.Describe());
    }

    [Test]
    public void KeepLoopbackCandidates_DropsNonLoopbackAndTcpCandidates_AndUnspecifiesTheConnectionAddress()
    {
        const string Sdp = "v=0\r\nm=application 40000 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 192.0.2.2\r\n" +
            "a=candidate:0 1 UDP 2122055935 127.0.0.1 44529 typ host\r\n" +
            "a=candidate:1 1 UDP 2122121471 ::1 47686 typ host\r\n" +
            "a=candidate:2 1 UDP 2122187007 192.0.2.2 34879 typ host\r\n" +
            "a=candidate:3 1 UDP 2122252543 fd00::2 51213 typ host\r\n" +
            "a=candidate:4 1 TCP 2105327871 127.0.0.1 9 typ host tcptype active\r\n" +
            "a=candidate:5 1 UDP 2122252543 a7b2c.local 51213 typ host\r\n" +
            "a=end-of-candidates\r\n";

        var dropped = new List<string>();
        var kept = FirefoxPeer.KeepLoopbackCandidates(Sdp, dropped);

        Assert.That(kept, Does.Contain("127.0.0.1 44529").And.Contain("::1 47686").And.Contain("c=IN IP4 0.0.0.0\r\n").And.Contain("a=end-of-candidates"));
        Assert.That(kept, Does.Not.Contain("192.0.2.2").And.Not.Contain("fd00::2").And.Not.Contain("TCP").And.Not.Contain(".local"));
        Assert.That(dropped, Has.Count.EqualTo(4));
        Assert.That(FirefoxPeer.IsLoopbackUdpCandidate("candidate:0 1 UDP 1 127.0.0.1 1 typ host"), Is.True);
        Assert.That(FirefoxPeer.IsLoopbackUdpCandidate("a=candidate:0 1 udp 1 10.0.0.1 1 typ host"), Is.False);
    }

    /// <summary>Firefox's selected pair is 127.0.0.1 on both ends and its DTLS transport is connected.</summary>
    private static async Task AssertConnectedOverLoopbackAsync(FirefoxPeer firefox, CancellationToken ct)
    {
        var state = await firefox.GetStateAsync(ct);
        Assert.That((string?)state["connection"], Is.EqualTo("connected"), state.ToJsonString());
        Assert.That((string?)state["dtls"], Is.EqualTo("connected"), state.ToJsonString());

        var stats = await firefox.GetStatsAsync(ct);
        var reports = stats.OfType<JsonObject>().ToList();
        var pair = reports.FirstOrDefault(r => (string?)r["type"] == "candidate-pair" && (bool?)r["selected"] == true)
            ?? reports.FirstOrDefault(r => (string?)r["type"] == "candidate-pair" && (string?)r["state"] == "succeeded" && (bool?)r["nominated"] == true);
        Assert.That(pair, Is.Not.Null, stats.ToJsonString());
        var local = reports.Single(r => (string?)r["id"] == (string?)pair!["localCandidateId"]);
        var remote = reports.Single(r => (string?)r["id"] == (string?)pair!["remoteCandidateId"]);
        Assert.That((string?)local["address"], Is.EqualTo("127.0.0.1"), local.ToJsonString());
        Assert.That((string?)remote["address"], Is.EqualTo("127.0.0.1"), remote.ToJsonString());
        Assert.That(reports.Where(r => (string?)r["type"] == "remote-candidate").Select(r => (string?)r["address"]), Is.All.EqualTo("127.0.0.1"),
            "Firefox only ever heard of our loopback candidates");
    }

    /// <summary>100 messages each way (ours alternate text and binary), each side checks order and content.</summary>
    private static async Task AssertMessagesBothWaysAsync(FirefoxPeer firefox, RTCDataChannel channel, CancellationToken ct)
    {
        var label = channel.Label;
        for (var i = 0; i < MessageCount; i++)
        {
            if (i % 2 == 0)
            {
                await channel.SendAsync(Binary(i), ct);
            }
            else
            {
                await channel.SendAsync($"us {i} " + new string('ü', i), ct);
            }
        }

        var atFirefox = await firefox.TakeMessagesAsync(label, MessageCount, ct);
        for (var i = 0; i < MessageCount; i++)
        {
            var (text, binary) = FirefoxPeer.Payload(atFirefox[i]);
            if (i % 2 == 0)
            {
                Assert.That(binary, Is.EqualTo(Binary(i)), $"message {i} to Firefox");
            }
            else
            {
                Assert.That(text, Is.EqualTo($"us {i} " + new string('ü', i)), $"message {i} to Firefox");
            }
        }

        var fromFirefox = NextMessagesAsync(channel, MessageCount, ct);
        await firefox.SendManyAsync(label, MessageCount, "firefox ", ct);
        var received = await fromFirefox;
        Assert.That(received.Select(m => m.Type), Is.All.EqualTo(RTCDataChannelMessageType.Text));
        Assert.That(received.Select(m => m.Text), Is.EqualTo(Enumerable.Range(0, MessageCount).Select(i => $"firefox {i}")));
    }

    /// <summary>The lines of the first <c>m=</c> section of <paramref name="kind"/>, up to the next section.</summary>
    private static string MediaSection(string sdp, string kind)
    {
        var start = sdp.IndexOf("m=" + kind + " ", StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThanOrEqualTo(0), sdp);
        var end = sdp.IndexOf("\r\nm=", start, StringComparison.Ordinal);
        return end < 0 ? sdp[start..] : sdp[start..(end + 2)];
    }

    private static byte[] Binary(int index)
    {
        var buffer = new byte[4 + (index * 53 % 1500)];
        BitConverter.TryWriteBytes(buffer, index);
        for (var j = 4; j < buffer.Length; j++)
        {
            buffer[j] = (byte)(index ^ j);
        }

        return buffer;
    }
}
