using System.Text;
using System.Text.Json;
using NUnit.Framework;

namespace Kvs.WebRtc.Signaling.Tests.Signaling;

/// <summary>The one member-reading helper of every signaling wire decoder (<see cref="JsonMemberReader"/>).</summary>
[TestFixture]
public sealed class JsonMemberReaderTests
{
    private static readonly string[] s_names = ["action", "messagePayload", "sdpMid"];

    [Test]
    public void ReadScalarMembers_MixedCaseAndUnknownMembers_ReadsKnownSkipsUnknown()
    {
        var values = Read("{\"ACTION\":\"SDP_OFFER\",\"Extra\":{\"a\":[1,{\"b\":2}]},\"MessagePayload\":\"e30=\",\"other\":[1,2]}", out var error);

        Assert.Multiple(() =>
        {
            Assert.That(error, Is.Null);
            Assert.That(values, Is.EqualTo(new[] { "SDP_OFFER", "e30=", null }));
        });
    }

    [Test]
    public void ReadScalarMembers_EmptyStrings_AbsentUnlessTheirKeepEmptyBitIsSet()
    {
        var values = Read("{\"action\":\"\",\"messagePayload\":\"\",\"sdpMid\":\"\"}", out var error, keepEmpty: 0b100);

        Assert.Multiple(() =>
        {
            Assert.That(error, Is.Null);
            Assert.That(values, Is.EqualTo(new[] { null, null, string.Empty }));
        });
    }

    [Test]
    public void ReadScalarMembers_NumbersBooleansAndNull_ReadAsTheirJsonText()
    {
        var values = Read("{\"action\":true,\"messagePayload\":null,\"sdpMid\":-12.5e1}", out var error);

        Assert.Multiple(() =>
        {
            Assert.That(error, Is.Null);
            Assert.That(values, Is.EqualTo(new[] { "true", null, "-12.5e1" }));
        });
    }

    [Test]
    public void ReadScalarMembers_ObjectForAKnownMember_StopsWithAReasonNamingItWithThePrefix()
    {
        var values = Read("{\"action\":\"A\",\"sdpMid\":{\"x\":1},\"messagePayload\":\"P\"}", out var error, prefix: "outer.");

        Assert.Multiple(() =>
        {
            Assert.That(error, Is.EqualTo("'outer.sdpMid' is not a string."));
            Assert.That(values[0], Is.EqualTo("A"));
            Assert.That(values[1], Is.Null, "members after the bad one are not read");
        });
    }

    [Test]
    public void NextMember_EscapedName_MatchesTheUnescapedName()
    {
        var values = Read("{\"\\u0061ction\":\"SDP_ANSWER\"}", out var error);

        Assert.Multiple(() =>
        {
            Assert.That(error, Is.Null);
            Assert.That(values[0], Is.EqualTo("SDP_ANSWER"));
        });
    }

    [Test]
    public void NextMember_EscapedNameLongerThanAnyKnownName_IsUnknownAndSkipped()
    {
        var longName = string.Concat(Enumerable.Repeat("\\u0061", 20));
        var values = Read("{\"" + longName + "\":\"x\",\"action\":\"A\"}", out var error);

        Assert.Multiple(() =>
        {
            Assert.That(error, Is.Null);
            Assert.That(values, Is.EqualTo(new[] { "A", null, null }));
        });
    }

    [Test]
    public void ReadToEnd_TrailingGarbage_Throws()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"action\":\"A\"} x");

        Assert.That(() =>
        {
            var reader = new Utf8JsonReader(bytes, JsonMemberReader.Options);
            reader.Read();
            var values = new string?[3];
            JsonMemberReader.ReadScalarMembers(ref reader, s_names, values);
            JsonMemberReader.ReadToEnd(ref reader);
        }, Throws.InstanceOf<JsonException>());
    }

    [Test]
    public void SignalingWireNames_EveryType_RoundTripsCaseInsensitively()
    {
        foreach (var type in Enum.GetValues<SignalingMessageType>().Where(t => t != SignalingMessageType.Unknown))
        {
            var name = SignalingWireNames.Of(type)!;
            Assert.That(SignalingWireNames.Parse(name), Is.EqualTo(type), name);
            Assert.That(SignalingWireNames.Parse(name.ToLowerInvariant()), Is.EqualTo(type), name);
        }

        Assert.Multiple(() =>
        {
            Assert.That(SignalingWireNames.Of(SignalingMessageType.Unknown), Is.Null);
            Assert.That(SignalingWireNames.Parse("SOMETHING_NEW"), Is.EqualTo(SignalingMessageType.Unknown));
            Assert.That(SignalingWireNames.Parse(null), Is.EqualTo(SignalingMessageType.Unknown));
        });
    }

    private static string?[] Read(string json, out string? error, uint keepEmpty = 0, string? prefix = null)
    {
        var values = new string?[s_names.Length];
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json), JsonMemberReader.Options);
        Assert.That(reader.Read() && reader.TokenType == JsonTokenType.StartObject, Is.True);
        error = JsonMemberReader.ReadScalarMembers(ref reader, s_names, values, keepEmpty, prefix);
        return values;
    }
}
