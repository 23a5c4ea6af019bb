using System.Text.Json.Nodes;
using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.PeerConnection;

/// <summary>Our RTCPeerConnection against werift (TypeScript WebRTC, npm) in both roles: open, echo both ways, close.</summary>
[TestFixture]
[Category("Interop")]
[NonParallelizable]
public sealed class WeriftDataChannelInteropTests
{
    private static readonly RTCConfiguration s_configuration = new() { IncludeLoopbackCandidates = true, EnableIpv6 = false };

    [Test]
    public async Task WeriftOffers_WeAnswer_ChannelOpensEchoesAndClosesFromUs()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = cts.Token;
        await using var werift = StartWerift();
        await werift.WaitForAsync("ready");
        await using var ours = new RTCPeerConnection(s_configuration);
        var remote = ChromiumEchoPage.CollectRemoteChannels(ours, ct);

        await werift.SendAsync(new { cmd = "offer", label = "from-werift" });
        var offer = (string)(await werift.WaitForAsync("offer", TimeSpan.FromSeconds(30)))["sdp"]!;
        await ours.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Offer, offer), ct);
        var gathered = ChromiumEchoPage.WaitGatheredAsync(ours, ct);
        await ours.SetLocalDescriptionAsync(await ours.CreateAnswerAsync(ct), ct);
        await gathered;
        await werift.SendAsync(new { cmd = "answer", sdp = ours.LocalDescription!.Sdp });

        var channel = await remote("from-werift");
        await ChromiumEchoPage.WaitOpenAsync(channel, ct);
        await AssertEchoesAsync(channel, ct);

        var closed = ChromiumEchoPage.WaitClosedAsync(channel, ct);
        channel.Close();
        await closed;
        await WaitForLabelAsync(werift, "closed", "from-werift");
    }

    [Test]
    public async Task WeOffer_WeriftAnswers_ChannelsFromBothSidesEcho_AndWeriftCloses()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = cts.Token;
        await using var werift = StartWerift();
        await werift.WaitForAsync("ready");
        await using var ours = new RTCPeerConnection(s_configuration);
        var remote = ChromiumEchoPage.CollectRemoteChannels(ours, ct);
        var channel = ours.CreateDataChannel("from-ours");

        var gathered = ChromiumEchoPage.WaitGatheredAsync(ours, ct);
        await ours.SetLocalDescriptionAsync(await ours.CreateOfferAsync(ct), ct);
        await gathered;
        await werift.SendAsync(new { cmd = "acceptOffer", sdp = ours.LocalDescription!.Sdp });
        var answer = (string)(await werift.WaitForAsync("answer", TimeSpan.FromSeconds(30)))["sdp"]!;
        await ours.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Answer, answer), ct);

        await ChromiumEchoPage.WaitOpenAsync(channel, ct);
        await AssertEchoesAsync(channel, ct);

        await werift.SendAsync(new { cmd = "createChannel", label = "werift-later" });
        var later = await remote("werift-later");
        await ChromiumEchoPage.WaitOpenAsync(later, ct);
        var echo = await ChromiumEchoPage.EchoAsync(later, "later", ct);
        Assert.That(echo.Text, Is.EqualTo("later"));

        var closed = ChromiumEchoPage.WaitClosedAsync(later, ct);
        await werift.SendAsync(new { cmd = "close", label = "werift-later" });
        await closed;
        Assert.That(later.ReadyState, Is.EqualTo(RTCDataChannelState.Closed));
    }

    private static NodeScript StartWerift()
    {
        var modules = Path.Combine(NodeScript.ScriptDirectory, "node_modules");
        ExternalTool.RequireCondition(Directory.Exists(Path.Combine(modules, "werift")), "npm package werift (npm ci in tests/Kvs.WebRtc.InteropTests/node)");
        var script = Path.Combine(RepositoryPaths.Root, "tests", "Kvs.WebRtc.InteropTests", "PeerConnection", "werift-peer.js");
        return NodeScript.Start(script, new Dictionary<string, string> { ["NODE_PATH"] = modules });
    }

    private static async Task WaitForLabelAsync(NodeScript script, string name, string label)
    {
        bool Matches(JsonObject e) => (string?)e["event"] == name && (string?)e["label"] == label;
        if (script.Seen.Any(Matches))
        {
            return;
        }

        while (!Matches(await script.WaitForAsync(name)))
        {
        }
    }

    private static async Task AssertEchoesAsync(RTCDataChannel channel, CancellationToken ct)
    {
        var random = new Random(11);

        // werift's max message size is 64 KiB (INTEROP.md).
        foreach (var size in new[] { 1, 1200, 16_384, 65_536 })
        {
            var bytes = new byte[size];
            random.NextBytes(bytes);
            var binary = await ChromiumEchoPage.EchoAsync(channel, bytes, ct);
            Assert.That(binary.Type, Is.EqualTo(RTCDataChannelMessageType.Binary), $"binary {size}");
            Assert.That(binary.Data.ToArray(), Is.EqualTo(bytes), $"binary {size}");
            var text = new string('x', size);
            var echoed = await ChromiumEchoPage.EchoAsync(channel, text, ct);
            Assert.That(echoed.Text, Is.EqualTo(text), $"text {size}");
        }
    }
}
