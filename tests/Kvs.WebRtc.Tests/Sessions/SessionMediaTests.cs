using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Kvs.WebRtc.Media;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Sessions;
using Kvs.WebRtc.Testing.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Sessions;

/// <summary>
/// Sessions with audio and video through the in-process KVS emulator: a master's tracks reach every viewer (packetized
/// once), a viewer joining mid-stream starts on a key frame, viewers without a data channel join, and a viewer's
/// talkback audio reaches the master.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class SessionMediaTests : SessionFixture
{
    /// <inheritdoc />
    protected override string ChannelPrefix => "media-";

    [Test]
    public async Task MasterWithVideoAndAudio_TwoViewersReceiveTheSameFrames(CancellationToken cancellationToken)
    {
        var video = new EncodedFrameTrack(RTCRtpCodec.H264);
        var audio = new EncodedFrameTrack(RTCRtpCodec.Opus);
        await using var master = await MasterSession.StartAsync(
            new MasterSessionOptions { Channel = ChannelOptions, PeerConfiguration = Loopback, Tracks = [video, audio] }, cancellationToken);
        await using var first = await ViewerSession.ConnectAsync(ViewerOptions("viewer-a"), cancellationToken);
        await using var second = await ViewerSession.ConnectAsync(ViewerOptions("viewer-b"), cancellationToken);
        Assert.That(first.VideoTrack, Is.Not.Null);
        Assert.That(first.AudioTrack, Is.Not.Null);
        Assert.That(second.VideoTrack, Is.Not.Null);
        await WaitUntilAsync(() => master.Viewers.Count == 2 && video.SenderCount == 2, cancellationToken);

        var frames = AnnexBReader.ReadFile(TestMedia.H264Path, AnnexBCodec.H264, TestMedia.FramesPerSecond).Take(60).ToList();
        var atFirst = ReadFramesAsync(first.VideoTrack!, frames.Count, cancellationToken);
        var atSecond = ReadFramesAsync(second.VideoTrack!, frames.Count, cancellationToken);
        var audioAtFirst = ReadFramesAsync(first.AudioTrack!, 10, cancellationToken);
        foreach (var frame in frames)
        {
            await video.WriteFrameAsync(new EncodedFrame(frame.AccessUnit, frame.Timestamp, frame.IsKeyFrame), cancellationToken);
            await audio.WriteFrameAsync(new EncodedFrame(new byte[] { 11 << 3, 1, 2, 3 }, frame.Timestamp, true), cancellationToken);
        }

        foreach (var received in new[] { await atFirst, await atSecond })
        {
            Assert.That(received, Has.Count.EqualTo(frames.Count));
            Assert.That(received.Select(f => Nals(f.Data)), Is.EqualTo(frames.Select(f => Nals(f.AccessUnit))), "the same NAL units (start codes are rewritten as 4 bytes)");
            Assert.That(received.Count(f => f.IsKeyFrame), Is.EqualTo(frames.Count(f => f.IsKeyFrame)));
        }

        Assert.That((await audioAtFirst).Count, Is.EqualTo(10));
        Assert.That(video.FramesWritten, Is.EqualTo(frames.Count), "each frame written once for both viewers");
    }

    [Test]
    public async Task ViewerWithoutDataChannel_JoinsWhenConnected_AndAMidStreamJoinerStartsOnAKeyFrame(CancellationToken cancellationToken)
    {
        var video = new EncodedFrameTrack(RTCRtpCodec.H264);
        var requests = 0;
        video.KeyFrameRequested += (_, _) => Interlocked.Increment(ref requests);
        await using var master = await MasterSession.StartAsync(
            new MasterSessionOptions { Channel = ChannelOptions, PeerConfiguration = Loopback, Tracks = [video] }, cancellationToken);
        var joined = master.ViewerJoined.FirstAsync().ToTask(cancellationToken);

        await using var viewer = await ViewerSession.ConnectAsync(
            new ViewerSessionOptions { Channel = ChannelOptions, ClientId = "media-only", PeerConfiguration = Loopback, OpenDataChannel = false, ReceiveAudio = false }, cancellationToken);
        Assert.That((await joined.WaitAsync(WaitTimeout, cancellationToken)).ClientId, Is.EqualTo("media-only"));
        Assert.That(() => viewer.DataChannel, Throws.InvalidOperationException);
        await WaitUntilAsync(() => video.SenderCount == 1 && video.KeyFrameRequests >= 1, cancellationToken);

        // The stream is mid-GOP: frames 10..59 of the file. The viewer must get nothing before the IDR at frame 30.
        var frames = AnnexBReader.ReadFile(TestMedia.H264Path, AnnexBCodec.H264, TestMedia.FramesPerSecond).Skip(10).Take(50).ToList();
        var firstKey = frames.FindIndex(f => f.IsKeyFrame);
        var reader = ReadFramesAsync(viewer.VideoTrack!, frames.Count - firstKey, cancellationToken);
        foreach (var frame in frames)
        {
            await video.WriteFrameAsync(new EncodedFrame(frame.AccessUnit, frame.Timestamp, frame.IsKeyFrame), cancellationToken);
        }

        var received = await reader;
        Assert.That(received[0].IsKeyFrame, Is.True);
        Assert.That(Nals(received[0].Data), Is.EqualTo(Nals(frames[firstKey].AccessUnit)));
        Assert.That(viewer.VideoTrack!.FramesDropped, Is.Zero);
        Assert.That(requests, Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public async Task ViewerTalkback_MasterGetsTheViewersAudioTaggedWithItsClientId(CancellationToken cancellationToken)
    {
        var talkback = new EncodedFrameTrack(RTCRtpCodec.Opus);
        await using var master = await MasterSession.StartAsync(MasterOptions(), cancellationToken);
        var remote = master.RemoteTracks.FirstAsync().ToTask(cancellationToken);
        await using var viewer = await ViewerSession.ConnectAsync(new ViewerSessionOptions { Channel = ChannelOptions, ClientId = "talker", PeerConfiguration = Loopback, Tracks = [talkback] }, cancellationToken);

        var track = await remote.WaitAsync(WaitTimeout, cancellationToken);
        Assert.That((track.ClientId, track.Track.Kind), Is.EqualTo(("talker", MediaStreamTrackKind.Audio)));
        await WaitUntilAsync(() => talkback.SenderCount == 1, cancellationToken);
        var reader = ReadFramesAsync(track.Track, 25, cancellationToken);
        for (var i = 0; i < 25; i++)
        {
            await talkback.WriteFrameAsync(new byte[] { 11 << 3, (byte)i }, TimeSpan.FromMilliseconds(20), cancellationToken);
        }

        Assert.That((await reader).Select(f => (int)f.Data.Span[1]), Is.EqualTo(Enumerable.Range(0, 25)));
    }

    private static byte[][] Nals(ReadOnlyMemory<byte> accessUnit) => AnnexBReader.SplitNalUnits(accessUnit).Select(n => n.ToArray()).ToArray();
}
