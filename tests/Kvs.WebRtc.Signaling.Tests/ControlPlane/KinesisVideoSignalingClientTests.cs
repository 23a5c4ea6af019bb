using Kvs.WebRtc.Testing;
using System.Net;
using Kvs.WebRtc.Signaling.ControlPlane;
using Kvs.WebRtc.Signaling.ControlPlane.Model;
using NUnit.Framework;
using static Kvs.WebRtc.Signaling.Tests.ControlPlane.ControlPlaneTestSupport;

namespace Kvs.WebRtc.Signaling.Tests.ControlPlane;

[TestFixture]
public sealed class KinesisVideoSignalingClientTests
{
    private const string IceJson =
        "{\"IceServerList\":[{\"Password\":\"nhgUYYY0TKW5knkHAU92JI9whmOO058qbmxRvyIY2Rg=\",\"Ttl\":300,\"Uris\":[" +
        "\"turn:1.t-1.kinesisvideo.us-west-2.amazonaws.com:443?transport=udp\",\"turns:1.t-1.kinesisvideo.us-west-2.amazonaws.com:443?transport=tcp\"]," +
        "\"Username\":\"1743506463:djE6YXJu\"}]}";

    private static readonly Uri s_httpsEndpoint = new("https://r-1.kinesisvideo.us-west-2.amazonaws.com");

    [Test]
    public async Task GetIceServerConfigAsync_ValidRequest_PostsSignedJsonToV1Path()
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json(IceJson));
        using var client = new KinesisVideoSignalingClient(new KinesisVideoClientOptions(Options(handler)) { ServiceUrl = s_httpsEndpoint });

        await client.GetIceServerConfigAsync(new GetIceServerConfigRequest { ChannelARN = ChannelArn, ClientId = "viewer-1", Service = "TURN" });

        var request = handler.RequestList.Single();
        Assert.Multiple(() =>
        {
            Assert.That(request.Method, Is.EqualTo(HttpMethod.Post));
            Assert.That(request.Uri, Is.EqualTo(new Uri("https://r-1.kinesisvideo.us-west-2.amazonaws.com/v1/get-ice-server-config")));
            Assert.That(request.Body, Is.EqualTo("{\"ChannelARN\":\"" + ChannelArn + "\",\"ClientId\":\"viewer-1\",\"Service\":\"TURN\"}"));
            Assert.That(request.Headers["Authorization"], Does.Contain("/us-west-2/kinesisvideo/aws4_request"));
        });
    }

    [Test]
    public async Task GetIceServerConfigAsync_ServiceResponse_ParsesServers()
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json(IceJson));
        using var client = new KinesisVideoSignalingClient(new KinesisVideoClientOptions(Options(handler)) { ServiceUrl = s_httpsEndpoint });

        var response = await client.GetIceServerConfigAsync(new GetIceServerConfigRequest { ChannelARN = ChannelArn });

        var server = response.IceServerList!.Single();
        Assert.Multiple(() =>
        {
            Assert.That(server.Urls, Has.Count.EqualTo(2));
            Assert.That(server.Username, Is.EqualTo("1743506463:djE6YXJu"));
            Assert.That(server.Credential, Is.EqualTo("nhgUYYY0TKW5knkHAU92JI9whmOO058qbmxRvyIY2Rg="));
            Assert.That(server.Ttl, Is.EqualTo(TimeSpan.FromSeconds(300)));
            Assert.That(server.ToString(), Does.Not.Contain(server.Credential));
        });
    }

    [Test]
    public void GetIceServerConfigAsync_SessionExpiredWithLowerCaseMessage_ThrowsTypedException()
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json("{\"message\":\"session is over\"}", HttpStatusCode.BadRequest, "SessionExpiredException", "rid-7"));
        using var client = new KinesisVideoSignalingClient(new KinesisVideoClientOptions(Options(handler)) { ServiceUrl = s_httpsEndpoint });

        var ex = SignalingAssert.ThrowsAsync(SignalingError.SessionExpired, "SessionExpiredException", () => client.GetIceServerConfigAsync(new GetIceServerConfigRequest { ChannelARN = ChannelArn }));

        Assert.That(ex!.Message, Does.Contain("session is over"));
        Assert.That(ex.RequestId, Is.EqualTo("rid-7"));
    }

    [Test]
    public void GetIceServerConfigAsync_MissingIceServerList_ThrowsInvalidResponse()
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json("{}"));
        using var client = new KinesisVideoSignalingClient(new KinesisVideoClientOptions(Options(handler)) { ServiceUrl = s_httpsEndpoint });

        SignalingAssert.ThrowsAsync(SignalingError.InvalidResponse, null, () => client.GetIceServerConfigAsync(new GetIceServerConfigRequest { ChannelARN = ChannelArn }));
    }

    [Test]
    public void GetIceServerConfigAsync_InvalidClientId_ThrowsArgumentExceptionWithoutIo()
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json(IceJson));
        using var client = new KinesisVideoSignalingClient(new KinesisVideoClientOptions(Options(handler)) { ServiceUrl = s_httpsEndpoint });

        Assert.ThrowsAsync<ArgumentException>(() => client.GetIceServerConfigAsync(new GetIceServerConfigRequest { ChannelARN = ChannelArn, ClientId = "bad id" }));
        Assert.That(handler.Requests, Is.Empty);
    }

    [Test]
    public void Constructor_NoServiceUrl_ThrowsArgumentException()
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json(IceJson));

        Assert.Throws<ArgumentException>(() => _ = new KinesisVideoSignalingClient(new KinesisVideoClientOptions(Options(handler)) { ServiceUrl = null }));
    }
}
