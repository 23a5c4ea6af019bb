using Kvs.WebRtc.PeerConnection.Jsep;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection.Sdp;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Media;

[TestFixture]
public sealed class RtxRoutesTests
{
    [Test]
    public void TryResolve_RtxSsrcOfTheFidGroup_GivesTheMediaSsrcAndTheAptPayloadType()
    {
        var video = Transceiver("0", rtxSsrcs: new Dictionary<uint, uint> { [9000] = 5000 });
        var routes = RtxRoutes.Build([video]);

        Assert.That(routes.TryResolve(9000, 97, out var primary, out var apt), Is.True);
        Assert.That((primary, apt), Is.EqualTo((5000u, 96)));
        Assert.That(routes.TryResolve(9000, 103, out _, out apt), Is.True);
        Assert.That(apt, Is.EqualTo(102));
        Assert.That(routes.TryResolve(9000, 111, out _, out _), Is.False, "not an RTX payload type of the section");
    }

    [Test]
    public void TryResolve_NoFidGroup_ByRtxPayloadTypeOnceTheMediaSsrcIsLearned()
    {
        var video = Transceiver("0", rtxSsrcs: new Dictionary<uint, uint>());
        var routes = RtxRoutes.Build([video]);

        Assert.That(routes.TryResolve(1234, 97, out _, out _), Is.False, "the media SSRC is not known yet");
        video.Receiver.RemoteSsrc = 4444;
        Assert.That(routes.TryResolve(1234, 97, out var primary, out var apt), Is.True);
        Assert.That((primary, apt), Is.EqualTo((4444u, 96)));
        Assert.That(routes.TryResolve(1234, 96, out _, out _), Is.False, "a media payload type is not RTX");
    }

    [Test]
    public void Build_TwoSectionsWithTheSameRtxPayloadType_NeitherIsRoutedByPayloadType_AndSendOnlySectionsAreSkipped()
    {
        var first = Transceiver("0", rtxSsrcs: new Dictionary<uint, uint>());
        var second = Transceiver("1", rtxSsrcs: new Dictionary<uint, uint>());
        var sendOnly = Transceiver("2", rtxSsrcs: new Dictionary<uint, uint> { [7] = 8 }, SdpDirection.SendOnly);
        first.Receiver.RemoteSsrc = 1;
        second.Receiver.RemoteSsrc = 2;

        var routes = RtxRoutes.Build([first, second, sendOnly]);

        Assert.That(routes.TryResolve(1234, 97, out _, out _), Is.False);
        Assert.That(routes.TryResolve(7, 97, out _, out _), Is.False);
    }

    private static RTCRtpTransceiver Transceiver(string mid, IReadOnlyDictionary<uint, uint> rtxSsrcs, SdpDirection direction = SdpDirection.RecvOnly)
    {
        var model = new JsepTransceiver("video", direction, MediaCodecs.Video, 100, "t", [])
        {
            Mid = mid,
            Negotiated = new NegotiatedMedia(mid, "video", direction,
            [
                new NegotiatedCodec(96, "VP8", 90000, null, null, ["nack"], 97),
                new NegotiatedCodec(102, "H264", 90000, null, null, ["nack"], 103),
                new NegotiatedCodec(98, "VP9", 90000, null, null, ["nack"], null),
            ], [], rtxSsrcs.Values.ToList(), rtxSsrcs, true),
        };
        return new RTCRtpTransceiver(model, null, null, new NullSink(), NullLogger.Instance, new object(), () => { }, () => { });
    }

    private sealed class NullSink : IRtpPacketSink
    {
        public bool IsSrtpReady => false;

        public bool TrySendRtp(ReadOnlySpan<byte> packet, byte payloadType, uint ssrc) => false;

        public int TrySendRtpBatch(byte[][] packets, int[] lengths, int count, byte payloadType, uint ssrc, out long sentBytes)
        {
            sentBytes = 0;
            return 0;
        }

        public bool TrySendRtcp(ReadOnlySpan<byte> packet) => false;
    }
}
