using System.Text.Json;
using Kvs.WebRtc.Signaling.ControlPlane;
using Kvs.WebRtc.Signaling.ControlPlane.Model;
using Kvs.WebRtc.Signaling.IceServers;
using NUnit.Framework;

namespace Kvs.WebRtc.Signaling.Tests.ControlPlane;

[TestFixture]
public sealed class KinesisVideoJsonContextTests
{
    private static readonly KinesisVideoJsonContext s_context = KinesisVideoJsonContext.Default;

    [Test]
    public void Serialize_RequestWithNullOptionals_OmitsThem()
    {
        var json = JsonSerializer.Serialize(new DescribeSignalingChannelRequest { ChannelName = "demo" }, s_context.DescribeSignalingChannelRequest);

        Assert.That(json, Is.EqualTo("""{"ChannelName":"demo"}"""));
    }

    [Test]
    public void Serialize_CreationTime_IsEpochSecondsNumberWithMilliseconds()
    {
        var info = new ChannelInfo { ChannelName = "demo", CreationTime = DateTimeOffset.FromUnixTimeMilliseconds(1712136149494) };

        var json = JsonSerializer.Serialize(info, s_context.DescribeSignalingChannelResponse.Options.GetTypeInfo(typeof(ChannelInfo)));

        Assert.That(json, Is.EqualTo("""{"ChannelName":"demo","CreationTime":1712136149.494}"""));
    }

    [TestCase("1.712136149494E9")]
    [TestCase("1712136149.494")]
    [TestCase("\"1712136149.494\"")]
    [TestCase("\"2024-04-03T09:22:29.494Z\"")]
    public void Deserialize_CreationTimeForms_AllReadTheSameInstant(string value)
    {
        var response = JsonSerializer.Deserialize("{\"ChannelInfo\":{\"CreationTime\":" + value + "}}", s_context.DescribeSignalingChannelResponse)!;

        Assert.That(response.ChannelInfo!.CreationTime, Is.EqualTo(DateTimeOffset.FromUnixTimeMilliseconds(1712136149494)));
    }

    [TestCase("1e300")]
    [TestCase("true")]
    [TestCase("\"yesterday\"")]
    public void Deserialize_UnusableCreationTime_ThrowsJsonException(string value) =>
        Assert.Throws<JsonException>(() =>
            JsonSerializer.Deserialize("{\"ChannelInfo\":{\"CreationTime\":" + value + "}}", s_context.DescribeSignalingChannelResponse));

    [Test]
    public void Deserialize_UnknownEnumValue_IsKeptAndWrittenBack()
    {
        var response = JsonSerializer.Deserialize("""{"ChannelInfo":{"ChannelType":"MULTI_MASTER","ChannelStatus":"ACTIVE"}}""", s_context.DescribeSignalingChannelResponse)!;

        Assert.Multiple(() =>
        {
            Assert.That(response.ChannelInfo!.ChannelType!.Value.Value, Is.EqualTo("MULTI_MASTER"));
            Assert.That(response.ChannelInfo.ChannelStatus, Is.EqualTo(ChannelStatus.Active));
            Assert.That(JsonSerializer.Serialize(response, s_context.DescribeSignalingChannelResponse), Does.Contain("\"ChannelType\":\"MULTI_MASTER\""));
        });
    }

    [Test]
    public void Deserialize_EmptyEnumString_ThrowsJsonException() =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("""{"ChannelInfo":{"ChannelType":""}}""", s_context.DescribeSignalingChannelResponse));

    [Test]
    public void Deserialize_UnknownMembersAndNulls_AreIgnored()
    {
        var response = JsonSerializer.Deserialize(
            """{"ChannelInfo":{"ChannelName":"demo","FullMeshConfiguration":null,"Extra":{"a":[1,2]}},"More":true}""", s_context.DescribeSignalingChannelResponse)!;

        Assert.That(response.ChannelInfo!.ChannelName, Is.EqualTo("demo"));
    }

    [Test]
    public void Deserialize_RequestWithoutRequiredMember_ThrowsJsonException() =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("""{"ChannelType":"SINGLE_MASTER"}""", s_context.CreateSignalingChannelRequest));

    [Test]
    public void Deserialize_ListTagsResponse_ReadsTagsAsMap()
    {
        var response = JsonSerializer.Deserialize("""{"Tags":{"env":"test","team":"video"},"NextToken":"abc="}""", s_context.ListTagsForResourceResponse)!;

        Assert.Multiple(() =>
        {
            Assert.That(response.Tags, Is.EquivalentTo(new Dictionary<string, string> { ["env"] = "test", ["team"] = "video" }));
            Assert.That(response.NextToken, Is.EqualTo("abc="));
        });
    }

    [Test]
    public void Serialize_ServiceErrorBody_WritesOnlyTheSetMessageMember()
    {
        var json = JsonSerializer.Serialize(new ServiceErrorBody { LowerCaseMessage = "Signature expired" }, s_context.ServiceErrorBody);

        Assert.That(json, Is.EqualTo("""{"message":"Signature expired"}"""));
    }

    [Test]
    public void ChannelProtocol_Equality_IgnoresCase()
    {
        Assert.Multiple(() =>
        {
            Assert.That(new ChannelProtocol("wss"), Is.EqualTo(ChannelProtocol.Wss));
            Assert.That(new ChannelProtocol("wss").GetHashCode(), Is.EqualTo(ChannelProtocol.Wss.GetHashCode()));
            Assert.That(ChannelProtocol.Wss != ChannelProtocol.Https, Is.True);
            Assert.That(ChannelProtocol.WebRtc.ToString(), Is.EqualTo("WEBRTC"));
        });
    }

    [Test]
    public void IceServerShape_ToString_DoesNotShowThePassword()
    {
        var server = new IceServer(["turn:1.2.3.4:443?transport=udp"], "1700000000:dXNlcg==", "pa55+word/secret=", TimeSpan.FromSeconds(300));

        var text = server.ToString();

        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Not.Contain("pa55+word/secret="));
            Assert.That(text, Does.Contain("turn:1.2.3.4:443?transport=udp"));
            Assert.That(text, Does.Contain("1700000000:dXNlcg=="));
        });
    }

    [Test]
    public void IceServer_ServiceJson_ReadsUrisCredentialsAndTtl()
    {
        const string json = "{\"IceServerList\":[{\"Password\":\"pw\",\"Ttl\":300,\"Uris\":[\"turn:a:443?transport=udp\",\"turns:a:443?transport=tcp\"],\"Username\":\"u\",\"Extra\":{\"x\":[1]}},"
            + "{\"uris\":[\"stun:b:443\"],\"ttl\":0}]}";

        var response = JsonSerializer.Deserialize<GetIceServerConfigResponse>(json, KinesisVideoJson.Options)!;

        Assert.Multiple(() =>
        {
            Assert.That(response.IceServerList, Has.Count.EqualTo(2));
            Assert.That(response.IceServerList![0].Urls, Is.EqualTo(new[] { "turn:a:443?transport=udp", "turns:a:443?transport=tcp" }));
            Assert.That(response.IceServerList[0].Username, Is.EqualTo("u"));
            Assert.That(response.IceServerList[0].Credential, Is.EqualTo("pw"));
            Assert.That(response.IceServerList[0].Ttl, Is.EqualTo(TimeSpan.FromSeconds(300)));
            Assert.That(response.IceServerList[1].Ttl, Is.Null, "a TTL of 0 means none");
            Assert.That(response.IceServerList[1].Credential, Is.Null);
        });
    }

    [Test]
    public void IceServer_Write_UsesTheServiceMemberNames()
    {
        var response = new GetIceServerConfigResponse { IceServerList = [new IceServer(["turn:a:443"], "u", "pw", TimeSpan.FromSeconds(300))] };

        var json = JsonSerializer.Serialize(response, KinesisVideoJson.Options);

        Assert.That(json, Is.EqualTo("{\"IceServerList\":[{\"Uris\":[\"turn:a:443\"],\"Username\":\"u\",\"Password\":\"pw\",\"Ttl\":300}]}"));
    }

    [TestCase("{\"IceServerList\":[{\"Uris\":[],\"Username\":\"u\"}]}")]
    [TestCase("{\"IceServerList\":[{\"Username\":\"u\"}]}")]
    [TestCase("{\"IceServerList\":[{\"Uris\":[\"\"]}]}")]
    [TestCase("{\"IceServerList\":[{\"Uris\":[\"turn:a\"],\"Password\":{}}]}")]
    public void IceServer_WithoutUrisOrWithABadMember_IsInvalidJson(string json)
    {
        Assert.That(() => JsonSerializer.Deserialize<GetIceServerConfigResponse>(json, KinesisVideoJson.Options), Throws.InstanceOf<JsonException>());
    }
}
