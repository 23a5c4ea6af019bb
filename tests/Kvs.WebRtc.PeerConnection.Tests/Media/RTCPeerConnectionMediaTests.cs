using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection.Tests.PeerConnection;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Media;

/// <summary>Two of our connections on 127.0.0.1 carrying audio and video: negotiation, SRTP, packetization and frame assembly end to end.</summary>
[TestFixture]
public sealed class RTCPeerConnectionMediaTests
{
    [Test]
    public async Task EncodedFrameTrack_H264SentToPeer_ArrivesFrameByFrameStartingWithAKeyFrame()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var pair = new PeerPair();
        var track = new EncodedFrameTrack(RTCRtpCodec.H264);
        pair.A.AddTrack(track, "camera");
        var remoteTrack = NextTrackAsync(pair.B, cts.Token);

        await pair.NegotiateAsync(pair.A, ct: cts.Token);
        var received = await remoteTrack;
        Assert.That(received.Track.Kind, Is.EqualTo(MediaStreamTrackKind.Video));
        Assert.That(received.StreamIds, Is.EqualTo(new[] { "camera" }));
        await Task.WhenAll(
            PeerPair.WaitForStateAsync(pair.A, RTCPeerConnectionState.Connected, cts.Token),
            PeerPair.WaitForStateAsync(pair.B, RTCPeerConnectionState.Connected, cts.Token));

        var frames = SyntheticH264.Sequence(count: 60, keyFrameInterval: 30, seed: 7);
        var reader = ReadFramesAsync(received.Track, expected: 60, cts.Token);
        for (var i = 0; i < frames.Count; i++)
        {
            await track.WriteFrameAsync(new EncodedFrame(frames[i].Data, TimeSpan.FromMilliseconds(i * 33.3), frames[i].IsKeyFrame), cts.Token);
        }

        var got = await reader;
        Assert.That(got, Has.Count.EqualTo(60));
        Assert.That(got[0].IsKeyFrame, Is.True);
        for (var i = 0; i < got.Count; i++)
        {
            Assert.That(got[i].Data.ToArray(), Is.EqualTo(frames[i].Data), $"frame {i}");
            Assert.That(got[i].IsKeyFrame, Is.EqualTo(frames[i].IsKeyFrame), $"frame {i}");
            Assert.That(got[i].Timestamp.TotalMilliseconds, Is.EqualTo(i * 33.3).Within(0.1), $"frame {i}");
        }

        Assert.That(pair.A.GetSenders()[0].FramesSent, Is.EqualTo(60));
        var senderStats = pair.A.GetStats();
        var receiverStats = pair.B.GetStats();
        Assert.That(senderStats.SrtpPacketsSent, Is.GreaterThanOrEqualTo(pair.A.GetSenders()[0].PacketsSent));
        Assert.That(receiverStats.SrtpPacketsReceived, Is.GreaterThan(60), "a 6 KB key frame every 30 frames alone takes more than 60 packets");
        Assert.That((receiverStats.SrtpPacketsDropped, receiverStats.RtpPacketsUnroutable), Is.EqualTo((0L, 0L)));
    }

    [Test]
    public async Task OpusThenVideoByRenegotiationFromTheAnswerer_WithoutDataChannel_EachSideReceivesTheOther()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var pair = new PeerPair();
        var audioA = new EncodedFrameTrack(RTCRtpCodec.Opus);
        var videoB = new EncodedFrameTrack(RTCRtpCodec.Vp8);
        pair.A.AddTrack(audioA);
        pair.B.AddTrack(videoB);
        var atB = NextTrackAsync(pair.B, cts.Token);
        var atA = NextTrackAsync(pair.A, cts.Token);

        await pair.NegotiateAsync(pair.A, ct: cts.Token);
        var audioAtB = await atB;
        Assert.That(audioAtB.Track.Kind, Is.EqualTo(MediaStreamTrackKind.Audio));
        await PeerPair.WaitForStateAsync(pair.A, RTCPeerConnectionState.Connected, cts.Token);
        Assert.That(atA.IsCompleted, Is.False, "A's offer had no video section, so B's video needs another offer");

        // B's video transceiver was not in A's offer: B offers it now (the audio section keeps its place).
        await pair.NegotiateAsync(pair.B, ct: cts.Token);
        var videoAtA = await atA;
        Assert.That(videoAtA.Track.Kind, Is.EqualTo(MediaStreamTrackKind.Video));
        Assert.That(pair.A.GetTransceivers(), Has.Count.EqualTo(2), "the offered audio section and the answered video section");

        var audioReader = ReadFramesAsync(audioAtB.Track, expected: 50, cts.Token);
        var videoReader = ReadFramesAsync(videoAtA.Track, expected: 10, cts.Token);
        // Let B's sender see DTLS connected before it writes (its first frame is a key frame anyway).
        await PeerPair.WaitForStateAsync(pair.B, RTCPeerConnectionState.Connected, cts.Token);
        for (var i = 0; i < 50; i++)
        {
            // An Opus TOC byte (config 11: SILK WB 20 ms, mono, code 0) and a payload.
            var opus = new byte[80];
            opus[0] = 11 << 3;
            opus[1] = (byte)i;
            await audioA.WriteFrameAsync(opus, TimeSpan.FromMilliseconds(20), cts.Token);
        }

        for (var i = 0; i < 10; i++)
        {
            await videoB.WriteFrameAsync(SyntheticVp8.Frame(i == 0, 3000 + i, i), TimeSpan.FromMilliseconds(33), cts.Token);
        }

        var audio = await audioReader;
        var video = await videoReader;
        Assert.That(audio.Select(f => (int)f.Data.Span[1]), Is.EqualTo(Enumerable.Range(0, 50)));
        Assert.That(audio[1].Timestamp, Is.EqualTo(TimeSpan.FromMilliseconds(20)));
        Assert.That(video, Has.Count.EqualTo(10));
        Assert.That(video[0].IsKeyFrame, Is.True);
        Assert.That(video.Skip(1).All(f => !f.IsKeyFrame), Is.True);
        Assert.That(video[9].Data.Length, Is.EqualTo(3009));
    }

    [Test]
    public async Task ViewerJoiningMidStream_StartsOnTheNextKeyFrame_AndTheTrackIsAskedForOne()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var pair = new PeerPair();
        var track = new EncodedFrameTrack(RTCRtpCodec.H264);
        var requests = 0;
        track.KeyFrameRequested += (_, _) => Interlocked.Increment(ref requests);
        pair.A.AddTrack(track);
        var remote = NextTrackAsync(pair.B, cts.Token);
        await pair.NegotiateAsync(pair.A, ct: cts.Token);
        var received = (await remote).Track;
        await PeerPair.WaitForStateAsync(pair.A, RTCPeerConnectionState.Connected, cts.Token);

        var frames = SyntheticH264.Sequence(count: 20, keyFrameInterval: 10, seed: 3);
        var reader = ReadFramesAsync(received, expected: 15, cts.Token);

        // The stream "started" before this viewer: the first five frames are deltas, they must not be sent.
        for (var i = 0; i < 5; i++)
        {
            await track.WriteFrameAsync(new EncodedFrame(SyntheticH264.Delta(500, i), TimeSpan.FromMilliseconds(i * 33), false), cts.Token);
        }

        for (var i = 0; i < 15; i++)
        {
            await track.WriteFrameAsync(new EncodedFrame(frames[i].Data, TimeSpan.FromMilliseconds((i + 5) * 33), frames[i].IsKeyFrame), cts.Token);
        }

        var got = await reader;
        Assert.That(got[0].IsKeyFrame, Is.True);
        Assert.That(got[0].Data.ToArray(), Is.EqualTo(frames[0].Data));
        Assert.That(received.FramesDropped, Is.Zero, "nothing undecodable reached the receiver");
        Assert.That(track.KeyFrameRequests, Is.GreaterThanOrEqualTo(1));
    }

    internal static Task<RTCTrackEventArgs> NextTrackAsync(RTCPeerConnection pc, CancellationToken ct)
    {
        var tcs = new TaskCompletionSource<RTCTrackEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        pc.Track += (_, e) => tcs.TrySetResult(e);
        ct.Register(() => tcs.TrySetCanceled());
        return tcs.Task;
    }

    internal static async Task<List<EncodedFrame>> ReadFramesAsync(RemoteMediaTrack track, int expected, CancellationToken ct)
    {
        var frames = new List<EncodedFrame>();
        await foreach (var frame in track.ReadFramesAsync(ct))
        {
            frames.Add(frame);
            if (frames.Count == expected)
            {
                break;
            }
        }

        return frames;
    }
}
