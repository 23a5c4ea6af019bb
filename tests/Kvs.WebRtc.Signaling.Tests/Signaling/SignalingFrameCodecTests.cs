using System.Text;
using System.Text.Json;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.Signaling.Tests.Signaling;

[TestFixture]
public sealed class SignalingFrameCodecTests
{
    private const string OfferBase64 = "eyJzZHAiOiJvZmZlcj0gdHJ1ZVxudmlkZW89IHRydWUiLCJ0eXBlIjoib2ZmZXIifQ==";
    private const string AnswerBase64 = "eyJzZHAiOiJvZmZlcj0gdHJ1ZVxudmlkZW89IHRydWUiLCJ0eXBlIjoiYW5zd2VyIn0=";
    private const string CandidateBase64 = "eyJjYW5kaWRhdGUiOiJ1cGQgMTAuMTExLjM0Ljg4Iiwic2RwTWlkIjoiMSIsInNkcE1MaW5lSW5kZXgiOjF9";
    private const string FixtureSdp = "offer= true\nvideo= true";

    private static readonly Lazy<JsonDocument> s_fixtures = new(() =>
        JsonDocument.Parse(File.ReadAllText(RepositoryPaths.TestData("signaling", "js-sdk-message-fixtures.json"))));

    private static JsonElement Fixtures => s_fixtures.Value.RootElement;

    private static string Outbound(string name) => Fixtures.GetProperty("outbound").GetProperty(name).GetString()!;

    private static string Inbound(string name) => Fixtures.GetProperty("inbound").GetProperty(name).GetString()!;

    public static IEnumerable<TestCaseData> OutboundFixtures()
    {
        yield return new TestCaseData("viewer_sdp_offer", SignalingMessageType.SdpOffer, OfferBase64, null);
        yield return new TestCaseData("master_sdp_offer_to_viewer", SignalingMessageType.SdpOffer, OfferBase64, "TestClientId");
        yield return new TestCaseData("viewer_sdp_answer", SignalingMessageType.SdpAnswer, AnswerBase64, null);
        yield return new TestCaseData("master_sdp_answer_to_viewer", SignalingMessageType.SdpAnswer, AnswerBase64, "TestClientId");
        yield return new TestCaseData("viewer_ice_candidate", SignalingMessageType.IceCandidate, CandidateBase64, null);
        yield return new TestCaseData("master_ice_candidate_to_viewer", SignalingMessageType.IceCandidate, CandidateBase64, "TestClientId");
    }

    public static IEnumerable<TestCaseData> InboundMessageFixtures()
    {
        yield return new TestCaseData("sdp_offer_from_viewer_as_seen_by_master", SignalingMessageType.SdpOffer, "TestClientId");
        yield return new TestCaseData("sdp_offer_from_master_as_seen_by_viewer", SignalingMessageType.SdpOffer, null);
        yield return new TestCaseData("sdp_answer_from_viewer_as_seen_by_master", SignalingMessageType.SdpAnswer, "TestClientId");
        yield return new TestCaseData("sdp_answer_from_master_as_seen_by_viewer", SignalingMessageType.SdpAnswer, null);
        yield return new TestCaseData("ice_candidate_from_viewer_as_seen_by_master", SignalingMessageType.IceCandidate, "TestClientId");
        yield return new TestCaseData("ice_candidate_from_master_as_seen_by_viewer", SignalingMessageType.IceCandidate, null);
    }

    [TestCaseSource(nameof(OutboundFixtures))]
    public void EncodeClientFrame_JsSdkFixture_IsByteIdentical(string fixture, SignalingMessageType action, string payload, string? recipient)
    {
        var frame = SignalingFrameCodec.EncodeClientFrame(action, payload, recipient, correlationId: null);

        Assert.That(frame, Is.EqualTo(Outbound(fixture)));
    }

    [TestCaseSource(nameof(OutboundFixtures))]
    public void EncodeClientFrameUtf8_JsSdkFixturePayloadObjects_IsByteIdentical(string fixture, SignalingMessageType action, string payload, string? recipient)
    {
        byte[] rented;
        int length;
        int base64Length;
        if (action == SignalingMessageType.IceCandidate)
        {
            rented = SignalingFrameCodec.EncodeClientFrameUtf8(new IceCandidatePayload("upd 10.111.34.88", "1", 1), recipient, null, out length, out base64Length);
        }
        else
        {
            var description = action == SignalingMessageType.SdpOffer ? SessionDescriptionPayload.Offer(FixtureSdp) : SessionDescriptionPayload.Answer(FixtureSdp);
            rented = SignalingFrameCodec.EncodeClientFrameUtf8(action, description, recipient, null, out length, out base64Length);
        }

        Assert.Multiple(() =>
        {
            Assert.That(Encoding.UTF8.GetString(rented, 0, length), Is.EqualTo(Outbound(fixture)));
            Assert.That(base64Length, Is.EqualTo(payload.Length));
        });
    }

    [Test]
    public void EncodeClientFrame_WithCorrelationId_AppendsItLast()
    {
        var frame = SignalingFrameCodec.EncodeClientFrame(SignalingMessageType.SdpOffer, OfferBase64, "viewer-1", "1697058567743");

        Assert.That(frame, Is.EqualTo("{\"action\":\"SDP_OFFER\",\"messagePayload\":\"" + OfferBase64 + "\",\"recipientClientId\":\"viewer-1\",\"correlationId\":\"1697058567743\"}"));
    }

    [TestCase(SignalingMessageType.GoAway)]
    [TestCase(SignalingMessageType.StatusResponse)]
    [TestCase(SignalingMessageType.Unknown)]
    public void EncodeClientFrame_NonClientAction_Throws(SignalingMessageType action)
    {
        Assert.That(() => SignalingFrameCodec.EncodeClientFrame(action, OfferBase64, null, null), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void EncodeSdpPayload_FixtureOffer_MatchesFixtureBase64()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SignalingFrameCodec.EncodeSdpPayload(SessionDescriptionPayload.Offer(FixtureSdp)), Is.EqualTo(OfferBase64));
            Assert.That(SignalingFrameCodec.EncodeSdpPayload(SessionDescriptionPayload.Answer(FixtureSdp)), Is.EqualTo(AnswerBase64));
            Assert.That(SignalingFrameCodec.EncodeIceCandidatePayload(new IceCandidatePayload("upd 10.111.34.88", "1", 1)), Is.EqualTo(CandidateBase64));
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
                var status = SignalingFrameCodec.TryDecodeIceCandidatePayload(entry.Name, out var payload, out _);
                Assert.That(status, Is.EqualTo(ServiceFrameStatus.Message));
                Assert.That(payload, Is.EqualTo(new IceCandidatePayload(candidate.GetString()!, expected.GetProperty("sdpMid").GetString(), expected.GetProperty("sdpMLineIndex").GetInt32())));
            }
            else
            {
                var status = SignalingFrameCodec.TryDecodeSdpPayload(entry.Name, "offer", out var payload, out _);
                Assert.That(status, Is.EqualTo(ServiceFrameStatus.Message));
                Assert.That(payload, Is.EqualTo(new SessionDescriptionPayload(expected.GetProperty("type").GetString()!, expected.GetProperty("sdp").GetString()!)));
            }
        }
    }

    [TestCaseSource(nameof(InboundMessageFixtures))]
    public void TryDecodeServiceFrame_JsSdkFixture_DecodesTypeSenderAndPayload(string fixture, SignalingMessageType type, string? sender)
    {
        var ok = SignalingFrameCodec.TryDecodeServiceFrame(Encoding.UTF8.GetBytes(Inbound(fixture)), out var message, out var error);

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

    [TestCaseSource(nameof(InboundMessageFixtures))]
    public void EncodeServiceFrame_DecodedFixture_ReproducesFixtureBytes(string fixture, SignalingMessageType type, string? sender)
    {
        SignalingFrameCodec.TryDecodeServiceFrame(Encoding.UTF8.GetBytes(Inbound(fixture)), out var message, out _);

        var encoded = SignalingFrameCodec.EncodeServiceFrame(message!.WireMessageType, message.SenderClientId, message.Payload, message.StatusResponse);

        Assert.That(encoded, Is.EqualTo(Inbound(fixture)));
    }

    [Test]
    public void TryDecodeServiceFrame_StatusResponseFixture_DecodesEveryField()
    {
        var ok = SignalingFrameCodec.TryDecodeServiceFrame(Encoding.UTF8.GetBytes(Inbound("status_response_error")), out var message, out var error);

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
    public void DecodeServiceFrame_NonSignalingFixture_IsIgnorable()
    {
        var status = SignalingFrameCodec.DecodeServiceFrame(Encoding.UTF8.GetBytes(Inbound("non_signaling_frame_to_ignore")), out var message, out var error);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(ServiceFrameStatus.Ignorable));
            Assert.That(message, Is.Null);
            Assert.That(error, Is.Not.Empty);
        });
    }

    [Test]
    public void DecodeServiceFrame_NotJsonFixture_IsMalformedFrame()
    {
        var status = SignalingFrameCodec.DecodeServiceFrame(Encoding.UTF8.GetBytes(Inbound("not_json_to_ignore")), out var message, out var error);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(ServiceFrameStatus.MalformedFrame));
            Assert.That(message, Is.Null);
            Assert.That(error, Does.Contain("JSON"));
        });
    }

    [TestCaseSource(nameof(OutboundFixtures))]
    public void TryDecodeClientFrame_JsSdkFixture_RoundTrips(string fixture, SignalingMessageType action, string payload, string? recipient)
    {
        var ok = SignalingFrameCodec.TryDecodeClientFrame(Encoding.UTF8.GetBytes(Outbound(fixture)), out var frame, out var error);

        Assert.That(ok, Is.True, error);
        Assert.That(frame, Is.EqualTo(new ClientFrame(SignalingFrameCodec.GetWireName(action)!, recipient, payload, null)));
    }

    [Test]
    public void TryDecodeClientFrame_CSdkPascalCasePrettyPrinted_Decodes()
    {
        var json = "{\n\t\"action\": \"SDP_OFFER\",\n\t\"RecipientClientId\": \"ProducerMaster\",\n\t\"MessagePayload\": \"" + OfferBase64 +
                   "\",\n\t\"CorrelationId\": \"42\",\n\t\"IceServerList\": [{\"Password\": \"secret\", \"Ttl\": 300, \"Uris\": [\"turn:x\"], \"Username\": \"u\"}]\n}";

        var ok = SignalingFrameCodec.TryDecodeClientFrame(Encoding.UTF8.GetBytes(json), out var frame, out var error);

        Assert.That(ok, Is.True, error);
        Assert.That(frame, Is.EqualTo(new ClientFrame("SDP_OFFER", "ProducerMaster", OfferBase64, "42")));
    }

    [Test]
    public void TryDecodeClientFrame_AndroidEmptyStrings_TreatsThemAsAbsent()
    {
        var json = "{\"action\":\"ICE_CANDIDATE\",\"recipientClientId\":\"\",\"senderClientId\":\"\",\"messagePayload\":\"" + CandidateBase64 + "\",\"correlationId\":\"\"}";

        var ok = SignalingFrameCodec.TryDecodeClientFrame(Encoding.UTF8.GetBytes(json), out var frame, out var error);

        Assert.That(ok, Is.True, error);
        Assert.That(frame, Is.EqualTo(new ClientFrame("ICE_CANDIDATE", null, CandidateBase64, null)));
    }

    [TestCase("{\"messagePayload\":\"abc\"}", "action")]
    [TestCase("{\"action\":\"SDP_OFFER\",\"correlationId\":\"c-1\"}", "messagePayload")]
    [TestCase("[1,2]", "object")]
    [TestCase("{\"action\":{\"x\":1},\"messagePayload\":\"abc\"}", "action")]
    [TestCase("{\"action\":\"SDP_OFFER\"", "JSON")]
    public void TryDecodeClientFrame_Invalid_ReturnsFalseWithReason(string json, string reasonFragment)
    {
        var ok = SignalingFrameCodec.TryDecodeClientFrame(Encoding.UTF8.GetBytes(json), out _, out var error);

        Assert.Multiple(() =>
        {
            Assert.That(ok, Is.False);
            Assert.That(error, Does.Contain(reasonFragment));
        });
    }

    [Test]
    public void TryDecodeClientFrame_MissingPayload_StillReportsCorrelationId()
    {
        SignalingFrameCodec.TryDecodeClientFrame("{\"action\":\"SDP_OFFER\",\"correlationId\":\"c-1\"}"u8, out var frame, out _);

        Assert.That(frame.CorrelationId, Is.EqualTo("c-1"));
    }

    [Test]
    public void TryDecodeServiceFrame_PascalCaseKeys_Decodes()
    {
        var json = "{\"MessageType\":\"SDP_ANSWER\",\"SenderClientId\":\"v1\",\"MessagePayload\":\"" + AnswerBase64 + "\",\"Extra\":{\"a\":[1,2]}}";

        var ok = SignalingFrameCodec.TryDecodeServiceFrame(Encoding.UTF8.GetBytes(json), out var message, out var error);

        Assert.That(ok, Is.True, error);
        Assert.Multiple(() =>
        {
            Assert.That(message!.Type, Is.EqualTo(SignalingMessageType.SdpAnswer));
            Assert.That(message.SenderClientId, Is.EqualTo("v1"));
            Assert.That(message.SessionDescription!.Type, Is.EqualTo("answer"));
        });
    }

    [Test]
    public void TryDecodeServiceFrame_UrlSafeUnpaddedBase64_DecodesUnicodeSdp()
    {
        const string sdp = "v=0\r\ns=caméra ✓ 🎥\r\n";
        var json = Encoding.UTF8.GetBytes("{\"type\":\"offer\",\"sdp\":" + JsonSerializer.Serialize(sdp) + "}");
        var urlSafe = Convert.ToBase64String(json).Replace('+', '-').Replace('/', '_').TrimEnd('=');
        var frame = "{\"messageType\":\"SDP_OFFER\",\"senderClientId\":\"v1\",\"messagePayload\":\"" + urlSafe + "\"}";

        var ok = SignalingFrameCodec.TryDecodeServiceFrame(Encoding.UTF8.GetBytes(frame), out var message, out var error);

        Assert.That(ok, Is.True, error);
        Assert.That(message!.SessionDescription, Is.EqualTo(SessionDescriptionPayload.Offer(sdp)));
    }

    [Test]
    public void EncodeSdpPayload_UnicodeSdp_RoundTripsThroughUtf8Base64()
    {
        var payload = SessionDescriptionPayload.Answer("v=0\r\ns=Zürich 北京 🎥 \"quoted\" \\ back\r\n");

        var base64 = SignalingFrameCodec.EncodeSdpPayload(payload);
        var status = SignalingFrameCodec.TryDecodeSdpPayload(base64, "offer", out var decoded, out _);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(ServiceFrameStatus.Message));
            Assert.That(decoded, Is.EqualTo(payload));
            Assert.That(JsonDocument.Parse(Convert.FromBase64String(base64)).RootElement.GetProperty("sdp").GetString(), Is.EqualTo(payload.Sdp));
        });
    }

    [Test]
    public void EncodeIceCandidatePayload_WithUsernameFragment_RoundTrips()
    {
        var payload = new IceCandidatePayload("candidate:1 1 udp 2122260223 192.0.2.10 54321 typ host", "0", 0, "abcd");

        var status = SignalingFrameCodec.TryDecodeIceCandidatePayload(SignalingFrameCodec.EncodeIceCandidatePayload(payload), out var decoded, out _);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(ServiceFrameStatus.Message));
            Assert.That(decoded, Is.EqualTo(payload));
        });
    }

    [Test]
    public void TryDecodeIceCandidatePayload_LenientTypes_AcceptsNumericMidAndStringIndex()
    {
        var base64 = Convert.ToBase64String("{\"Candidate\":\"candidate:1 1 udp 1 192.0.2.1 1 typ host\",\"SdpMid\":0,\"SdpMLineIndex\":\"2\"}"u8);

        var status = SignalingFrameCodec.TryDecodeIceCandidatePayload(base64, out var decoded, out _);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(ServiceFrameStatus.Message));
            Assert.That(decoded, Is.EqualTo(new IceCandidatePayload("candidate:1 1 udp 1 192.0.2.1 1 typ host", "0", 2)));
        });
    }

    [TestCase("null")]
    [TestCase("{\"candidate\":\"\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0}")]
    public void DecodeServiceFrame_EndOfCandidatesMarker_IsIgnorable(string payloadJson)
    {
        var frame = "{\"messageType\":\"ICE_CANDIDATE\",\"messagePayload\":\"" + Convert.ToBase64String(Encoding.UTF8.GetBytes(payloadJson)) + "\"}";

        var status = SignalingFrameCodec.DecodeServiceFrame(Encoding.UTF8.GetBytes(frame), out var message, out _);

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
    public void DecodeServiceFrame_BadPayload_IsMalformedPayload(string frame)
    {
        var status = SignalingFrameCodec.DecodeServiceFrame(Encoding.UTF8.GetBytes(frame), out var message, out var error);

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
    public void TryDecodeServiceFrame_ServiceMessages_DecodeWithoutPayload(string frame, SignalingMessageType expected)
    {
        var ok = SignalingFrameCodec.TryDecodeServiceFrame(Encoding.UTF8.GetBytes(frame), out var message, out var error);

        Assert.That(ok, Is.True, error);
        Assert.Multiple(() =>
        {
            Assert.That(message!.Type, Is.EqualTo(expected));
            Assert.That(message.SenderClientId, Is.Null);
        });
    }

    [Test]
    public void TryDecodeServiceFrame_NumericStatusCode_IsReadAsString()
    {
        var ok = SignalingFrameCodec.TryDecodeServiceFrame("{\"messageType\":\"STATUS_RESPONSE\",\"statusResponse\":{\"correlationId\":\"c\",\"statusCode\":400,\"success\":\"false\"}}"u8, out var message, out _);

        Assert.That(ok, Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(message!.StatusResponse!.StatusCode, Is.EqualTo("400"));
            Assert.That(message.StatusResponse.Success, Is.False);
        });
    }

    [Test]
    public void TryDecodeServiceFrame_StatusResponseTypeWithoutObject_IsMalformed()
    {
        var status = SignalingFrameCodec.DecodeServiceFrame("{\"messageType\":\"STATUS_RESPONSE\"}"u8, out _, out _);

        Assert.That(status, Is.EqualTo(ServiceFrameStatus.MalformedFrame));
    }

    [Test]
    public void EncodeServiceFrame_StatusResponse_WritesStringStatusCode()
    {
        var frame = SignalingFrameCodec.EncodeServiceFrame("STATUS_RESPONSE", null, null, new StatusResponse
        {
            CorrelationId = "c-1",
            ErrorType = "InvalidArgumentException",
            StatusCode = "400",
            Description = "bad",
        });

        Assert.That(frame, Is.EqualTo("{\"messageType\":\"STATUS_RESPONSE\",\"statusResponse\":{\"correlationId\":\"c-1\",\"errorType\":\"InvalidArgumentException\",\"statusCode\":\"400\",\"description\":\"bad\"}}"));
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
            if (SignalingFrameCodec.DecodeServiceFrame(mutated, out _, out _) == ServiceFrameStatus.Message)
            {
                decoded++;
            }

            SignalingFrameCodec.TryDecodeClientFrame(mutated, out _, out _);
        }

        // Light mutations leave some frames decodable: the loop exercised the success paths too.
        Assert.That(decoded, Is.GreaterThan(0));
    }

    [Test]
    public void DecodeBase64Lenient_AllFourVariants_DecodeToTheSameBytes()
    {
        var bytes = new byte[] { 0xfb, 0xff, 0xbf, 0x00, 0x41 };
        var standard = Convert.ToBase64String(bytes);
        var variants = new[] { standard, standard.TrimEnd('='), standard.Replace('+', '-').Replace('/', '_'), standard.Replace('+', '-').Replace('/', '_').TrimEnd('=') };

        foreach (var variant in variants)
        {
            var rented = SignalingFrameCodec.DecodeBase64Lenient(variant, out var length);
            Assert.That(rented, Is.Not.Null, variant);
            Assert.That(rented.AsSpan(0, length).ToArray(), Is.EqualTo(bytes), variant);
        }
    }

    [TestCase("YQ=a")]
    [TestCase("Y")]
    [TestCase("Y*==")]
    public void DecodeBase64Lenient_Invalid_ReturnsNull(string text)
    {
        Assert.That(SignalingFrameCodec.DecodeBase64Lenient(text, out _), Is.Null);
    }

    private static byte[] Mutate(byte[] source, Random random)
    {
        var bytes = source.ToList();
        var edits = random.Next(1, 4);
        for (var i = 0; i < edits && bytes.Count > 0; i++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes.RemoveAt(at);
                    break;
                case 2:
                    const string interesting = "{}[]\",:\\0aZ=";
                    bytes.Insert(at, (byte)interesting[random.Next(interesting.Length)]);
                    break;
                case 3:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                default:
                    bytes[at] = (byte)(bytes[at] ^ (1 << random.Next(8)));
                    break;
            }
        }

        return [.. bytes];
    }
}
