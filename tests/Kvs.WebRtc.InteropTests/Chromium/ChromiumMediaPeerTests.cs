using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.PeerConnection.Sdp;
using Kvs.WebRtc.Testing.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.Chromium;

/// <summary>
/// The media harness itself, validated without our stack: a second Chromium peer in the same page sends to the harness
/// peer over loopback, and the harness's stats and pixel sampling must see it.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class ChromiumMediaPeerTests
{
    /// <summary>Per-channel tolerance for the quadrant colours after canvas → encoder → decoder → canvas.</summary>
    private const int ColourTolerance = 48;

    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    [TestCase("VP8")]
    [TestCase("H264")]
    public async Task TestPatternFromSecondPeer_HarnessDecodesItAndSeesTheQuadrantColours(string codec, CancellationToken cancellationToken)
    {
        await using var page = await ChromiumPage.LaunchAsync(cancellationToken);
        await using var receiver = await ChromiumMediaPeer.CreateAsync(page, "receiver", cancellationToken);
        await using var sender = await ChromiumMediaPeer.CreateAsync(page, "sender", cancellationToken);

        var offer = await sender.CreateOfferAsync(
            new ChromiumOfferOptions { Video = ChromiumMediaDirection.SendOnly, VideoSource = ChromiumVideoSource.TestPattern, VideoCodec = codec },
            cancellationToken);
        var answer = await receiver.AnswerAsync(offer, cancellationToken);
        await sender.SetRemoteAnswerAsync(answer, cancellationToken);
        await receiver.WaitForConnectionStateAsync("connected", s_wait, cancellationToken);

        var stats = await ChromiumMediaPeer.WaitForAsync(receiver.GetInboundVideoStatsAsync,
            s => s.FramesDecoded >= 10 && s.FrameWidth > 0, s_wait, "10 decoded frames", cancellationToken: cancellationToken);
        Assert.That(stats.MimeType, Is.EqualTo("video/" + codec));
        Assert.That((stats.FrameWidth, stats.FrameHeight), Is.EqualTo((TestMedia.Width, TestMedia.Height)));
        Assert.That(stats.KeyFramesDecoded, Is.GreaterThanOrEqualTo(1));
        Assert.That(stats.PacketsReceived, Is.GreaterThan(0));

        // Early frames may be coarse while the encoder ramps up: poll until every quadrant is close, then assert.
        var points = TestMedia.Quadrants.Select(q => (q.X, q.Y)).ToList();
        IReadOnlyList<Rgb> colours = [];
        try
        {
            colours = await ChromiumMediaPeer.WaitForAsync(
                ct => receiver.SampleVideoColoursAsync(points, cancellationToken: ct),
                c => c.Zip(TestMedia.Quadrants).All(p => p.First.IsNear(p.Second.Colour, ColourTolerance)),
                s_wait, "quadrant colours", cancellationToken: cancellationToken);
        }
        catch (TimeoutException)
        {
            colours = await receiver.SampleVideoColoursAsync(points, cancellationToken: cancellationToken);
        }

        await TestContext.Out.WriteLineAsync($"{codec}: sampled {string.Join(", ", colours)}; {stats}");
        Assert.Multiple(() =>
        {
            foreach (var (sampled, quadrant) in colours.Zip(TestMedia.Quadrants))
            {
                Assert.That(sampled.IsNear(quadrant.Colour, ColourTolerance), Is.True, $"{quadrant.Name}: {sampled}, expected {quadrant.Colour}");
            }
        });

        var sent = await sender.GetOutboundRtpStatsAsync("video", cancellationToken);
        Assert.That(sent.MimeType, Is.EqualTo("video/" + codec));
        Assert.That(sent.FramesEncoded, Is.GreaterThan(0));
        Assert.That(sent.PacketsSent, Is.GreaterThan(0));
    }

    [Test]
    public async Task FakeDevicesFromSecondPeer_HarnessReportsAudioAndVideoStats(CancellationToken cancellationToken)
    {
        await using var page = await ChromiumPage.LaunchAsync(cancellationToken);
        await using var receiver = await ChromiumMediaPeer.CreateAsync(page, "receiver", cancellationToken);
        await using var sender = await ChromiumMediaPeer.CreateAsync(page, "sender", cancellationToken);

        var offer = await sender.CreateOfferAsync(
            new ChromiumOfferOptions { Audio = ChromiumMediaDirection.SendRecv, Video = ChromiumMediaDirection.SendRecv, DataChannel = true },
            cancellationToken);
        var answer = await receiver.AnswerAsync(offer, cancellationToken);
        await sender.SetRemoteAnswerAsync(answer, cancellationToken);

        var video = await ChromiumMediaPeer.WaitForAsync(receiver.GetInboundVideoStatsAsync, s => s.FramesDecoded > 0, s_wait, "decoded video", cancellationToken: cancellationToken);
        var audio = await ChromiumMediaPeer.WaitForAsync(receiver.GetInboundAudioStatsAsync, s => s.TotalSamplesReceived > 0, s_wait, "received audio", cancellationToken: cancellationToken);

        Assert.That(await receiver.GetConnectionStateAsync(cancellationToken), Is.EqualTo("connected"));
        Assert.That(video.Exists, Is.True);
        Assert.That(video.FrameWidth, Is.GreaterThan(0));
        Assert.That(audio.MimeType, Is.EqualTo("audio/opus"));
        Assert.That(audio.PacketsReceived, Is.GreaterThan(0));
        Assert.That(await receiver.GetLogAsync(cancellationToken), Does.Contain("track:audio").And.Contain("track:video").And.Contain("datachannel:kvs"));
        var none = await sender.GetInboundVideoStatsAsync(cancellationToken);
        Assert.That(none.Exists, Is.False, "the sender receives nothing: the answerer has no tracks");
    }

    [Test]
    public async Task AnswerAsync_SendingToARecvOnlyOffer_OffererDecodesThePatternAndAudio(CancellationToken cancellationToken)
    {
        await using var page = await ChromiumPage.LaunchAsync(cancellationToken);
        await using var viewer = await ChromiumMediaPeer.CreateAsync(page, "viewer", cancellationToken);
        await using var master = await ChromiumMediaPeer.CreateAsync(page, "master", cancellationToken);

        var offer = await viewer.CreateOfferAsync(
            new ChromiumOfferOptions { Audio = ChromiumMediaDirection.RecvOnly, Video = ChromiumMediaDirection.RecvOnly, VideoCodec = "H264" },
            cancellationToken);
        var answer = await master.AnswerAsync(offer,
            new ChromiumAnswerOptions { SendAudio = true, SendVideo = true, VideoSource = ChromiumVideoSource.TestPattern }, cancellationToken);
        await viewer.SetRemoteAnswerAsync(answer, cancellationToken);

        var video = await ChromiumMediaPeer.WaitForAsync(viewer.GetInboundVideoStatsAsync, s => s.FramesDecoded >= 5, s_wait, "decoded video", cancellationToken: cancellationToken);
        var audio = await ChromiumMediaPeer.WaitForAsync(viewer.GetInboundAudioStatsAsync, s => s.TotalSamplesReceived > 0, s_wait, "received audio", cancellationToken: cancellationToken);
        var colours = await ChromiumMediaPeer.WaitForAsync(
            ct => viewer.SampleVideoColoursAsync([(0.25, 0.25), (0.75, 0.75)], cancellationToken: ct),
            c => c[0].IsNear(Rgb.Red, ColourTolerance) && c[1].IsNear(Rgb.White, ColourTolerance),
            s_wait, "red top-left and white bottom-right", cancellationToken: cancellationToken);

        Assert.That(video.MimeType, Is.EqualTo("video/H264"), "the offerer's codec preference wins");
        Assert.That(audio.MimeType, Is.EqualTo("audio/opus"));
        Assert.That(colours, Has.Count.EqualTo(2));
        Assert.That((await master.GetOutboundRtpStatsAsync("audio", cancellationToken)).PacketsSent, Is.GreaterThan(0));
    }

    [TestCase("VP8")]
    [TestCase("H264")]
    public async Task CreateOfferAsync_FakeCameraWithPreferredCodec_ListsThatCodecFirst(string codec, CancellationToken cancellationToken)
    {
        await using var peer = await ChromiumMediaPeer.LaunchAsync(cancellationToken);

        var sdp = await peer.CreateOfferAsync(
            new ChromiumOfferOptions { Audio = ChromiumMediaDirection.SendRecv, Video = ChromiumMediaDirection.SendRecv, VideoCodec = codec },
            cancellationToken);

        var session = SessionDescription.Parse(sdp);
        var video = session.Media.Single(m => m.Media == "video");
        var first = video.PayloadTypes[0];
        Assert.That(video.GetRtpMap(first)!.EncodingName, Is.EqualTo(codec));
        if (codec == "H264")
        {
            var parameters = video.GetFmtp(first)!.GetParameters();
            Assert.That(parameters["profile-level-id"], Is.EqualTo(TestMedia.H264SdpProfileLevelId).IgnoreCase);
            Assert.That(parameters["packetization-mode"], Is.EqualTo("1"));
        }

        Assert.That(video.Direction, Is.EqualTo(SdpDirection.SendRecv));
        Assert.That(video.Ssrcs, Is.Not.Empty, "the fake camera track is attached");
        Assert.That(session.Media.Single(m => m.Media == "audio").Ssrcs, Is.Not.Empty, "the fake microphone track is attached");
        Assert.That(session.Media.SelectMany(m => m.Candidates), Has.Some.Contains(" 127.0.0.1 "), "candidates are in the SDP (gathering completed)");
    }
}
