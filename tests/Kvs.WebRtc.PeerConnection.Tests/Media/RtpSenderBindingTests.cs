using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Media;

/// <summary>
/// A binding starts its receiver on a key frame; a binding that waited for SRTP makes its first request
/// after SRTP is ready skip the track's rate limit (time to first frame).
/// </summary>
[TestFixture]
public sealed class RtpSenderBindingTests
{
    private static readonly byte[][] s_packets = [new byte[100]];
    private static readonly int[] s_lengths = [100];

    [Test]
    public void SendFrame_WaitedForSrtp_FirstDeltaAfterReadyIsAFirstRequestOnce()
    {
        var sink = new Sink();
        var binding = new RtpSenderBinding(sink, 96, 0x1234, waitForKeyFrame: true);

        Assert.That(binding.SendFrame(s_packets, s_lengths, 1, isKeyFrame: false, out var first), Is.True, "a delta frame before SRTP is skipped silently");
        Assert.That(binding.SendFrame(s_packets, s_lengths, 1, isKeyFrame: true, out first), Is.False, "key frame lost: SRTP not ready");
        Assert.That(first, Is.False, "asking now is useless: nothing can be sent yet");

        sink.IsSrtpReady = true;
        Assert.That(binding.SendFrame(s_packets, s_lengths, 1, isKeyFrame: false, out first), Is.False);
        Assert.That(first, Is.True);
        Assert.That(binding.SendFrame(s_packets, s_lengths, 1, isKeyFrame: false, out first), Is.False);
        Assert.That(first, Is.False, "once per wait");
        Assert.That(binding.SendFrame(s_packets, s_lengths, 1, isKeyFrame: true, out first), Is.True);
        Assert.That((first, binding.KeyFramesSent, sink.Batches), Is.EqualTo((false, 1L, 1)));
    }

    [Test]
    public void SendFrame_ReadyFromTheStart_RequestsStayRateLimited()
    {
        var sink = new Sink();
        var binding = new RtpSenderBinding(sink, 96, 0x1234, waitForKeyFrame: true);
        sink.IsSrtpReady = true;

        Assert.That(binding.SendFrame(s_packets, s_lengths, 1, isKeyFrame: false, out var first), Is.False);
        Assert.That(first, Is.False, "the request made when binding is still to be answered");
    }

    [Test]
    public void RequestKeyFrame_BypassWithinTheInterval_RaisesAgain()
    {
        var clock = new ManualTimeProvider();
        var track = new EncodedFrameTrack(RTCRtpCodec.Vp8) { TimeProvider = clock };

        track.RequestKeyFrame();
        clock.Advance(TimeSpan.FromMilliseconds(100));
        track.RequestKeyFrame();
        Assert.That(track.KeyFrameRequests, Is.EqualTo(1), "rate-limited to one per 500 ms");

        track.RequestKeyFrame(bypassRateLimit: true);
        Assert.That(track.KeyFrameRequests, Is.EqualTo(2));
    }

    private sealed class Sink : IRtpPacketSink
    {
        public bool IsSrtpReady { get; set; }

        public int Batches { get; private set; }

        public bool TrySendRtp(ReadOnlySpan<byte> packet, byte payloadType, uint ssrc) => IsSrtpReady;

        public int TrySendRtpBatch(byte[][] packets, int[] lengths, int count, byte payloadType, uint ssrc, out long sentBytes)
        {
            Batches++;
            sentBytes = lengths.Take(count).Sum();
            return count;
        }

        public bool TrySendRtcp(ReadOnlySpan<byte> packet) => false;
    }
}
