using System.Globalization;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.NetworkNamespace;

/// <summary>
/// Two of our RTCPeerConnections (the NetworkLab program) in a network namespace whose kernel drops UDP packets at
/// random: a reliable ordered channel must deliver every message exactly once, intact and in order, in both
/// directions at once. At 5% the loss starts before the first ICE check, so ICE, DTLS, SCTP and DCEP must all get
/// through it too; at 20% it starts once the channel is open (see the remark on the test cases).
/// </summary>
[TestFixture]
[Category("Interop")]
[NonParallelizable]
public sealed class KernelPacketLossTests
{
    // 5% from the start: many messages of mixed sizes up to 64 KiB. 20% from when the channel is open, with fewer and
    // smaller messages. Connecting under 20% loss takes 1-35 s here and now and then fails: the controlled ICE agent
    // ignores checks on a pair whose own check is in progress (RFC 8445 §7.3.1.4 asks for a new triggered check), the
    // DTLS handshake gives up after 30 s of 1 s-doubling retransmissions, and SCTP's RTO.Min 1 s / RTO.Max 60 s
    // (RFC 9260 §16 defaults) make each timeout-driven recovery cost seconds.
    [TestCase(5, false, 1000, 100, 65_536, 60)]
    [TestCase(20, true, 100, 20, 4_096, 75)]
    public async Task ReliableOrderedChannel_UnderKernelPacketLoss_DeliversEveryMessageOnceInOrder(
        int lossPercent, bool afterConnect, int count, int reverseCount, int maxSize, int timeoutSeconds)
    {
        LossyNamespace.Require();
        var dll = NetworkLabProgram.Dll();
        var arguments = new[]
        {
            dll,
            "--count", Text(count), "--reverse-count", Text(reverseCount), "--max-size", Text(maxSize),
            "--seed", Text(lossPercent), "--timeout", Text(timeoutSeconds),
        };

        var run = await LossyNamespace.RunAsync(lossPercent, afterConnect, NetworkLabProgram.Dotnet(), arguments, TimeSpan.FromSeconds(timeoutSeconds + 30));
        await TestContext.Out.WriteLineAsync($"impairment: {run.Impairment} at {lossPercent}% from {(afterConnect ? "channel open" : "start")}, dropped {run.Dropped} packets");
        await TestContext.Out.WriteLineAsync($"lab result: {run.Result?.ToJsonString()}");

        Assert.That(run.TimedOut, Is.False, run.Describe());
        Assert.That(run.Impairment, Is.AnyOf("netem", "nftables"), run.Describe());
        var result = run.Result;
        Assert.That(result, Is.Not.Null, run.Describe());
        Assert.Multiple(() =>
        {
            Assert.That((string?)result!["error"], Is.Null, run.Describe());
            Assert.That(Int(result, "delivered"), Is.EqualTo(count), "offerer -> answerer messages delivered in sequence");
            Assert.That(Int(result, "received"), Is.EqualTo(count), "offerer -> answerer messages received (no extras)");
            Assert.That(Int(result, "reverseDelivered"), Is.EqualTo(reverseCount), "answerer -> offerer messages delivered in sequence");
            Assert.That(Int(result, "reverseReceived"), Is.EqualTo(reverseCount), "answerer -> offerer messages received (no extras)");
            Assert.That(Int(result, "duplicates"), Is.Zero, "messages delivered twice");
            Assert.That(Int(result, "outOfOrder"), Is.Zero, "messages delivered out of order");
            Assert.That(Int(result, "corrupt"), Is.Zero, "messages with wrong length or content");
            Assert.That((bool?)result["ok"], Is.True);
            Assert.That(run.ExitCode, Is.Zero);
            Assert.That((string?)result["selectedPair"], Does.StartWith("127.0.0.1:"), "host pair on loopback");
            Assert.That(run.Dropped, Is.GreaterThan(0), "the kernel must actually have dropped packets");
            Assert.That((long?)result["retransmissions"], Is.GreaterThan(0), "loss must have caused SCTP retransmissions");
        });
    }

    // Media: the lab's offerer streams 1080p-sized synthetic H.264 at ~4 Mbit/s (30 frames/s, a key frame every 2 s)
    // for 15 s over real 127.0.0.1 sockets, the kernel dropping 5 % of all UDP packets (media, RTX and RTCP alike) from
    // when the connection is up. NACK/RTX (and the pacer, on by default) must complete at least 99 % of the frames, with
    // no gap over 500 ms between two delivered frames.
    [Test]
    public async Task H264Video_UnderFivePercentKernelPacketLoss_NackAndRtxCompleteAtLeast99PercentOfFrames_WithNoGapOver500Ms()
    {
        LossyNamespace.Require();
        const int Seconds = 15;
        var arguments = new[]
        {
            NetworkLabProgram.Dll(), "--count", "0", "--reverse-count", "0", "--seed", "5", "--media-seconds", Text(Seconds), "--timeout", "60",
        };

        var run = await LossyNamespace.RunAsync(5, afterConnect: true, NetworkLabProgram.Dotnet(), arguments, TimeSpan.FromSeconds(90));
        await TestContext.Out.WriteLineAsync($"impairment: {run.Impairment} at 5% from connect, dropped {run.Dropped} packets");
        await TestContext.Out.WriteLineAsync($"lab result: {run.Result?.ToJsonString()}");

        Assert.That(run.TimedOut, Is.False, run.Describe());
        Assert.That(run.Impairment, Is.AnyOf("netem", "nftables"), run.Describe());
        var result = run.Result;
        Assert.That(result, Is.Not.Null, run.Describe());
        Assert.That((string?)result!["error"], Is.Null, run.Describe());
        var media = result["media"] as JsonObject ?? throw new AssertionException("no media result: " + run.Describe());
        var sent = Int(media, "framesSent") ?? 0;
        Assert.Multiple(() =>
        {
            Assert.That(sent, Is.EqualTo(Seconds * 30));
            Assert.That(Int(media, "framesIntact"), Is.GreaterThanOrEqualTo(sent * 0.99), "at least 99 % of the frames arrived whole");
            Assert.That(Int(media, "framesCorrupt"), Is.Zero, "no frame arrived that differs from the one sent");
            Assert.That(Int(media, "framesDuplicated"), Is.Zero);
            Assert.That((double?)media["maxGapMs"], Is.LessThanOrEqualTo(500), "no gap over 500 ms between delivered frames");
            Assert.That((long?)media["nacksReceived"], Is.GreaterThan(0), "the receiver asked for the lost packets");
            Assert.That((long?)media["retransmittedPackets"], Is.GreaterThan(0), "the sender resent them");
            Assert.That(run.Dropped, Is.GreaterThan(0), "the kernel must actually have dropped packets");
        });
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static int? Int(JsonObject result, string name) => (int?)result[name];
}
