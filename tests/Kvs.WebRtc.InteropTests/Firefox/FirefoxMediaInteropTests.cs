using System.Text.Json.Nodes;
using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.Media;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.Testing.Media;
using NUnit.Framework;
using static Kvs.WebRtc.Testing.PeerConnectionWaits;

namespace Kvs.WebRtc.InteropTests.Firefox;

/// <summary>
/// Our media against headless Firefox ESR (its own RTP stack and libvpx/libopus), judged by Firefox itself: its
/// <c>getStats()</c> counts decoded frames and the pixels of the decoded picture must show the test pattern's quadrants.
/// And the reverse: Firefox's fake camera (VP8) and microphone (Opus) received by us as whole frames that Debian ffmpeg
/// decodes without errors. One Firefox serves all Firefox tests (<see cref="FirefoxSetUp"/>), a fresh peer connection per test.
/// </summary>
[TestFixture]
[Category("Interop")]
[NonParallelizable]
public sealed class FirefoxMediaInteropTests
{
    private const int ColourTolerance = 48;
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(15);

    private static readonly RTCConfiguration s_configuration = new()
    {
        IncludeLoopbackCandidates = true, EnableIpv6 = false, HostAddresses = [System.Net.IPAddress.Loopback],
    };

    [TestCase(true)]
    [TestCase(false)]
    public async Task WeSendVp8AndOpus_FirefoxDecodesEveryFrameAndShowsThePattern(bool weOffer)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        var ct = cts.Token;
        var firefox = FirefoxSetUp.Firefox;
        await using var ours = new RTCPeerConnection(s_configuration);
        await firefox.CreatePeerConnectionAsync(ct);
        var video = new EncodedFrameTrack(RTCRtpCodec.Vp8);
        var audio = new EncodedFrameTrack(RTCRtpCodec.Opus);

        if (weOffer)
        {
            ours.AddTransceiver(video, new RTCRtpTransceiverInit { Direction = RTCRtpTransceiverDirection.SendOnly, StreamIds = ["camera"] });
            ours.AddTransceiver(audio, new RTCRtpTransceiverInit { Direction = RTCRtpTransceiverDirection.SendOnly, StreamIds = ["camera"] });
            await firefox.WeOfferAsync(ours, ct);
            var answer = ours.RemoteDescription!.Sdp;
            Assert.That(answer.Split("\r\n").Count(l => l == "a=recvonly"), Is.EqualTo(2), "Firefox answers both sendonly sections recvonly: " + answer);
        }
        else
        {
            // The shape the KVS JS SDK viewer offers: receive-only audio and video, Firefox's default codec lists.
            ours.AddTrack(video, "camera");
            ours.AddTrack(audio, "camera");
            await firefox.AddTransceiverAsync("audio", ct, new { direction = "recvonly" });
            await firefox.AddTransceiverAsync("video", ct, new { direction = "recvonly" });
            await firefox.FirefoxOffersAsync(ours, ct);
            Assert.That(ours.LocalDescription!.Sdp, Does.Contain("a=sendonly").And.Not.Contain("a=inactive"), "we answer the recvonly offer sendonly");
        }

        await WaitForStateAsync(ours, RTCPeerConnectionState.Connected, ct);
        await firefox.WaitConnectedAsync(s_wait, ct);
        var frames = MediaStreaming.Vp8Frames();
        var opus = OggOpusReader.ReadFile(TestMedia.OpusOggPath).Packets;
        var sent = await MediaStreaming.StreamInRealTimeAsync(video, frames, audio, opus, ct);

        var stats = await ChromiumMediaPeer.WaitForAsync(firefox.GetInboundVideoStatsAsync,
            s => s.FramesDecoded >= sent * 95 / 100, s_wait, $"95% of {sent} frames decoded by Firefox", cancellationToken: ct);
        var audioStats = await ChromiumMediaPeer.WaitForAsync(firefox.GetInboundAudioStatsAsync,
            s => s.PacketsReceived > opus.Count / 2, s_wait, "Opus packets at Firefox", cancellationToken: ct);
        var colours = await firefox.SampleVideoColoursAsync(TestMedia.Quadrants.Select(q => (q.X, q.Y)).ToList(), ct);
        var raw = InboundVideoReport(await firefox.GetStatsAsync(ct));
        await TestContext.Out.WriteLineAsync($"VP8 sent {sent} frames; Firefox {firefox.Version}: {stats}; {audioStats}; colours {string.Join(", ", colours)}");

        Assert.Multiple(() =>
        {
            Assert.That(stats.MimeType, Is.EqualTo("video/VP8"));
            Assert.That(stats.FramesDecoded, Is.GreaterThanOrEqualTo(sent * 95 / 100));
            Assert.That(raw.ContainsKey("keyFramesDecoded"), Is.True, "Firefox reports keyFramesDecoded: " + raw.ToJsonString());
            Assert.That(stats.KeyFramesDecoded, Is.GreaterThanOrEqualTo(1));
            Assert.That((stats.FrameWidth, stats.FrameHeight), Is.EqualTo((TestMedia.Width, TestMedia.Height)));
            Assert.That(audioStats.MimeType, Is.EqualTo("audio/opus"));
            Assert.That(audioStats.PacketsReceived, Is.GreaterThan(opus.Count / 2));
            foreach (var (colour, quadrant) in colours.Zip(TestMedia.Quadrants))
            {
                Assert.That(colour.IsNear(quadrant.Colour, ColourTolerance), Is.True, $"{quadrant.Name}: {colour} vs {quadrant.Colour}");
            }
        });
        Assert.That(firefox.Errors, Is.Empty, firefox.Describe());
    }

    [Test]
    public async Task FirefoxSendsItsFakeCameraAndMicrophone_WeAssembleVp8FramesThatFfmpegDecodes()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        var ct = cts.Token;
        var firefox = FirefoxSetUp.Firefox;
        await using var ours = new RTCPeerConnection(s_configuration);
        var tracks = new List<RTCTrackEventArgs>();
        ours.Track += (_, e) =>
        {
            lock (tracks)
            {
                tracks.Add(e);
            }
        };

        await firefox.CreatePeerConnectionAsync(ct);
        Assert.That(await firefox.AddFakeMediaAsync(ct), Is.EquivalentTo(new[] { "audio", "video" }));
        await firefox.FirefoxOffersAsync(ours, ct);
        Assert.That(ours.LocalDescription!.Sdp, Does.Contain("a=recvonly"), "nothing of ours to send: we answer Firefox's sendrecv recvonly");
        await WaitForStateAsync(ours, RTCPeerConnectionState.Connected, ct);
        await TestContext.Out.WriteLineAsync("Firefox offers: " + string.Join("; ", ours.RemoteDescription!.Sdp.Split("\r\n").Where(l => l.StartsWith("m=", StringComparison.Ordinal) || l.StartsWith("a=rtpmap:", StringComparison.Ordinal))));

        RemoteMediaTrack videoTrack, audioTrack;
        lock (tracks)
        {
            Assert.That(tracks.Select(t => t.Track.Kind), Is.EquivalentTo(new[] { MediaStreamTrackKind.Audio, MediaStreamTrackKind.Video }));
            videoTrack = tracks.Single(t => t.Track.Kind == MediaStreamTrackKind.Video).Track;
            audioTrack = tracks.Single(t => t.Track.Kind == MediaStreamTrackKind.Audio).Track;
        }

        var videoFrames = await MediaStreaming.ReadFramesAsync(videoTrack, 60, s_wait, ct);
        var audioFrames = await MediaStreaming.ReadFramesAsync(audioTrack, 50, s_wait, ct);
        var sentByFirefox = await firefox.GetOutboundRtpStatsAsync("video", ct);
        Assert.That(videoTrack.Codec!.Name, Is.EqualTo("VP8"));
        Assert.That(audioTrack.Codec!.Name, Is.EqualTo("opus").IgnoreCase);
        Assert.That(sentByFirefox.MimeType, Is.EqualTo("video/VP8"), "Firefox's own view of what it sends");
        Assert.That(videoFrames[0].IsKeyFrame, Is.True, "the first frame delivered is a key frame");
        Assert.That(videoFrames.Zip(videoFrames.Skip(1)).All(p => p.Second.Timestamp > p.First.Timestamp), Is.True, "video timestamps increase");
        Assert.That(audioFrames.Zip(audioFrames.Skip(1)).All(p => p.Second.Timestamp > p.First.Timestamp), Is.True, "audio timestamps increase");

        var path = Path.Combine(Path.GetTempPath(), $"kvs-firefox-vp8-{Guid.NewGuid():N}.ivf");
        try
        {
            await File.WriteAllBytesAsync(path, MediaStreaming.ToIvf(videoFrames), ct);
            var decoded = await Ffmpeg.DecodeAsync(path, cancellationToken: ct);
            await TestContext.Out.WriteLineAsync($"VP8 from Firefox: {videoFrames.Count} frames ({videoFrames.Count(f => f.IsKeyFrame)} key), ffmpeg: {decoded}; Firefox sent {sentByFirefox}");
            Assert.That(decoded.Errors, Is.Empty);
            Assert.That(decoded.FramesDecoded, Is.EqualTo(videoFrames.Count));
        }
        finally
        {
            File.Delete(path);
        }

        Assert.That(firefox.Errors, Is.Empty, firefox.Describe());
    }

    private static JsonObject InboundVideoReport(JsonArray stats) =>
        stats.OfType<JsonObject>().Where(r => (string?)r["type"] == "inbound-rtp" && (string?)r["kind"] == "video")
            .OrderByDescending(r => (long?)r["packetsReceived"] ?? 0).First();
}
