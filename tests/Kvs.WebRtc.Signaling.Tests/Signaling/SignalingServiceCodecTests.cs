using System.Text;
using Kvs.WebRtc.Emulator.Signaling;
using NUnit.Framework;
using static Kvs.WebRtc.Signaling.Tests.Signaling.SignalingWireFixtures;

namespace Kvs.WebRtc.Signaling.Tests.Signaling;

/// <summary>The service side of the wire (<see cref="SignalingServiceCodec"/>, the emulator's; linked into this project): service frames out, client frames in.</summary>
[TestFixture]
public sealed class SignalingServiceCodecTests
{
    [TestCaseSource(typeof(SignalingWireFixtures), nameof(SignalingWireFixtures.InboundMessageFixtures))]
    public void EncodeFrame_DecodedFixture_ReproducesFixtureBytes(string fixture, SignalingMessageType type, string? sender)
    {
        SignalingClientCodec.TryDecodeFrame(Encoding.UTF8.GetBytes(Inbound(fixture)), out var message, out _);

        var encoded = SignalingServiceCodec.EncodeFrame(message!.WireMessageType, message.SenderClientId, message.Payload, message.StatusResponse);

        Assert.That(encoded, Is.EqualTo(Inbound(fixture)));
    }

    [TestCaseSource(typeof(SignalingWireFixtures), nameof(SignalingWireFixtures.OutboundFixtures))]
    public void TryDecodeFrame_JsSdkFixture_RoundTrips(string fixture, SignalingMessageType action, string payload, string? recipient)
    {
        var ok = SignalingServiceCodec.TryDecodeFrame(Encoding.UTF8.GetBytes(Outbound(fixture)), out var frame, out var error);

        Assert.That(ok, Is.True, error);
        Assert.That(frame, Is.EqualTo(new ClientFrame(SignalingWireNames.Of(action)!, recipient, payload, null)));
    }

    [Test]
    public void TryDecodeFrame_CSdkPascalCasePrettyPrinted_Decodes()
    {
        var json = "{\n\t\"action\": \"SDP_OFFER\",\n\t\"RecipientClientId\": \"ProducerMaster\",\n\t\"MessagePayload\": \"" + OfferBase64 +
                   "\",\n\t\"CorrelationId\": \"42\",\n\t\"IceServerList\": [{\"Password\": \"secret\", \"Ttl\": 300, \"Uris\": [\"turn:x\"], \"Username\": \"u\"}]\n}";

        var ok = SignalingServiceCodec.TryDecodeFrame(Encoding.UTF8.GetBytes(json), out var frame, out var error);

        Assert.That(ok, Is.True, error);
        Assert.That(frame, Is.EqualTo(new ClientFrame("SDP_OFFER", "ProducerMaster", OfferBase64, "42")));
    }

    [Test]
    public void TryDecodeFrame_AndroidEmptyStrings_TreatsThemAsAbsent()
    {
        var json = "{\"action\":\"ICE_CANDIDATE\",\"recipientClientId\":\"\",\"senderClientId\":\"\",\"messagePayload\":\"" + CandidateBase64 + "\",\"correlationId\":\"\"}";

        var ok = SignalingServiceCodec.TryDecodeFrame(Encoding.UTF8.GetBytes(json), out var frame, out var error);

        Assert.That(ok, Is.True, error);
        Assert.That(frame, Is.EqualTo(new ClientFrame("ICE_CANDIDATE", null, CandidateBase64, null)));
    }

    [TestCase("{\"messagePayload\":\"abc\"}", "action")]
    [TestCase("{\"action\":\"SDP_OFFER\",\"correlationId\":\"c-1\"}", "messagePayload")]
    [TestCase("[1,2]", "object")]
    [TestCase("{\"action\":{\"x\":1},\"messagePayload\":\"abc\"}", "action")]
    [TestCase("{\"action\":\"SDP_OFFER\"", "JSON")]
    public void TryDecodeFrame_Invalid_ReturnsFalseWithReason(string json, string reasonFragment)
    {
        var ok = SignalingServiceCodec.TryDecodeFrame(Encoding.UTF8.GetBytes(json), out _, out var error);

        Assert.Multiple(() =>
        {
            Assert.That(ok, Is.False);
            Assert.That(error, Does.Contain(reasonFragment));
        });
    }

    [Test]
    public void TryDecodeFrame_MissingPayload_StillReportsCorrelationId()
    {
        SignalingServiceCodec.TryDecodeFrame("{\"action\":\"SDP_OFFER\",\"correlationId\":\"c-1\"}"u8, out var frame, out _);

        Assert.That(frame.CorrelationId, Is.EqualTo("c-1"));
    }

    [Test]
    public void EncodeFrame_StatusResponse_WritesStringStatusCode()
    {
        var frame = SignalingServiceCodec.EncodeFrame("STATUS_RESPONSE", null, null, new StatusResponse
        {
            CorrelationId = "c-1",
            ErrorType = "InvalidArgumentException",
            StatusCode = "400",
            Description = "bad",
        });

        Assert.That(frame, Is.EqualTo("{\"messageType\":\"STATUS_RESPONSE\",\"statusResponse\":{\"correlationId\":\"c-1\",\"errorType\":\"InvalidArgumentException\",\"statusCode\":\"400\",\"description\":\"bad\"}}"));
    }
}
