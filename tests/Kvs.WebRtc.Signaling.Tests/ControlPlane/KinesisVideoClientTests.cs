using System.Net;
using System.Text.Json;
using Kvs.WebRtc.Signaling.ControlPlane;
using Kvs.WebRtc.Signaling.ControlPlane.Model;
using Kvs.WebRtc.Testing;
using NUnit.Framework;
using static Kvs.WebRtc.Signaling.Tests.ControlPlane.ControlPlaneTestSupport;

namespace Kvs.WebRtc.Signaling.Tests.ControlPlane;

[TestFixture]
public sealed class KinesisVideoClientTests
{
    public static IEnumerable<TestCaseData> Operations()
    {
        yield return Op("/createSignalingChannel", """{"ChannelName":"demo","ChannelType":"SINGLE_MASTER","SingleMasterConfiguration":{"MessageTtlSeconds":60},"Tags":[{"Key":"env","Value":"test"}]}""",
            "{\"ChannelARN\":\"" + ChannelArn + "\"}",
            c => c.CreateSignalingChannelAsync(new CreateSignalingChannelRequest
            {
                ChannelName = "demo",
                ChannelType = ChannelType.SingleMaster,
                SingleMasterConfiguration = new SingleMasterConfiguration { MessageTtlSeconds = 60 },
                Tags = [new Tag { Key = "env", Value = "test" }],
            }));
        yield return Op("/describeSignalingChannel", """{"ChannelName":"demo"}""", DescribeJson(),
            c => c.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest { ChannelName = "demo" }));
        yield return Op("/getSignalingChannelEndpoint", "{\"ChannelARN\":\"" + ChannelArn + "\",\"SingleMasterChannelEndpointConfiguration\":{\"Protocols\":[\"WSS\",\"HTTPS\"],\"Role\":\"MASTER\"}}",
            EndpointsJson,
            c => c.GetSignalingChannelEndpointAsync(new GetSignalingChannelEndpointRequest
            {
                ChannelARN = ChannelArn,
                SingleMasterChannelEndpointConfiguration = new SingleMasterChannelEndpointConfiguration
                {
                    Protocols = [ChannelProtocol.Wss, ChannelProtocol.Https],
                    Role = ChannelRole.Master,
                },
            }));
        yield return Op("/listSignalingChannels", """{"MaxResults":10,"ChannelNameCondition":{"ComparisonOperator":"BEGINS_WITH","ComparisonValue":"demo"}}""",
            """{"ChannelInfoList":[]}""",
            c => c.ListSignalingChannelsAsync(new ListSignalingChannelsRequest
            {
                MaxResults = 10,
                ChannelNameCondition = new ChannelNameCondition { ComparisonOperator = ComparisonOperator.BeginsWith, ComparisonValue = "demo" },
            }));
        yield return Op("/updateSignalingChannel", "{\"ChannelARN\":\"" + ChannelArn + "\",\"CurrentVersion\":\"v1\",\"SingleMasterConfiguration\":{\"MessageTtlSeconds\":30}}", "{}",
            c => c.UpdateSignalingChannelAsync(new UpdateSignalingChannelRequest
            {
                ChannelARN = ChannelArn,
                CurrentVersion = "v1",
                SingleMasterConfiguration = new SingleMasterConfiguration { MessageTtlSeconds = 30 },
            }));
        yield return Op("/deleteSignalingChannel", "{\"ChannelARN\":\"" + ChannelArn + "\"}", "{}",
            c => c.DeleteSignalingChannelAsync(new DeleteSignalingChannelRequest { ChannelARN = ChannelArn }));
        yield return Op("/TagResource", "{\"ResourceARN\":\"" + ChannelArn + "\",\"Tags\":[{\"Key\":\"a\",\"Value\":\"b\"}]}", "{}",
            c => c.TagResourceAsync(new TagResourceRequest { ResourceARN = ChannelArn, Tags = [new Tag { Key = "a", Value = "b" }] }));
        yield return Op("/UntagResource", "{\"ResourceARN\":\"" + ChannelArn + "\",\"TagKeyList\":[\"a\"]}", "{}",
            c => c.UntagResourceAsync(new UntagResourceRequest { ResourceARN = ChannelArn, TagKeyList = ["a"] }));
        yield return Op("/ListTagsForResource", "{\"ResourceARN\":\"" + ChannelArn + "\"}", """{"Tags":{"a":"b"}}""",
            c => c.ListTagsForResourceAsync(new ListTagsForResourceRequest { ResourceARN = ChannelArn }));

        static TestCaseData Op(string path, string expectedBody, string responseJson, Func<KinesisVideoClient, Task> call) =>
            new TestCaseData(path, expectedBody, responseJson, call).SetArgDisplayNames(path);
    }

    [TestCaseSource(nameof(Operations))]
    public async Task Operation_ValidRequest_PostsSignedJsonToItsPath(string path, string expectedBody, string responseJson, Func<KinesisVideoClient, Task> call)
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json(responseJson));
        using var client = new KinesisVideoClient(Options(handler));

        await call(client);

        var request = handler.RequestList.Single();
        Assert.Multiple(() =>
        {
            Assert.That(request.Method, Is.EqualTo(HttpMethod.Post));
            Assert.That(request.Path, Is.EqualTo(path));
            Assert.That(JsonNodeEquals(request.Body, expectedBody), Is.True, request.Body);
            Assert.That(request.Headers["Content-Type"], Does.StartWith("application/json"));
            Assert.That(request.Headers, Does.ContainKey("X-Amz-Date"));
            Assert.That(request.Headers["X-Amz-Security-Token"], Is.EqualTo(SessionToken));
            Assert.That(request.Headers["Authorization"], Does.StartWith("AWS4-HMAC-SHA256 Credential=" + AccessKeyId + "/"));
            Assert.That(request.Headers["Authorization"], Does.Contain("/" + Region + "/kinesisvideo/aws4_request"));
            Assert.That(request.Headers["Authorization"], Does.Not.Contain(SecretAccessKey));
        });
    }

    [Test]
    public async Task DescribeSignalingChannelAsync_FullResponse_ParsesEveryMember()
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json(DescribeJson().Replace("{\"ChannelInfo\":{", "{\"Extra\":1,\"ChannelInfo\":{\"Unknown\":[1,2],", StringComparison.Ordinal)));
        using var client = new KinesisVideoClient(Options(handler));

        var info = (await client.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest { ChannelARN = ChannelArn })).ChannelInfo!;

        Assert.Multiple(() =>
        {
            Assert.That(info.ChannelARN, Is.EqualTo(ChannelArn));
            Assert.That(info.ChannelName, Is.EqualTo("demo-channel"));
            Assert.That(info.ChannelStatus, Is.EqualTo(ChannelStatus.Active));
            Assert.That(info.ChannelType, Is.EqualTo(ChannelType.SingleMaster));
            Assert.That(info.CreationTime, Is.EqualTo(DateTimeOffset.FromUnixTimeMilliseconds(1712136149494)));
            Assert.That(info.SingleMasterConfiguration!.MessageTtlSeconds, Is.EqualTo(60));
            Assert.That(info.Version, Is.EqualTo("v1"));
        });
    }

    [Test]
    public async Task GetSignalingChannelEndpointAsync_TwoProtocols_ParsesEndpoints()
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json(EndpointsJson));
        using var client = new KinesisVideoClient(Options(handler));

        var response = await client.GetSignalingChannelEndpointAsync(new GetSignalingChannelEndpointRequest { ChannelARN = ChannelArn });

        var byProtocol = response.ResourceEndpointList!.ToDictionary(e => e.Protocol!.Value, e => e.ResourceEndpoint);
        Assert.That(byProtocol[ChannelProtocol.Wss], Is.EqualTo("wss://m-1.kinesisvideo.us-west-2.amazonaws.com"));
        Assert.That(byProtocol[ChannelProtocol.Https], Is.EqualTo("https://r-1.kinesisvideo.us-west-2.amazonaws.com"));
    }

    [TestCase("ResourceNotFoundException", HttpStatusCode.NotFound, SignalingError.ResourceNotFound)]
    [TestCase("ResourceInUseException", HttpStatusCode.BadRequest, SignalingError.ResourceInUse)]
    [TestCase("AccessDeniedException", HttpStatusCode.Unauthorized, SignalingError.AccessDenied)]
    [TestCase("ClientLimitExceededException", HttpStatusCode.BadRequest, SignalingError.ClientLimitExceeded)]
    [TestCase("InvalidArgumentException", HttpStatusCode.BadRequest, SignalingError.InvalidArgument)]
    [TestCase("VersionMismatchException", HttpStatusCode.BadRequest, SignalingError.VersionMismatch)]
    [TestCase("AccountChannelLimitExceededException", HttpStatusCode.BadRequest, SignalingError.AccountChannelLimitExceeded)]
    [TestCase("TagsPerResourceExceededLimitException", HttpStatusCode.BadRequest, SignalingError.TagsPerResourceExceededLimit)]
    [TestCase("NotAuthorizedException", HttpStatusCode.Unauthorized, SignalingError.NotAuthorized)]
    [TestCase("InvalidClientException", HttpStatusCode.BadRequest, SignalingError.InvalidClient)]
    [TestCase("SessionExpiredException", HttpStatusCode.BadRequest, SignalingError.SessionExpired)]
    [TestCase("NoDataRetentionException", HttpStatusCode.BadRequest, SignalingError.NoDataRetention)]
    [TestCase("SomethingNewException", HttpStatusCode.BadRequest, SignalingError.ServiceError)]
    [TestCase("ThrottlingException", HttpStatusCode.BadRequest, SignalingError.Throttled)]
    [TestCase("SomethingNewException", HttpStatusCode.TooManyRequests, SignalingError.Throttled)]
    [TestCase("InternalFailure", HttpStatusCode.InternalServerError, SignalingError.ServiceUnavailable)]
    [TestCase("SomethingNewException", HttpStatusCode.Forbidden, SignalingError.AccessDenied)]
    public void DescribeSignalingChannelAsync_ServiceError_CarriesErrorAndAwsCode(string code, HttpStatusCode status, SignalingError expected)
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json("{\"Message\":\"boom\"}", status, code, "rid-42"));
        using var client = new KinesisVideoClient(Options(handler, maxErrorRetries: 0));

        var error = Assert.ThrowsAsync<SignalingException>(
            () => client.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest { ChannelName = "demo" }))!;

        Assert.Multiple(() =>
        {
            Assert.That(error.Error, Is.EqualTo(expected));
            Assert.That(error.ErrorCode, Is.EqualTo(code));
            Assert.That(error.StatusCode, Is.EqualTo(status));
            Assert.That(error.RequestId, Is.EqualTo("rid-42"));
            Assert.That(error.Message, Does.Contain("boom"));
        });
    }

    [TestCase("ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.kinesisvideo/")]
    [TestCase("com.amazonaws.kinesisvideo#ResourceNotFoundException")]
    [TestCase("aws.protocoltests#ResourceNotFoundException:http://example/")]
    [TestCase("ResourceNotFoundException")]
    public void DescribeSignalingChannelAsync_ErrorTypeHeaderForms_AreNormalised(string header)
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json("{\"Message\":\"gone\"}", HttpStatusCode.NotFound, header));
        using var client = new KinesisVideoClient(Options(handler));

        var ex = SignalingAssert.ThrowsAsync(
            SignalingError.ResourceNotFound, "ResourceNotFoundException", () => client.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest { ChannelName = "demo" }));

        Assert.That(ex!.ErrorCode, Is.EqualTo("ResourceNotFoundException"));
    }

    [TestCase("{\"__type\":\"com.amazonaws.kinesisvideo#VersionMismatchException\",\"message\":\"stale\"}")]
    [TestCase("{\"code\":\"VersionMismatchException\",\"Message\":\"stale\"}")]
    [TestCase("{\"Code\":\"VersionMismatchException\",\"message\":\"stale\"}")]
    public void UpdateSignalingChannelAsync_CodeOnlyInBody_FallsBackToBody(string body)
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json(body, HttpStatusCode.BadRequest));
        using var client = new KinesisVideoClient(Options(handler));

        var ex = SignalingAssert.ThrowsAsync(SignalingError.VersionMismatch, "VersionMismatchException", () => client.UpdateSignalingChannelAsync(
            new UpdateSignalingChannelRequest { ChannelARN = ChannelArn, CurrentVersion = "v1" }));

        Assert.That(ex!.Message, Does.Contain("stale"));
    }

    [Test]
    public void DescribeSignalingChannelAsync_HtmlBadGateway_ThrowsBaseExceptionWithShortPrefix()
    {
        var html = "<html><head><title>502 Bad Gateway</title></head><body>" + new string('x', 5000) + "</body></html>";
        var handler = new FakeHttpMessageHandler(_ => new HttpResponseMessage(HttpStatusCode.BadGateway)
        {
            Content = new StringContent(html, System.Text.Encoding.UTF8, "text/html"),
        });
        using var client = new KinesisVideoClient(Options(handler, maxErrorRetries: 0));

        var ex = Assert.ThrowsAsync<SignalingException>(
            () => client.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest { ChannelName = "demo" }));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.StatusCode, Is.EqualTo(HttpStatusCode.BadGateway));
            Assert.That(ex.Message, Does.Contain("non-JSON"));
            Assert.That(ex.Message, Does.Contain("502 Bad Gateway"));
            Assert.That(ex.Message, Does.Not.Contain("<html>"));
            Assert.That(ex.Message.Length, Is.LessThan(600));
            Assert.That(ex.IsRetryable, Is.True);
        });
    }

    [Test]
    public async Task DescribeSignalingChannelAsync_TwoThrottlesThenSuccess_RetriesAndSucceeds()
    {
        var calls = 0;
        var handler = new FakeHttpMessageHandler(_ => ++calls <= 2
            ? FakeHttpMessageHandler.Json("{\"Message\":\"slow down\"}", HttpStatusCode.BadRequest, "ClientLimitExceededException")
            : FakeHttpMessageHandler.Json(DescribeJson()));
        using var client = new KinesisVideoClient(Options(handler));

        var response = await client.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest { ChannelName = "demo" });

        Assert.That(response.ChannelInfo!.ChannelARN, Is.EqualTo(ChannelArn));
        Assert.That(handler.Requests, Has.Count.EqualTo(3));
    }

    [Test]
    public void DescribeSignalingChannelAsync_PersistentServerError_ThrowsAfterMaxRetries()
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json("{\"Message\":\"oops\"}", HttpStatusCode.InternalServerError, "InternalFailure"));
        using var client = new KinesisVideoClient(Options(handler, maxErrorRetries: 3));

        var ex = Assert.ThrowsAsync<SignalingException>(
            () => client.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest { ChannelName = "demo" }));

        Assert.That(ex!.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(handler.Requests, Has.Count.EqualTo(4));
    }

    [Test]
    public void DescribeSignalingChannelAsync_NonRetryableError_IsNotRetried()
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json("{\"Message\":\"no\"}", HttpStatusCode.NotFound, "ResourceNotFoundException"));
        using var client = new KinesisVideoClient(Options(handler));

        SignalingAssert.ThrowsAsync(
            SignalingError.ResourceNotFound, "ResourceNotFoundException", () => client.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest { ChannelName = "demo" }));

        Assert.That(handler.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task DescribeSignalingChannelAsync_NetworkFailureThenSuccess_Retries()
    {
        var calls = 0;
        var handler = new FakeHttpMessageHandler(_ => ++calls == 1
            ? throw new HttpRequestException("connection reset")
            : FakeHttpMessageHandler.Json(DescribeJson()));
        using var client = new KinesisVideoClient(Options(handler));

        await client.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest { ChannelName = "demo" });

        Assert.That(handler.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task DescribeSignalingChannelAsync_RetryWithBackoff_WaitsOnTheTimeProvider()
    {
        var time = new SignallingTimeProvider();
        var calls = 0;
        var handler = new FakeHttpMessageHandler(_ => ++calls == 1
            ? FakeHttpMessageHandler.Json("{}", HttpStatusCode.ServiceUnavailable)
            : FakeHttpMessageHandler.Json(DescribeJson()));
        using var client = new KinesisVideoClient(new KinesisVideoClientOptions(Options(handler, time)) { RetryBaseDelay = TimeSpan.FromMilliseconds(100) });

        var call = client.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest { ChannelName = "demo" });
        await handler.WaitForRequestAsync();
        await time.WaitForTimerAsync(2); // the call deadline, then the back-off delay
        Assert.That(call.IsCompleted, Is.False);
        time.Advance(TimeSpan.FromMilliseconds(100));
        await call.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(handler.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task DescribeSignalingChannelAsync_SignatureExpired_CorrectsClockOffsetAndRetriesOnce()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var serverNow = time.GetUtcNow().AddMinutes(20);
        var calls = 0;
        var handler = new FakeHttpMessageHandler(_ =>
        {
            if (++calls == 1)
            {
                var response = FakeHttpMessageHandler.Json(
                    "{\"message\":\"Signature expired: 20240101T000000Z is now earlier than 20240101T001500Z (20240101T002000Z - 5 min.)\"}",
                    HttpStatusCode.Forbidden, "InvalidSignatureException");
                response.Headers.Date = serverNow;
                return response;
            }

            return FakeHttpMessageHandler.Json(DescribeJson());
        });
        using var client = new KinesisVideoClient(Options(handler, time, maxErrorRetries: 0));

        await client.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest { ChannelName = "demo" });

        Assert.That(handler.Requests, Has.Count.EqualTo(2));
        Assert.That(client.Invoker.Signer.ClockOffset, Is.EqualTo(TimeSpan.FromMinutes(20)));
        Assert.That(handler.RequestList[1].Headers["X-Amz-Date"], Is.EqualTo("20240101T002000Z"));
    }

    [Test]
    public void DescribeSignalingChannelAsync_RepeatedClockSkew_RetriesOnlyOnce()
    {
        var handler = new FakeHttpMessageHandler(_ =>
        {
            var response = FakeHttpMessageHandler.Json("{\"message\":\"Signature not yet current: 20240101T010000Z is still later than ...\"}", HttpStatusCode.Forbidden, "InvalidSignatureException");
            response.Headers.Date = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
            return response;
        });
        using var client = new KinesisVideoClient(Options(handler));

        var ex = Assert.ThrowsAsync<SignalingException>(
            () => client.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest { ChannelName = "demo" }));

        Assert.That(ex!.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(handler.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task ListAllSignalingChannelsAsync_ThreePages_FollowsNextToken()
    {
        var handler = new FakeHttpMessageHandler(r =>
        {
            var token = JsonDocument.Parse(r.Body).RootElement.TryGetProperty("NextToken", out var t) ? t.GetString() : null;
            return token switch
            {
                null => FakeHttpMessageHandler.Json(Page("a", "b", "dG9rMQ==")),
                "dG9rMQ==" => FakeHttpMessageHandler.Json(Page("c", null, "dG9rMg==")),
                "dG9rMg==" => FakeHttpMessageHandler.Json(Page("d", null, "")),
                _ => FakeHttpMessageHandler.Json("{}", HttpStatusCode.BadRequest, "InvalidArgumentException"),
            };
        });
        using var client = new KinesisVideoClient(Options(handler));

        var names = new List<string?>();
        await foreach (var channel in client.ListAllSignalingChannelsAsync(new ListSignalingChannelsRequest { MaxResults = 2 }))
        {
            names.Add(channel.ChannelName);
        }

        Assert.That(names, Is.EqualTo(new[] { "a", "b", "c", "d" }));
        Assert.That(handler.Requests, Has.Count.EqualTo(3));
        Assert.That(handler.RequestList.All(r => r.Body.Contains("\"MaxResults\":2", StringComparison.Ordinal)), Is.True);
    }

    [Test]
    public void ListAllSignalingChannelsAsync_RepeatedToken_ThrowsInvalidResponse()
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json(Page("a", null, "c2FtZQ==")));
        using var client = new KinesisVideoClient(Options(handler));

        var ex = SignalingAssert.ThrowsAsync(SignalingError.InvalidResponse, null, async () =>
        {
            await foreach (var _ in client.ListAllSignalingChannelsAsync())
            {
            }
        });

        Assert.That(ex.Message, Does.Contain("NextToken"));
        Assert.That(handler.Requests, Has.Count.EqualTo(2));
    }

    [TestCase("{not json", TestName = "DescribeSignalingChannelAsync_MalformedJson_ThrowsInvalidResponse")]
    [TestCase("[1,2]", TestName = "DescribeSignalingChannelAsync_JsonArray_ThrowsInvalidResponse")]
    [TestCase("{\"Other\":1}", TestName = "DescribeSignalingChannelAsync_MissingChannelInfo_ThrowsInvalidResponse")]
    [TestCase("{\"ChannelInfo\":{\"ChannelName\":\"x\"}}", TestName = "DescribeSignalingChannelAsync_MissingChannelArn_ThrowsInvalidResponse")]
    [TestCase("{\"ChannelInfo\":{\"ChannelARN\":\"a\",\"CreationTime\":\"yesterday\"}}", TestName = "DescribeSignalingChannelAsync_StringTimestamp_ThrowsInvalidResponse")]
    public void DescribeSignalingChannelAsync_BadBody_ThrowsInvalidResponse(string body)
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json(body));
        using var client = new KinesisVideoClient(Options(handler));

        var ex = SignalingAssert.ThrowsAsync(
            SignalingError.InvalidResponse, null, () => client.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest { ChannelName = "demo" }));

        Assert.That(ex.RequestId, Is.EqualTo("req-1"));
    }

    [Test]
    public void DescribeSignalingChannelAsync_OversizedBody_ThrowsTooLarge()
    {
        var big = "{\"ChannelInfo\":{\"ChannelARN\":\"" + new string('a', 5000) + "\"}}";
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json(big));
        using var client = new KinesisVideoClient(new KinesisVideoClientOptions(Options(handler)) { MaxResponseBytes = 1024 });

        SignalingAssert.ThrowsAsync(
            SignalingError.ResponseTooLarge, null, () => client.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest { ChannelName = "demo" }));
    }

    [Test]
    public async Task DescribeSignalingChannelAsync_NoAnswerWithinTimeout_ThrowsTimeoutException()
    {
        var time = new SignallingTimeProvider();
        var handler = new FakeHttpMessageHandler(async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return FakeHttpMessageHandler.Json("{}");
        });
        using var client = new KinesisVideoClient(new KinesisVideoClientOptions(Options(handler, time)) { Timeout = TimeSpan.FromSeconds(10) });

        var call = client.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest { ChannelName = "demo" });
        await handler.WaitForRequestAsync();
        time.Advance(TimeSpan.FromSeconds(10));

        var ex = SignalingAssert.ThrowsAsync(SignalingError.RequestTimeout, null, () => call.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.That(ex.IsRetryable, Is.True);
    }

    [Test]
    public async Task DescribeSignalingChannelAsync_CallerCancels_ThrowsOperationCanceled()
    {
        var handler = new FakeHttpMessageHandler(async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return FakeHttpMessageHandler.Json("{}");
        });
        using var client = new KinesisVideoClient(Options(handler));
        using var cts = new CancellationTokenSource();

        var call = client.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest { ChannelName = "demo" }, cts.Token);
        await handler.WaitForRequestAsync();
        await cts.CancelAsync();

        Assert.That(async () => await call.WaitAsync(TimeSpan.FromSeconds(10)), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void CreateSignalingChannelAsync_InvalidName_ThrowsArgumentExceptionWithoutIo()
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json("{}"));
        using var client = new KinesisVideoClient(Options(handler));

        Assert.ThrowsAsync<ArgumentException>(() => client.CreateSignalingChannelAsync(new CreateSignalingChannelRequest { ChannelName = "bad name!" }));
        Assert.ThrowsAsync<ArgumentException>(() => client.CreateSignalingChannelAsync(new CreateSignalingChannelRequest { ChannelName = new string('a', 257) }));
        Assert.That(handler.Requests, Is.Empty);
    }

    [TestCase(4)]
    [TestCase(121)]
    public void CreateSignalingChannelAsync_TtlOutOfRange_ThrowsArgumentException(int ttl)
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json("{}"));
        using var client = new KinesisVideoClient(Options(handler));

        Assert.ThrowsAsync<ArgumentException>(() => client.CreateSignalingChannelAsync(new CreateSignalingChannelRequest
        {
            ChannelName = "demo",
            SingleMasterConfiguration = new SingleMasterConfiguration { MessageTtlSeconds = ttl },
        }));
        Assert.That(handler.Requests, Is.Empty);
    }

    [Test]
    public void TagResourceAsync_FiftyOneTags_ThrowsArgumentException()
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json("{}"));
        using var client = new KinesisVideoClient(Options(handler));
        var tags = Enumerable.Range(0, 51).Select(i => new Tag { Key = "k" + i, Value = "v" }).ToList();

        Assert.ThrowsAsync<ArgumentException>(() => client.TagResourceAsync(new TagResourceRequest { ResourceARN = ChannelArn, Tags = tags }));
        Assert.That(handler.Requests, Is.Empty);
    }

    [Test]
    public void DescribeSignalingChannelAsync_NeitherNameNorArn_ThrowsArgumentException()
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json("{}"));
        using var client = new KinesisVideoClient(Options(handler));

        Assert.ThrowsAsync<ArgumentException>(() => client.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest()));
    }

    [Test]
    public void Constructor_ServiceUrlWithFips_ThrowsArgumentException()
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json("{}"));

        Assert.Throws<ArgumentException>(() => _ = new KinesisVideoClient(new KinesisVideoClientOptions(Options(handler)) { UseFips = true }));
        Assert.Throws<ArgumentException>(() => _ = new KinesisVideoClient(new KinesisVideoClientOptions(Options(handler)) { UseDualStack = true }));
    }

    [TestCase("us-west-2", false, false, "https://kinesisvideo.us-west-2.amazonaws.com/")]
    [TestCase("us-east-1", true, false, "https://kinesisvideo-fips.us-east-1.amazonaws.com/")]
    [TestCase("eu-west-1", false, true, "https://kinesisvideo.eu-west-1.api.aws/")]
    [TestCase("cn-north-1", false, false, "https://kinesisvideo.cn-north-1.amazonaws.com.cn/")]
    [TestCase("us-gov-west-1", false, false, "https://kinesisvideo-fips.us-gov-west-1.amazonaws.com/")]
    public void Endpoint_NoServiceUrl_IsResolvedFromRegion(string region, bool fips, bool dualStack, string expected)
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json("{}"));
        using var client = new KinesisVideoClient(new KinesisVideoClientOptions(Options(handler)) { ServiceUrl = null, Region = region, UseFips = fips, UseDualStack = dualStack });

        Assert.That(client.Endpoint, Is.EqualTo(new Uri(expected)));
    }

    [Test]
    public async Task DescribeSignalingChannelAsync_ErrorEchoingCredentials_DoesNotLeakSecrets()
    {
        var handler = new FakeHttpMessageHandler(r => FakeHttpMessageHandler.Json(
            "{\"Message\":\"bad request Signature=" + r.Headers["Authorization"].Split("Signature=")[1] + " SecretAccessKey=" + SecretAccessKey + "\"}",
            HttpStatusCode.BadRequest, "InvalidArgumentException"));
        using var client = new KinesisVideoClient(Options(handler));

        var ex = SignalingAssert.ThrowsAsync(
            SignalingError.InvalidArgument, "InvalidArgumentException", () => client.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest { ChannelName = "demo" }));

        var signature = handler.RequestList[0].Headers["Authorization"].Split("Signature=")[1];
        Assert.That(ex!.Message, Does.Not.Contain(SecretAccessKey));
        Assert.That(ex.Message, Does.Not.Contain(signature));
        Assert.That(ex.ToString(), Does.Not.Contain(SecretAccessKey));
        await Task.CompletedTask;
    }

    [Test]
    public async Task DescribeSignalingChannelAsync_Retry_FetchesCredentialsBeforeEachSignature()
    {
        var calls = 0;
        var handler = new FakeHttpMessageHandler(_ => ++calls == 1
            ? FakeHttpMessageHandler.Json("{}", HttpStatusCode.InternalServerError)
            : FakeHttpMessageHandler.Json(DescribeJson()));
        var credentials = new CountingCredentialsProvider();
        using var client = new KinesisVideoClient(new KinesisVideoClientOptions(Options(handler)) { Credentials = credentials });

        await client.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest { ChannelName = "demo" });

        Assert.That(credentials.Calls, Is.EqualTo(2));
        Assert.That(handler.RequestList[1].Headers["Authorization"], Does.Contain("Credential=KEY2/"));
    }

    [Test]
    public async Task CreateSignalingClient_HttpsEndpoint_SharesSignerAndSendsThere()
    {
        var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json("{\"IceServerList\":[]}"));
        using var client = new KinesisVideoClient(Options(handler, new ManualTimeProvider()));
        client.Invoker.Signer.ClockOffset = TimeSpan.FromMinutes(3);
        using var signaling = client.CreateSignalingClient(new Uri("https://r-1.kinesisvideo.us-west-2.amazonaws.com"));

        await signaling.GetIceServerConfigAsync(new GetIceServerConfigRequest { ChannelARN = ChannelArn });

        var request = handler.RequestList.Single();
        Assert.That(request.Uri.AbsoluteUri, Is.EqualTo("https://r-1.kinesisvideo.us-west-2.amazonaws.com/v1/get-ice-server-config"));
        Assert.That(request.Headers["X-Amz-Date"], Is.EqualTo("20240101T000300Z"));
    }

    [Test]
    public void Options_ToString_DoesNotShowTheSecretKey()
    {
        using var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json("{}"));

        Assert.That(Options(handler).ToString(), Does.Not.Contain(SecretAccessKey).And.Not.Contain(SessionToken));
    }

    private static string Page(string first, string? second, string nextToken)
    {
        var items = second is null ? $"{{\"ChannelName\":\"{first}\"}}" : $"{{\"ChannelName\":\"{first}\"}},{{\"ChannelName\":\"{second}\"}}";
        return $"{{\"ChannelInfoList\":[{items}],\"NextToken\":\"{nextToken}\"}}";
    }

    private static bool JsonNodeEquals(string actual, string expected) =>
        System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(actual), System.Text.Json.Nodes.JsonNode.Parse(expected));

    private sealed class CountingCredentialsProvider : Kvs.WebRtc.Signaling.Auth.IAwsCredentialsProvider
    {
        private int _calls;

        public int Calls => _calls;

        public ValueTask<Kvs.WebRtc.Signaling.Auth.AwsCredentialsSnapshot> GetCredentialsAsync(CancellationToken cancellationToken = default)
        {
            var call = Interlocked.Increment(ref _calls);
            return ValueTask.FromResult(new Kvs.WebRtc.Signaling.Auth.AwsCredentialsSnapshot("KEY" + call, SecretAccessKey));
        }
    }
}
