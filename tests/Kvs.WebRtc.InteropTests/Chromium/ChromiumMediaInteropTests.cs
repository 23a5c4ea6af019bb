using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.Media;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.Testing;
using Kvs.WebRtc.Testing.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.Chromium;

/// <summary>
/// Our media against Chromium (libwebrtc), judged by Chromium itself: its <c>getStats()</c> counts decoded frames and
/// samples, and the pixels of the decoded picture must show the test pattern's quadrants. And the reverse: Chromium's
/// fake camera and microphone received by us, written to files that Debian ffmpeg decodes without errors.
/// </summary>
[TestFixture]
[Category("Interop")]
[CancelAfter(90_000)]
public sealed class ChromiumMediaInteropTests
{
    private const int ColourTolerance = 48;
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(15);

    private static readonly RTCConfiguration s_configuration = new()
    {
        IncludeLoopbackCandidates = true, EnableIpv6 = false, HostAddresses = [System.Net.IPAddress.Loopback],
    };

    [TestCase("H264", true)]
    [TestCase("VP8", true)]
    [TestCase("H264", false)]
    public async Task OurMasterSendsVideoAndOpus_ChromiumDecodesEveryFrameAndShowsThePattern(string codec, bool weOffer, CancellationToken cancellationToken)
    {
        await using var page = await ChromiumPage.LaunchAsync(cancellationToken);
        await using var chromium = await ChromiumMediaPeer.CreateAsync(page, "viewer", cancellationToken);
        await using var ours = new RTCPeerConnection(s_configuration);
        var video = new EncodedFrameTrack(codec == "VP8" ? RTCRtpCodec.Vp8 : RTCRtpCodec.H264);
        var audio = new EncodedFrameTrack(RTCRtpCodec.Opus);

        if (weOffer)
        {
            ours.AddTransceiver(video, new RTCRtpTransceiverInit { Direction = RTCRtpTransceiverDirection.SendOnly, StreamIds = ["camera"] });
            ours.AddTransceiver(audio, new RTCRtpTransceiverInit { Direction = RTCRtpTransceiverDirection.SendOnly, StreamIds = ["camera"] });
            var offer = await OfferWithCandidatesAsync(ours, cancellationToken);
            var answer = await chromium.AnswerAsync(offer, cancellationToken);
            await ours.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Answer, answer), cancellationToken);
        }
        else
        {
            // The shape the official KVS JS SDK viewer page offers: receive-only audio and video, no data channel.
            ours.AddTrack(video, "camera");
            ours.AddTrack(audio, "camera");
            var offer = await chromium.CreateOfferAsync(new ChromiumOfferOptions
            {
                Audio = ChromiumMediaDirection.RecvOnly, Video = ChromiumMediaDirection.RecvOnly, VideoCodec = codec,
            }, cancellationToken);
            await ours.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Offer, offer), cancellationToken);
            var answer = await AnswerWithCandidatesAsync(ours, cancellationToken);
            Assert.That(answer, Does.Contain("a=sendonly"));
            await chromium.SetRemoteAnswerAsync(answer, cancellationToken);
        }

        await PeerConnectionWaits.WaitForStateAsync(ours, RTCPeerConnectionState.Connected, cancellationToken);
        var frames = codec == "VP8"
            ? MediaStreaming.Vp8Frames()
            : MediaStreaming.H264Frames();
        var opus = OggOpusReader.ReadFile(TestMedia.OpusOggPath).Packets;

        var sent = await MediaStreaming.StreamInRealTimeAsync(video, frames, audio, opus, cancellationToken);
        var stats = await ChromiumMediaPeer.WaitForAsync(chromium.GetInboundVideoStatsAsync,
            s => s.FramesDecoded >= sent * 95 / 100, s_wait, $"95% of {sent} frames decoded", cancellationToken: cancellationToken);
        var audioStats = await ChromiumMediaPeer.WaitForAsync(chromium.GetInboundAudioStatsAsync,
            s => s.TotalSamplesReceived > 0, s_wait, "audio samples", cancellationToken: cancellationToken);
        var colours = await chromium.SampleVideoColoursAsync(TestMedia.Quadrants.Select(q => (q.X, q.Y)).ToList(), cancellationToken: cancellationToken);
        await TestContext.Out.WriteLineAsync($"{codec} sent {sent} frames; Chromium: {stats}; {audioStats}; colours {string.Join(", ", colours)}");

        Assert.Multiple(() =>
        {
            Assert.That(stats.MimeType, Is.EqualTo("video/" + codec));
            Assert.That(stats.FramesDecoded, Is.GreaterThanOrEqualTo(sent * 95 / 100));
            Assert.That(stats.KeyFramesDecoded, Is.GreaterThanOrEqualTo(1));
            Assert.That((stats.FrameWidth, stats.FrameHeight), Is.EqualTo((TestMedia.Width, TestMedia.Height)));
            Assert.That(audioStats.MimeType, Is.EqualTo("audio/opus"));
            Assert.That(audioStats.PacketsReceived, Is.GreaterThan(opus.Count / 2));
            Assert.That(ours.LocalDescription!.Sdp, Does.Contain("a=ssrc-group:FID "), "we announce an RTX SSRC");
            Assert.That(ours.RemoteDescription!.Sdp, Does.Contain(" rtx/90000"), "Chromium negotiated RTX (it would NACK and get RTX on loss)");
            foreach (var (colour, quadrant) in colours.Zip(TestMedia.Quadrants))
            {
                Assert.That(colour.IsNear(quadrant.Colour, ColourTolerance), Is.True, $"{quadrant.Name}: {colour} vs {quadrant.Colour}");
            }
        });
    }

    [TestCase("VP8")]
    [TestCase("H264")]
    public async Task ChromiumSendsItsFakeCameraAndMicrophone_WeAssembleFramesThatFfmpegDecodes(string codec, CancellationToken cancellationToken)
    {
        await using var page = await ChromiumPage.LaunchAsync(cancellationToken);
        await using var chromium = await ChromiumMediaPeer.CreateAsync(page, "camera", cancellationToken);
        await using var ours = new RTCPeerConnection(s_configuration);
        var tracks = new List<RTCTrackEventArgs>();
        ours.Track += (_, e) => { lock (tracks) { tracks.Add(e); } };

        var offer = await chromium.CreateOfferAsync(new ChromiumOfferOptions
        {
            Audio = ChromiumMediaDirection.SendOnly, Video = ChromiumMediaDirection.SendOnly, VideoSource = ChromiumVideoSource.FakeCamera, VideoCodec = codec,
        }, cancellationToken);
        await ours.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Offer, offer), cancellationToken);
        var answer = await AnswerWithCandidatesAsync(ours, cancellationToken);
        Assert.That(answer, Does.Contain("a=recvonly"));
        await chromium.SetRemoteAnswerAsync(answer, cancellationToken);
        await PeerConnectionWaits.WaitForStateAsync(ours, RTCPeerConnectionState.Connected, cancellationToken);

        RemoteMediaTrack videoTrack, audioTrack;
        lock (tracks)
        {
            Assert.That(tracks.Select(t => t.Track.Kind), Is.EquivalentTo(new[] { MediaStreamTrackKind.Audio, MediaStreamTrackKind.Video }));
            videoTrack = tracks.Single(t => t.Track.Kind == MediaStreamTrackKind.Video).Track;
            audioTrack = tracks.Single(t => t.Track.Kind == MediaStreamTrackKind.Audio).Track;
        }

        var videoFrames = await MediaStreaming.ReadFramesAsync(videoTrack, 60, s_wait, cancellationToken);
        var audioFrames = await MediaStreaming.ReadFramesAsync(audioTrack, 50, s_wait, cancellationToken);
        Assert.That(videoTrack.Codec!.Name, Is.EqualTo(codec));
        Assert.That(videoFrames[0].IsKeyFrame, Is.True, "the first frame delivered is a key frame");
        Assert.That(videoFrames.Zip(videoFrames.Skip(1)).All(p => p.Second.Timestamp > p.First.Timestamp), Is.True, "video timestamps increase");
        Assert.That(audioFrames.Zip(audioFrames.Skip(1)).All(p => p.Second.Timestamp > p.First.Timestamp), Is.True, "audio timestamps increase");

        var path = Path.Combine(Path.GetTempPath(), $"kvs-chromium-{codec}-{Guid.NewGuid():N}" + (codec == "VP8" ? ".ivf" : ".h264"));
        try
        {
            await File.WriteAllBytesAsync(path, codec == "VP8" ? MediaStreaming.ToIvf(videoFrames) : videoFrames.SelectMany(f => f.Data.ToArray()).ToArray(), cancellationToken);
            var decoded = await Ffmpeg.DecodeAsync(path, cancellationToken: cancellationToken);
            await TestContext.Out.WriteLineAsync($"{codec}: {videoFrames.Count} frames ({videoFrames.Count(f => f.IsKeyFrame)} key), ffmpeg: {decoded}");
            Assert.That(decoded.Errors, Is.Empty);
            Assert.That(decoded.FramesDecoded, Is.EqualTo(videoFrames.Count));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task KvsJsSdkViewerOfferWithDataChannel_OurAnswerAcceptsAllThreeAndChromiumDecodes(CancellationToken cancellationToken)
    {
        await using var page = await ChromiumPage.LaunchAsync(cancellationToken);
        await using var chromium = await ChromiumMediaPeer.CreateAsync(page, "viewer", cancellationToken);
        await using var ours = new RTCPeerConnection(s_configuration);
        var video = new EncodedFrameTrack(RTCRtpCodec.H264);
        ours.AddTrack(video);
        var offer = await chromium.CreateOfferAsync(new ChromiumOfferOptions
        {
            Audio = ChromiumMediaDirection.RecvOnly, Video = ChromiumMediaDirection.RecvOnly, DataChannel = true,
        }, cancellationToken);
        await ours.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Offer, offer), cancellationToken);
        var answer = await AnswerWithCandidatesAsync(ours, cancellationToken);
        Assert.That(answer, Does.Contain("m=application 9 UDP/DTLS/SCTP"));
        Assert.That(answer, Does.Contain("m=audio 9 "), "audio is accepted (inactive: nothing to send, the viewer only receives)");
        await chromium.SetRemoteAnswerAsync(answer, cancellationToken);
        await PeerConnectionWaits.WaitForStateAsync(ours, RTCPeerConnectionState.Connected, cancellationToken);

        var frames = AnnexBReader.ReadFile(TestMedia.H264Path, AnnexBCodec.H264, TestMedia.FramesPerSecond).Take(60)
            .Select(f => (Data: f.AccessUnit, f.Timestamp, f.IsKeyFrame)).ToList();
        var sent = await MediaStreaming.StreamInRealTimeAsync(video, frames, null, [], cancellationToken);
        var stats = await ChromiumMediaPeer.WaitForAsync(chromium.GetInboundVideoStatsAsync,
            s => s.FramesDecoded >= sent * 95 / 100, s_wait, $"95% of {sent} frames decoded", cancellationToken: cancellationToken);
        Assert.That(stats.KeyFramesDecoded, Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public async Task KvsJsSdkViewerWithCamera_SendRecvVideoFlowsBothWays(CancellationToken cancellationToken)
    {
        await using var page = await ChromiumPage.LaunchAsync(cancellationToken);
        await using var chromium = await ChromiumMediaPeer.CreateAsync(page, "viewer", cancellationToken);
        await using var ours = new RTCPeerConnection(s_configuration);
        var video = new EncodedFrameTrack(RTCRtpCodec.H264);
        ours.AddTrack(video, "camera");
        var remote = new TaskCompletionSource<RemoteMediaTrack>(TaskCreationOptions.RunContinuationsAsynchronously);
        ours.Track += (_, e) => remote.TrySetResult(e.Track);

        // The KVS viewer page with "send video" on: sendrecv video from the fake camera, receive-only audio.
        var offer = await chromium.CreateOfferAsync(new ChromiumOfferOptions
        {
            Audio = ChromiumMediaDirection.RecvOnly, Video = ChromiumMediaDirection.SendRecv, VideoSource = ChromiumVideoSource.FakeCamera, VideoCodec = "H264",
        }, cancellationToken);
        await ours.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Offer, offer), cancellationToken);
        var answer = await AnswerWithCandidatesAsync(ours, cancellationToken);
        Assert.That(answer, Does.Contain("a=sendrecv"));
        await chromium.SetRemoteAnswerAsync(answer, cancellationToken);
        await PeerConnectionWaits.WaitForStateAsync(ours, RTCPeerConnectionState.Connected, cancellationToken);

        var fromChromium = await remote.Task.WaitAsync(s_wait, cancellationToken);
        var frames = AnnexBReader.ReadFile(TestMedia.H264Path, AnnexBCodec.H264, TestMedia.FramesPerSecond).Take(60)
            .Select(f => (Data: f.AccessUnit, f.Timestamp, f.IsKeyFrame)).ToList();
        var reading = MediaStreaming.ReadFramesAsync(fromChromium, 30, s_wait, cancellationToken);
        var sent = await MediaStreaming.StreamInRealTimeAsync(video, frames, null, [], cancellationToken);
        var stats = await ChromiumMediaPeer.WaitForAsync(chromium.GetInboundVideoStatsAsync,
            s => s.FramesDecoded >= sent * 95 / 100, s_wait, $"95% of {sent} frames decoded", cancellationToken: cancellationToken);
        var received = await reading;
        Assert.That(stats.KeyFramesDecoded, Is.GreaterThanOrEqualTo(1));
        Assert.That(received, Has.Count.EqualTo(30));
        Assert.That(received[0].IsKeyFrame, Is.True);
    }

    private static async Task<string> OfferWithCandidatesAsync(RTCPeerConnection pc, CancellationToken ct)
    {
        var gathered = WaitGatheredAsync(pc, ct);
        await pc.SetLocalDescriptionAsync(await pc.CreateOfferAsync(ct), ct);
        await gathered;
        return pc.LocalDescription!.Sdp;
    }

    private static async Task<string> AnswerWithCandidatesAsync(RTCPeerConnection pc, CancellationToken ct)
    {
        var gathered = WaitGatheredAsync(pc, ct);
        await pc.SetLocalDescriptionAsync(await pc.CreateAnswerAsync(ct), ct);
        await gathered;
        return pc.LocalDescription!.Sdp;
    }

    private static Task WaitGatheredAsync(RTCPeerConnection pc, CancellationToken ct)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pc.IceCandidate += (_, e) =>
        {
            if (e.Candidate is null)
            {
                tcs.TrySetResult();
            }
        };
        ct.Register(() => tcs.TrySetCanceled());
        return tcs.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
    }
}
