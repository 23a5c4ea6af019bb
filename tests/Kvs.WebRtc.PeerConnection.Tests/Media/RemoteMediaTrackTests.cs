using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Media;

/// <summary>The time-to-first-frame marks of <see cref="RemoteMediaTrack"/>: first RTP packet and first complete key frame.</summary>
[TestFixture]
public sealed class RemoteMediaTrackTests
{
    private const uint Ssrc = 0x1234;

    [Test]
    public void Deliver_NothingYet_BothMarksNullAndFirstKeyFramePending()
    {
        var track = new RemoteMediaTrack(MediaStreamTrackKind.Video, null, null, new ManualTimeProvider());

        Assert.That(track.FirstPacketTimestamp, Is.Null);
        Assert.That(track.FirstKeyFrameTimestamp, Is.Null);
        Assert.That(track.FirstKeyFrame.IsCompleted, Is.False);
    }

    [Test]
    public void Deliver_DeltaFramesThenKeyFrame_FirstPacketAtTheDeltaAndFirstKeyFrameAtTheKey()
    {
        var clock = new ManualTimeProvider();
        var track = new RemoteMediaTrack(MediaStreamTrackKind.Video, null, null, clock);
        clock.Advance(TimeSpan.FromMilliseconds(5));
        var firstPacketAt = clock.GetTimestamp();

        DeliverVp8(track, sequence: 1, timestamp: 3000, key: false);
        clock.Advance(TimeSpan.FromMilliseconds(33));
        DeliverVp8(track, sequence: 2, timestamp: 6000, key: false);

        Assert.That(track.FirstPacketTimestamp, Is.EqualTo(firstPacketAt));
        Assert.That(track.FirstKeyFrameTimestamp, Is.Null, "delta frames before the first key frame are dropped");
        Assert.That(track.FirstKeyFrame.IsCompleted, Is.False);

        clock.Advance(TimeSpan.FromMilliseconds(40));
        var keyAt = clock.GetTimestamp();
        DeliverVp8(track, sequence: 3, timestamp: 9000, key: true);
        clock.Advance(TimeSpan.FromMilliseconds(33));
        DeliverVp8(track, sequence: 4, timestamp: 12000, key: true);

        Assert.That(track.FirstPacketTimestamp, Is.EqualTo(firstPacketAt), "set once");
        Assert.That(track.FirstKeyFrameTimestamp, Is.EqualTo(keyAt), "set once, by the first key frame");
        Assert.That(track.FirstKeyFrame.IsCompletedSuccessfully, Is.True);
        Assert.That(clock.GetElapsedTime(firstPacketAt, keyAt), Is.EqualTo(TimeSpan.FromMilliseconds(73)));
    }

    [Test]
    public void Deliver_AudioFrame_CountsAsTheFirstKeyFrame()
    {
        var clock = new ManualTimeProvider();
        var track = new RemoteMediaTrack(MediaStreamTrackKind.Audio, null, null, clock);
        clock.Advance(TimeSpan.FromMilliseconds(12));

        byte[] opus = [11 << 3, 1, 2, 3];
        track.Deliver(opus, 0, opus.Length, 111, 1, 960, Ssrc, true, RTCRtpCodec.Opus);

        Assert.That(track.FirstPacketTimestamp, Is.EqualTo(clock.GetTimestamp()));
        Assert.That(track.FirstKeyFrameTimestamp, Is.EqualTo(clock.GetTimestamp()));
        Assert.That(track.FirstKeyFrame.IsCompletedSuccessfully, Is.True);
    }

    [Test]
    public void End_BeforeAnyKeyFrame_FirstKeyFrameStaysPendingWithoutFault()
    {
        var track = new RemoteMediaTrack(MediaStreamTrackKind.Video, null, null, new ManualTimeProvider());
        DeliverVp8(track, sequence: 1, timestamp: 3000, key: false);

        track.End();

        Assert.That(track.FirstKeyFrame.IsCompleted, Is.False);
        Assert.That(track.FirstPacketTimestamp, Is.Not.Null);
    }

    [Test]
    public void FirstMarks_ReadRepeatedly_AllocateNothing()
    {
        var track = new RemoteMediaTrack(MediaStreamTrackKind.Video, null, null, new ManualTimeProvider());
        DeliverVp8(track, sequence: 1, timestamp: 3000, key: true);
        long sum = 0;
        for (var i = 0; i < 10; i++)
        {
            sum += track.FirstPacketTimestamp!.Value + track.FirstKeyFrameTimestamp!.Value;
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            sum += track.FirstPacketTimestamp!.Value + track.FirstKeyFrameTimestamp!.Value;
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
        Assert.That(sum, Is.EqualTo(0), "the manual clock never moved");
    }

    private static void DeliverVp8(RemoteMediaTrack track, ushort sequence, uint timestamp, bool key)
    {
        var packet = Vp8Packet(key, start: true);
        track.Deliver(packet, 0, packet.Length, 96, sequence, timestamp, Ssrc, true, RTCRtpCodec.Vp8);
    }

    // RFC 7741 payload descriptor (one byte: S bit on the first packet of a frame) and a VP8 frame header.
    private static byte[] Vp8Packet(bool key, bool start)
    {
        var frame = SyntheticVp8.Frame(key, 100, seed: 3);
        var packet = new byte[frame.Length + 1];
        packet[0] = start ? (byte)0x10 : (byte)0x00;
        frame.CopyTo(packet, 1);
        return packet;
    }
}
