using System.Text;
using System.Text.Json;
using Kvs.WebRtc.Emulator.Signaling;
using NUnit.Framework;
using static Kvs.WebRtc.Signaling.Tests.Signaling.SignalingWireFixtures;

namespace Kvs.WebRtc.Signaling.Tests.Signaling;

/// <summary>The device side of the wire (<see cref="SignalingClientCodec"/>): client frames out, service frames in.</summary>
[TestFixture]
public sealed class SignalingClientCodecTests
{
    [TestCaseSource(typeof(SignalingWireFixtures), nameof(SignalingWireFixtures.OutboundFixtures))]
    public void EncodeFrame_JsSdkFixture_IsByteIdentical(string fixture, SignalingMessageType action, string payload, string? recipient)
    {
        var frame = SignalingClientCodec.EncodeFrame(action, payload, recipient, correlationId: null);

        Assert.That(frame, Is.EqualTo(Outbound(fixture)));
    }

    [TestCaseSource(typeof(SignalingWireFixtures), nameof(SignalingWireFixtures.OutboundFixtures))]
    public void EncodeFrameUtf8_JsSdkFixturePayloadObjects_IsByteIdentical(string fixture, SignalingMessageType action, string payload, string? recipient)
    {
        byte[] rented;
        int length;
        int base64Length;
        if (action == SignalingMessageType.IceCandidate)
        {
            rented = SignalingClientCodec.EncodeFrameUtf8(new IceCandidatePayload("upd 10.111.34.88", "1", 1), recipient, null, out length, out base64Length);
        }
        else
        {
            var description = action == SignalingMessageType.SdpOffer ? SessionDescriptionPayload.Offer(FixtureSdp) : SessionDescriptionPayload.Answer(FixtureSdp);
            rented = SignalingClientCodec.EncodeFrameUtf8(action, description, recipient, null, out length, out base64Length);
        }

        Assert.Multiple(() =>
        {
            Assert.That(Encoding.UTF8.GetString(rented, 0, length), Is.EqualTo(Outbound(fixture)));
            Assert.That(base64Length, Is.EqualTo(payload.Length));
        });
    }

    [Test]
    public void EncodeFrame_WithCorrelationId_AppendsItLast()
    {
        var frame = SignalingClientCodec.EncodeFrame(SignalingMessageType.SdpOffer, OfferBase64, "viewer-1", "1697058567743");

        Assert.That(frame, Is.EqualTo("{\"action\":\"SDP_OFFER\",\"messagePayload\":\"" + OfferBase64 + "\",\"recipientClientId\":\"viewer-1\",\"correlationId\":\"1697058567743\"}"));
    }

    [TestCase(SignalingMessageType.GoAway)]
    [TestCase(SignalingMessageType.StatusResponse)]
    [TestCase(SignalingMessageType.Unknown)]
    public void EncodeFrame_NonClientAction_Throws(SignalingMessageType action)
    {
        Assert.That(() => SignalingClientCodec.EncodeFrame(action, OfferBase64, null, null), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [TestCaseSource(typeof(SignalingWireFixtures), nameof(SignalingWireFixtures.InboundMessageFixtures))]
    public void TryDecodeFrame_JsSdkFixture_DecodesTypeSenderAndPayload(string fixture, SignalingMessageType type, string? sender)
    {
        var ok = SignalingClientCodec.TryDecodeFrame(Encoding.UTF8.GetBytes(Inbound(fixture)), out var message, out var error);

        Assert.That(ok, Is.True, error);
        Assert.Multiple(() =>
        {
            Assert.That(message!.Type, Is.EqualTo(type));
            Assert.That(message.SenderClientId, Is.EqualTo(sender));
            if (type == SignalingMessageType.IceCandidate)
            {
                Assert.That(message.IceCandidate, Is.EqualTo(new IceCandidatePayload("upd 10.111.34.88", "1", 1)));
                Assert.That(message.SessionDescription, Is.Null);
            }
            else
            {
                var expectedType = type == SignalingMessageType.SdpOffer ? "offer" : "answer";
                Assert.That(message.SessionDescription, Is.EqualTo(new SessionDescriptionPayload(expectedType, FixtureSdp)));
                Assert.That(message.IceCandidate, Is.Null);
            }
        });
    }

    [Test]
    public void TryDecodeFrame_StatusResponseFixture_DecodesEveryField()
    {
        var ok = SignalingClientCodec.TryDecodeFrame(Encoding.UTF8.GetBytes(Inbound("status_response_error")), out var message, out var error);

        Assert.That(ok, Is.True, error);
        Assert.Multiple(() =>
        {
            Assert.That(message!.Type, Is.EqualTo(SignalingMessageType.StatusResponse));
            Assert.That(message.StatusResponse, Is.EqualTo(new StatusResponse
            {
                CorrelationId = "1697058567743",
                ErrorType = "InvalidArgumentException",
                StatusCode = "400",
                Success = false,
            }));
            Assert.That(message.StatusResponse!.IsSuccess, Is.False);
        });
    }

    [Test]
    public void DecodeFrame_NonSignalingFixture_IsIgnorable()
    {
        var status = SignalingClientCodec.DecodeFrame(Encoding.UTF8.GetBytes(Inbound("non_signaling_frame_to_ignore")), out var message, out var error);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(ServiceFrameStatus.Ignorable));
            Assert.That(message, Is.Null);
            Assert.That(error, Is.Not.Empty);
        });
    }

    [Test]
    public void DecodeFrame_NotJsonFixture_IsMalformedFrame()
    {
        var status = SignalingClientCodec.DecodeFrame(Encoding.UTF8.GetBytes(Inbound("not_json_to_ignore")), out var message, out var error);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(ServiceFrameStatus.MalformedFrame));
            Assert.That(message, Is.Null);
            Assert.That(error, Does.Contain("JSON"));
        });
    }

    [Test]
    public void TryDecodeFrame_PascalCaseKeys_Decodes()
    {
        var json = "{\"MessageType\":\"SDP_ANSWER\",\"SenderClientId\":\"v1\",\"MessagePayload\":\"" + AnswerBase64 + "\",\"Extra\":{\"a\":[1,2]}}";

        var ok = SignalingClientCodec.TryDecodeFrame(Encoding.UTF8.GetBytes(json), out var message, out var error);

        Assert.That(ok, Is.True, error);
        Assert.Multiple(() =>
        {
            Assert.That(message!.Type, Is.EqualTo(SignalingMessageType.SdpAnswer));
            Assert.That(message.SenderClientId, Is.EqualTo("v1"));
            Assert.That(message.SessionDescription!.Type, Is.EqualTo("answer"));
        });
    }

    [Test]
    public void TryDecodeFrame_UrlSafeUnpaddedBase64_DecodesUnicodeSdp()
    {
        const string sdp = "v=0\r\ns=caméra ✓ 🎥\r\n";
        var json = Encoding.UTF8.GetBytes("{\"type\":\"offer\",\"sdp\":" + JsonSerializer.Serialize(sdp) + "}");
        var urlSafe = Convert.ToBase64String(json).Replace('+', '-').Replace('/', '_').TrimEnd('=');
        var frame = "{\"messageType\":\"SDP_OFFER\",\"senderClientId\":\"v1\",\"messagePayload\":\"" + urlSafe + "\"}";

        var ok = SignalingClientCodec.TryDecodeFrame(Encoding.UTF8.GetBytes(frame), out var message, out var error);

        Assert.That(ok, Is.True, error);
        Assert.That(message!.SessionDescription, Is.EqualTo(SessionDescriptionPayload.Offer(sdp)));
    }

    [TestCase("null")]
    [TestCase("{\"candidate\":\"\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0}")]
    public void DecodeFrame_EndOfCandidatesMarker_IsIgnorable(string payloadJson)
    {
        var frame = "{\"messageType\":\"ICE_CANDIDATE\",\"messagePayload\":\"" + Convert.ToBase64String(Encoding.UTF8.GetBytes(payloadJson)) + "\"}";

        var status = SignalingClientCodec.DecodeFrame(Encoding.UTF8.GetBytes(frame), out var message, out _);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(ServiceFrameStatus.Ignorable));
            Assert.That(message, Is.Null);
        });
    }

    [TestCase("{\"messageType\":\"SDP_OFFER\",\"messagePayload\":\"!!!not base64!!!\"}")]
    [TestCase("{\"messageType\":\"SDP_OFFER\",\"messagePayload\":\"bm90IGpzb24=\"}")]
    [TestCase("{\"messageType\":\"SDP_OFFER\"}")]
    [TestCase("{\"messageType\":\"SDP_ANSWER\",\"messagePayload\":\"eyJ0eXBlIjoiYW5zd2VyIn0=\"}")]
    [TestCase("{\"messageType\":\"ICE_CANDIDATE\",\"messagePayload\":\"eyJjYW5kaWRhdGUiOiJ4Iiwic2RwTUxpbmVJbmRleCI6LTF9\"}")]
    [TestCase("{\"messageType\":\"ICE_CANDIDATE\",\"messagePayload\":\"YQ\"}")]
    public void DecodeFrame_BadPayload_IsMalformedPayload(string frame)
    {
        var status = SignalingClientCodec.DecodeFrame(Encoding.UTF8.GetBytes(frame), out var message, out var error);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(ServiceFrameStatus.MalformedPayload));
            Assert.That(message, Is.Null);
            Assert.That(error, Is.Not.Empty);
        });
    }

    [TestCase("{\"messageType\":\"GO_AWAY\"}", SignalingMessageType.GoAway)]
    [TestCase("{\"messageType\":\"RECONNECT_ICE_SERVER\",\"senderClientId\":\"\",\"messagePayload\":\"\",\"statusResponse\":{\"correlationId\":\"\",\"errorType\":\"\",\"statusCode\":\"\",\"description\":\"\"}}", SignalingMessageType.ReconnectIceServer)]
    [TestCase("{\"messageType\":\"go_away\",\"messagePayload\":\"!!\"}", SignalingMessageType.GoAway)]
    [TestCase("{\"messageType\":\"SOMETHING_NEW\",\"messagePayload\":\"e30=\"}", SignalingMessageType.Unknown)]
    public void TryDecodeFrame_ServiceMessages_DecodeWithoutPayload(string frame, SignalingMessageType expected)
    {
        var ok = SignalingClientCodec.TryDecodeFrame(Encoding.UTF8.GetBytes(frame), out var message, out var error);

        Assert.That(ok, Is.True, error);
        Assert.Multiple(() =>
        {
            Assert.That(message!.Type, Is.EqualTo(expected));
            Assert.That(message.SenderClientId, Is.Null);
        });
    }

    [Test]
    public void TryDecodeFrame_NumericStatusCode_IsReadAsString()
    {
        var ok = SignalingClientCodec.TryDecodeFrame("{\"messageType\":\"STATUS_RESPONSE\",\"statusResponse\":{\"correlationId\":\"c\",\"statusCode\":400,\"success\":\"false\"}}"u8, out var message, out _);

        Assert.That(ok, Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(message!.StatusResponse!.StatusCode, Is.EqualTo("400"));
            Assert.That(message.StatusResponse.Success, Is.False);
        });
    }

    [Test]
    public void TryDecodeFrame_StatusResponseTypeWithoutObject_IsMalformed()
    {
        var status = SignalingClientCodec.DecodeFrame("{\"messageType\":\"STATUS_RESPONSE\"}"u8, out _, out _);

        Assert.That(status, Is.EqualTo(ServiceFrameStatus.MalformedFrame));
    }

    [Test]
    public void Decoders_SeededMutationsOfEveryFixture_NeverThrow()
    {
        var random = new Random(20240601);
        var frames = Fixtures.GetProperty("inbound").EnumerateObject().Select(p => p.Value.GetString()!)
            .Concat(Fixtures.GetProperty("outbound").EnumerateObject().Select(p => p.Value.GetString()!))
            .Select(Encoding.UTF8.GetBytes)
            .ToArray();
        var decoded = 0;

        for (var round = 0; round < 20_000; round++)
        {
            var source = frames[random.Next(frames.Length)];
            var mutated = Mutate(source, random);

            // Neither decoder may throw, whatever the bytes.
            if (SignalingClientCodec.DecodeFrame(mutated, out _, out _) == ServiceFrameStatus.Message)
            {
                decoded++;
            }

            SignalingServiceCodec.TryDecodeFrame(mutated, out _, out _);
        }

        // Light mutations leave some frames decodable: the loop exercised the success paths too.
        Assert.That(decoded, Is.GreaterThan(0));
    }
}
