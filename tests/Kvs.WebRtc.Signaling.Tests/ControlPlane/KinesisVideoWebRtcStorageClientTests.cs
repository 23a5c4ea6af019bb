using Kvs.WebRtc.Testing;
using System.Net;
using Kvs.WebRtc.Signaling.ControlPlane;
using Kvs.WebRtc.Signaling.ControlPlane.Model;
using NUnit.Framework;
using static Kvs.WebRtc.Signaling.Tests.ControlPlane.ControlPlaneTestSupport;

namespace Kvs.WebRtc.Signaling.Tests.ControlPlane;

/// <summary>The media-storage control-plane calls and the WebRTC storage client against a fake HTTP handler.</summary>
[TestFixture]
public sealed class KinesisVideoWebRtcStorageClientTests
{
    private const string StreamArn = "arn:aws:kinesisvideo:us-west-2:123456789012:stream/demo-stream/1712136149000";
    private static readonly Uri s_webRtcEndpoint = new("https://w-1.kinesisvideo.us-west-2.amazonaws.com");

    [Test]
    public async Task JoinStorageSessionAsync_ValidArn_PostsCamelCaseBodySignedForKinesisVideo()
    {
        var handler = new FakeHttpMessageHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([]) });
        using var client = new KinesisVideoWebRtcStorageClient(new KinesisVideoClientOptions(Options(handler)) { ServiceUrl = s_webRtcEndpoint });

        await client.JoinStorageSessionAsync(ChannelArn);

        var request = handler.RequestList.Single();
        Assert.Multiple(() =>
        {
            Assert.That(request.Method, Is.EqualTo(HttpMethod.Post));
            Assert.That(request.Uri, Is.EqualTo(new Uri("https://w-1.kinesisvideo.us-west-2.amazonaws.com/joinStorageSession")));
            Assert.That(request.Body, Is.EqualTo("{\"channelArn\":\"" + ChannelArn + "\"}"));
            Assert.That(request.Headers["Authorization"], Does.Contain("/us-west-2/kinesisvideo/aws4_request"));
        });
    }

    [Test]
    public async Task JoinStorageSessionAsViewerAsync_ValidArguments_PostsChannelArnAndClientId()
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json("{}"));
        using var client = new KinesisVideoWebRtcStorageClient(new KinesisVideoClientOptions(Options(handler)) { ServiceUrl = s_webRtcEndpoint });

        await client.JoinStorageSessionAsViewerAsync(ChannelArn, "viewer-1");

        var request = handler.RequestList.Single();
        Assert.That(request.Path, Is.EqualTo("/joinStorageSessionAsViewer"));
        Assert.That(request.Body, Is.EqualTo("{\"channelArn\":\"" + ChannelArn + "\",\"clientId\":\"viewer-1\"}"));
    }

    [TestCase(HttpStatusCode.NotFound, "ResourceNotFoundException", SignalingError.ResourceNotFound)]
    [TestCase(HttpStatusCode.BadRequest, "InvalidArgumentException", SignalingError.InvalidArgument)]
    [TestCase(HttpStatusCode.Forbidden, "AccessDeniedException", SignalingError.AccessDenied)]
    public void JoinStorageSessionAsync_ServiceError_ThrowsTypedExceptionWithLowerCaseMessage(HttpStatusCode status, string errorType, SignalingError expected)
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json("{\"message\":\"no storage here\"}", status, errorType));
        using var client = new KinesisVideoWebRtcStorageClient(new KinesisVideoClientOptions(Options(handler, maxErrorRetries: 0)) { ServiceUrl = s_webRtcEndpoint });

        var ex = SignalingAssert.ThrowsAsync(expected, errorType, () => client.JoinStorageSessionAsync(ChannelArn));

        Assert.That(ex!.Message, Does.Contain("no storage here"));
    }

    [Test]
    public void JoinStorageSessionAsync_NotAnArn_ThrowsArgumentExceptionWithoutIo()
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json("{}"));
        using var client = new KinesisVideoWebRtcStorageClient(new KinesisVideoClientOptions(Options(handler)) { ServiceUrl = s_webRtcEndpoint });

        Assert.ThrowsAsync<ArgumentException>(() => client.JoinStorageSessionAsync("demo-channel"));
        Assert.ThrowsAsync<ArgumentException>(() => client.JoinStorageSessionAsViewerAsync(ChannelArn, "bad id"));
        Assert.That(handler.Requests, Is.Empty);
    }

    [Test]
    public void Constructor_NoServiceUrl_ThrowsArgumentException()
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json("{}"));
        Assert.Throws<ArgumentException>(() => _ = new KinesisVideoWebRtcStorageClient(new KinesisVideoClientOptions(Options(handler)) { ServiceUrl = null }));
    }

    [Test]
    public async Task DescribeMediaStorageConfigurationAsync_Enabled_ParsesStatusAndStream()
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json(
            "{\"MediaStorageConfiguration\":{\"Status\":\"ENABLED\",\"StreamARN\":\"" + StreamArn + "\"}}"));
        using var client = new KinesisVideoClient(Options(handler));

        var response = await client.DescribeMediaStorageConfigurationAsync(new DescribeMediaStorageConfigurationRequest { ChannelARN = ChannelArn });

        Assert.That(handler.RequestList.Single().Path, Is.EqualTo("/describeMediaStorageConfiguration"));
        Assert.That(handler.RequestList.Single().Body, Is.EqualTo("{\"ChannelARN\":\"" + ChannelArn + "\"}"));
        Assert.That(response.MediaStorageConfiguration!.Status, Is.EqualTo(MediaStorageStatus.Enabled));
        Assert.That(response.MediaStorageConfiguration.StreamARN, Is.EqualTo(StreamArn));
    }

    [Test]
    public void DescribeMediaStorageConfigurationAsync_MissingConfiguration_ThrowsInvalidResponse()
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json("{}"));
        using var client = new KinesisVideoClient(Options(handler));

        SignalingAssert.ThrowsAsync(SignalingError.InvalidResponse, null, () =>
            client.DescribeMediaStorageConfigurationAsync(new DescribeMediaStorageConfigurationRequest { ChannelName = "demo-channel" }));
    }

    [Test]
    public async Task UpdateMediaStorageConfigurationAsync_Enable_SendsStatusAndStreamArn()
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json("{}"));
        using var client = new KinesisVideoClient(Options(handler));

        await client.UpdateMediaStorageConfigurationAsync(new UpdateMediaStorageConfigurationRequest
        {
            ChannelARN = ChannelArn,
            MediaStorageConfiguration = new MediaStorageConfiguration { Status = MediaStorageStatus.Enabled, StreamARN = StreamArn },
        });

        var request = handler.RequestList.Single();
        Assert.That(request.Path, Is.EqualTo("/updateMediaStorageConfiguration"));
        Assert.That(request.Body, Is.EqualTo(
            "{\"ChannelARN\":\"" + ChannelArn + "\",\"MediaStorageConfiguration\":{\"Status\":\"ENABLED\",\"StreamARN\":\"" + StreamArn + "\"}}"));
    }

    [Test]
    public void UpdateMediaStorageConfigurationAsync_NoDataRetention_ThrowsTypedException()
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json("{\"Message\":\"stream keeps nothing\"}", HttpStatusCode.BadRequest, "NoDataRetentionException"));
        using var client = new KinesisVideoClient(Options(handler));

        var ex = SignalingAssert.ThrowsAsync(SignalingError.NoDataRetention, "NoDataRetentionException", () => client.UpdateMediaStorageConfigurationAsync(new UpdateMediaStorageConfigurationRequest
        {
            ChannelARN = ChannelArn,
            MediaStorageConfiguration = new MediaStorageConfiguration { Status = MediaStorageStatus.Enabled, StreamARN = StreamArn },
        }));

        Assert.That(ex!.Message, Does.Contain("stream keeps nothing"));
    }

    [Test]
    public void UpdateMediaStorageConfigurationAsync_EnabledWithoutStream_ThrowsArgumentExceptionWithoutIo()
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json("{}"));
        using var client = new KinesisVideoClient(Options(handler));

        Assert.ThrowsAsync<ArgumentException>(() => client.UpdateMediaStorageConfigurationAsync(new UpdateMediaStorageConfigurationRequest
        {
            ChannelARN = ChannelArn,
            MediaStorageConfiguration = new MediaStorageConfiguration { Status = MediaStorageStatus.Enabled },
        }));
        Assert.That(handler.Requests, Is.Empty);
    }

    [Test]
    public void CreateWebRtcStorageClient_UsesTheWebRtcEndpoint()
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json("{}"));
        using var client = new KinesisVideoClient(Options(handler));

        using var storage = client.CreateWebRtcStorageClient(s_webRtcEndpoint);

        Assert.That(storage.Endpoint, Is.EqualTo(s_webRtcEndpoint));
    }
}
