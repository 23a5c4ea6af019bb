using System.Text.Json;
using NUnit.Framework;
using static Kvs.WebRtc.Signaling.Tests.Signaling.SignalingWireFixtures;

namespace Kvs.WebRtc.Signaling.Tests.Signaling;

/// <summary>The base64 JSON payloads (<see cref="SignalingPayloadCodec"/>), shared by both sides.</summary>
[TestFixture]
public sealed class SignalingPayloadCodecTests
{
    [Test]
    public void EncodeSdp_FixtureOffer_MatchesFixtureBase64()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SignalingPayloadCodec.EncodeSdp(SessionDescriptionPayload.Offer(FixtureSdp)), Is.EqualTo(OfferBase64));
            Assert.That(SignalingPayloadCodec.EncodeSdp(SessionDescriptionPayload.Answer(FixtureSdp)), Is.EqualTo(AnswerBase64));
            Assert.That(SignalingPayloadCodec.EncodeIceCandidate(new IceCandidatePayload("upd 10.111.34.88", "1", 1)), Is.EqualTo(CandidateBase64));
        });
    }

    [Test]
    public void DecodedPayloads_EveryFixturePayload_MatchesFixtureJson()
    {
        foreach (var entry in Fixtures.GetProperty("decodedPayloads").EnumerateObject())
        {
            var expected = entry.Value;
            if (expected.TryGetProperty("candidate", out var candidate))
            {
                var status = SignalingPayloadCodec.TryDecodeIceCandidate(entry.Name, out var payload, out _);
                Assert.That(status, Is.EqualTo(ServiceFrameStatus.Message));
                Assert.That(payload, Is.EqualTo(new IceCandidatePayload(candidate.GetString()!, expected.GetProperty("sdpMid").GetString(), expected.GetProperty("sdpMLineIndex").GetInt32())));
            }
            else
            {
                var status = SignalingPayloadCodec.TryDecodeSdp(entry.Name, "offer", out var payload, out _);
                Assert.That(status, Is.EqualTo(ServiceFrameStatus.Message));
                Assert.That(payload, Is.EqualTo(new SessionDescriptionPayload(expected.GetProperty("type").GetString()!, expected.GetProperty("sdp").GetString()!)));
            }
        }
    }

    [Test]
    public void EncodeSdp_UnicodeSdp_RoundTripsThroughUtf8Base64()
    {
        var payload = SessionDescriptionPayload.Answer("v=0\r\ns=Zürich 北京 🎥 \"quoted\" \\ back\r\n");

        var base64 = SignalingPayloadCodec.EncodeSdp(payload);
        var status = SignalingPayloadCodec.TryDecodeSdp(base64, "offer", out var decoded, out _);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(ServiceFrameStatus.Message));
            Assert.That(decoded, Is.EqualTo(payload));
            Assert.That(JsonDocument.Parse(Convert.FromBase64String(base64)).RootElement.GetProperty("sdp").GetString(), Is.EqualTo(payload.Sdp));
        });
    }

    [Test]
    public void EncodeIceCandidate_WithUsernameFragment_RoundTrips()
    {
        var payload = new IceCandidatePayload("candidate:1 1 udp 2122260223 192.0.2.10 54321 typ host", "0", 0, "abcd");

        var status = SignalingPayloadCodec.TryDecodeIceCandidate(SignalingPayloadCodec.EncodeIceCandidate(payload), out var decoded, out _);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(ServiceFrameStatus.Message));
            Assert.That(decoded, Is.EqualTo(payload));
        });
    }

    [Test]
    public void TryDecodeIceCandidate_LenientTypes_AcceptsNumericMidAndStringIndex()
    {
        var base64 = Convert.ToBase64String("{\"Candidate\":\"candidate:1 1 udp 1 192.0.2.1 1 typ host\",\"SdpMid\":0,\"SdpMLineIndex\":\"2\"}"u8);

        var status = SignalingPayloadCodec.TryDecodeIceCandidate(base64, out var decoded, out _);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(ServiceFrameStatus.Message));
            Assert.That(decoded, Is.EqualTo(new IceCandidatePayload("candidate:1 1 udp 1 192.0.2.1 1 typ host", "0", 2)));
        });
    }
}
