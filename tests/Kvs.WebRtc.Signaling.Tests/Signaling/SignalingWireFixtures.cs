using System.Text.Json;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.Signaling.Tests.Signaling;

/// <summary>The JS SDK wire fixtures (shared/testdata/signaling) and the seeded mutator used by the codec tests.</summary>
internal static class SignalingWireFixtures
{
    internal const string OfferBase64 = "eyJzZHAiOiJvZmZlcj0gdHJ1ZVxudmlkZW89IHRydWUiLCJ0eXBlIjoib2ZmZXIifQ==";
    internal const string AnswerBase64 = "eyJzZHAiOiJvZmZlcj0gdHJ1ZVxudmlkZW89IHRydWUiLCJ0eXBlIjoiYW5zd2VyIn0=";
    internal const string CandidateBase64 = "eyJjYW5kaWRhdGUiOiJ1cGQgMTAuMTExLjM0Ljg4Iiwic2RwTWlkIjoiMSIsInNkcE1MaW5lSW5kZXgiOjF9";
    internal const string FixtureSdp = "offer= true\nvideo= true";

    private static readonly Lazy<JsonDocument> s_fixtures = new(() =>
        JsonDocument.Parse(File.ReadAllText(RepositoryPaths.TestData("signaling", "js-sdk-message-fixtures.json"))));

    internal static JsonElement Fixtures => s_fixtures.Value.RootElement;

    internal static string Outbound(string name) => Fixtures.GetProperty("outbound").GetProperty(name).GetString()!;

    internal static string Inbound(string name) => Fixtures.GetProperty("inbound").GetProperty(name).GetString()!;

    internal static IEnumerable<TestCaseData> OutboundFixtures()
    {
        yield return new TestCaseData("viewer_sdp_offer", SignalingMessageType.SdpOffer, OfferBase64, null);
        yield return new TestCaseData("master_sdp_offer_to_viewer", SignalingMessageType.SdpOffer, OfferBase64, "TestClientId");
        yield return new TestCaseData("viewer_sdp_answer", SignalingMessageType.SdpAnswer, AnswerBase64, null);
        yield return new TestCaseData("master_sdp_answer_to_viewer", SignalingMessageType.SdpAnswer, AnswerBase64, "TestClientId");
        yield return new TestCaseData("viewer_ice_candidate", SignalingMessageType.IceCandidate, CandidateBase64, null);
        yield return new TestCaseData("master_ice_candidate_to_viewer", SignalingMessageType.IceCandidate, CandidateBase64, "TestClientId");
    }

    internal static IEnumerable<TestCaseData> InboundMessageFixtures()
    {
        yield return new TestCaseData("sdp_offer_from_viewer_as_seen_by_master", SignalingMessageType.SdpOffer, "TestClientId");
        yield return new TestCaseData("sdp_offer_from_master_as_seen_by_viewer", SignalingMessageType.SdpOffer, null);
        yield return new TestCaseData("sdp_answer_from_viewer_as_seen_by_master", SignalingMessageType.SdpAnswer, "TestClientId");
        yield return new TestCaseData("sdp_answer_from_master_as_seen_by_viewer", SignalingMessageType.SdpAnswer, null);
        yield return new TestCaseData("ice_candidate_from_viewer_as_seen_by_master", SignalingMessageType.IceCandidate, "TestClientId");
        yield return new TestCaseData("ice_candidate_from_master_as_seen_by_viewer", SignalingMessageType.IceCandidate, null);
    }

    internal static byte[] Mutate(byte[] source, Random random)
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
