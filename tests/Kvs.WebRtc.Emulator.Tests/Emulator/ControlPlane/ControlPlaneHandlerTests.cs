using Kvs.WebRtc.Testing;
using System.Net;
using System.Text;
using System.Text.Json;
using Kvs.WebRtc.Signaling;
using Kvs.WebRtc.Signaling.Auth;
using Kvs.WebRtc.Signaling.ControlPlane;
using Kvs.WebRtc.Signaling.ControlPlane.Model;
using NUnit.Framework;

namespace Kvs.WebRtc.Emulator.Tests.Emulator.ControlPlane;

/// <summary>
/// The emulator's control plane (spec 3) driven by the SDK's <see cref="KinesisVideoClient"/> and, for inputs the
/// client refuses to send, by raw header-signed requests.
/// </summary>
[TestFixture]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "Created in [SetUp] and disposed in [TearDown].")]
public sealed class ControlPlaneHandlerTests
{
    private KvsEmulator _emulator = null!;
    private KinesisVideoClient _client = null!;
    private HttpClient _http = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _emulator = await KvsEmulator.StartAsync();
        _client = new KinesisVideoClient(new KinesisVideoClientOptions
        {
            Region = _emulator.Region,
            Credentials = new StaticCredentialsProvider(_emulator.Credentials),
            ServiceUrl = _emulator.ServiceUrl,
            MaxErrorRetries = 0,
        });
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        _client.Dispose();
        _http.Dispose();
        await _emulator.DisposeAsync();
    }

    [Test]
    public async Task CreateSignalingChannel_NewName_ReturnsArnWithRegionAccountNameAnd13DigitCode()
    {
        var response = await _client.CreateSignalingChannelAsync(new CreateSignalingChannelRequest { ChannelName = "demo-channel" });

        Assert.That(response.ChannelARN, Does.Match(@"^arn:aws:kinesisvideo:us-west-2:[0-9]{12}:channel/demo-channel/[0-9]{13}$"));
    }

    [Test]
    public async Task DescribeSignalingChannel_ByNameAndByArn_ReturnsActiveChannelInfo()
    {
        var arn = await CreateAsync("describe-me", ttl: 30);

        var byName = (await _client.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest { ChannelName = "describe-me" })).ChannelInfo!;
        var byArn = (await _client.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest { ChannelARN = arn })).ChannelInfo!;

        Assert.Multiple(() =>
        {
            Assert.That(byName.ChannelARN, Is.EqualTo(arn));
            Assert.That(byName.ChannelName, Is.EqualTo("describe-me"));
            Assert.That(byName.ChannelStatus, Is.EqualTo(ChannelStatus.Active));
            Assert.That(byName.ChannelType, Is.EqualTo(ChannelType.SingleMaster));
            Assert.That(byName.SingleMasterConfiguration?.MessageTtlSeconds, Is.EqualTo(30));
            Assert.That(byName.Version, Does.Match("^[a-zA-Z0-9]{20}$"));
            Assert.That(byName.CreationTime?.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(arn[^13..]));
            Assert.That(byArn.ChannelARN, Is.EqualTo(arn));
        });
    }

    [Test]
    public async Task DescribeSignalingChannel_RawResponse_HasEpochSecondsNumberDateAndRequestId()
    {
        await CreateAsync("raw-describe");

        using var response = await PostSignedAsync("/describeSignalingChannel", "{\"ChannelName\": \"raw-describe\"}");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(json.RootElement.GetProperty("ChannelInfo").GetProperty("CreationTime").ValueKind, Is.EqualTo(JsonValueKind.Number));
            Assert.That(response.Headers.Date, Is.Not.Null);
            Assert.That(response.Headers.TryGetValues("x-amzn-RequestId", out _), Is.True);
        });
    }

    [Test]
    public async Task CreateSignalingChannel_DuplicateName_ThrowsResourceInUse400()
    {
        await CreateAsync("twice");

        var ex = SignalingAssert.ThrowsAsync(SignalingError.ResourceInUse, "ResourceInUseException", () => _client.CreateSignalingChannelAsync(new CreateSignalingChannelRequest { ChannelName = "twice" }));

        Assert.That(ex!.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public void DescribeSignalingChannel_UnknownName_ThrowsResourceNotFound404()
    {
        var ex = SignalingAssert.ThrowsAsync(SignalingError.ResourceNotFound, "ResourceNotFoundException", () => _client.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest { ChannelName = "missing" }));

        Assert.That(ex!.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task DescribeSignalingChannel_UnknownName_ErrorResponseHasLongErrorTypeAndMessageMember()
    {
        using var response = await PostSignedAsync("/describeSignalingChannel", "{\"ChannelName\":\"missing\"}");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(response.Headers.GetValues("x-amzn-ErrorType").Single(), Does.StartWith("ResourceNotFoundException"));
            Assert.That(json.RootElement.GetProperty("Message").GetString(), Is.Not.Empty);
            Assert.That(response.Headers.Date, Is.Not.Null);
            Assert.That(response.Headers.TryGetValues("x-amzn-RequestId", out _), Is.True);
        });
    }

    [TestCase("/describeSignalingChannel", "{}")]
    [TestCase("/describeSignalingChannel", "")]
    [TestCase("/createSignalingChannel", "{\"ChannelName\":\"bad name!\"}")]
    [TestCase("/createSignalingChannel", "{\"ChannelName\":\"ttl\",\"SingleMasterConfiguration\":{\"MessageTtlSeconds\":4}}")]
    [TestCase("/createSignalingChannel", "{\"ChannelName\":\"ttl\",\"SingleMasterConfiguration\":{\"MessageTtlSeconds\":121}}")]
    [TestCase("/createSignalingChannel", "{\"ChannelName\":\"mesh\",\"ChannelType\":\"FULL_MESH\"}")]
    [TestCase("/createSignalingChannel", "not json")]
    [TestCase("/getSignalingChannelEndpoint", "{\"ChannelARN\":\"not-an-arn\"}")]
    [TestCase("/listSignalingChannels", "{\"MaxResults\":0}")]
    [TestCase("/listSignalingChannels", "{\"NextToken\":\"!!!\"}")]
    public async Task Operation_InvalidInput_Returns400InvalidArgument(string path, string body)
    {
        using var response = await PostSignedAsync(path, body);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(response.Headers.GetValues("x-amzn-ErrorType").Single(), Does.StartWith("InvalidArgumentException"));
        });
    }

    [Test]
    public async Task ListSignalingChannels_EmptyBodyAndEmptyObject_BothAccepted()
    {
        await CreateAsync("one");

        using var empty = await PostSignedAsync("/listSignalingChannels", string.Empty);
        using var braces = await PostSignedAsync("/listSignalingChannels", "{}");

        Assert.Multiple(() =>
        {
            Assert.That(empty.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(braces.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task CreateSignalingChannel_LowerCaseMembersAndUnknownMembers_Accepted()
    {
        using var response = await PostSignedAsync("/createSignalingChannel", "{\"channelname\":\"lower\",\"Unknown\":{\"x\":1}}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await _client.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest { ChannelName = "lower" })).ChannelInfo!.ChannelName, Is.EqualTo("lower"));
    }

    [Test]
    public async Task ListSignalingChannels_MorePagesThanMaxResults_FollowsNextTokenToEveryChannelOnce()
    {
        for (var i = 0; i < 5; i++)
        {
            await CreateAsync($"page-{i}");
        }

        await CreateAsync("other");
        var names = new List<string>();
        var tokens = new List<string>();
        string? token = null;
        do
        {
            var page = await _client.ListSignalingChannelsAsync(new ListSignalingChannelsRequest
            {
                MaxResults = 2,
                NextToken = token,
                ChannelNameCondition = new ChannelNameCondition { ComparisonOperator = ComparisonOperator.BeginsWith, ComparisonValue = "page-" },
            });
            Assert.That(page.ChannelInfoList!, Has.Count.LessThanOrEqualTo(2));
            names.AddRange(page.ChannelInfoList!.Select(c => c.ChannelName!));
            token = page.NextToken;
            if (token is not null)
            {
                Assert.That(token, Does.Match("^[a-zA-Z0-9+/=]*$"));
                tokens.Add(token);
            }
        }
        while (!string.IsNullOrEmpty(token));

        Assert.Multiple(() =>
        {
            Assert.That(names, Is.EquivalentTo(new[] { "page-0", "page-1", "page-2", "page-3", "page-4" }));
            Assert.That(tokens, Is.Unique);
        });
    }

    [TestCase("MASTER", "/m/")]
    [TestCase("VIEWER", "/v/")]
    public async Task GetSignalingChannelEndpoint_Role_ReturnsOwnWssPathForRoleAndHttpsServiceUrl(string role, string pathPrefix)
    {
        var arn = await CreateAsync("endpoints");

        var response = await _client.GetSignalingChannelEndpointAsync(new GetSignalingChannelEndpointRequest
        {
            ChannelARN = arn,
            SingleMasterChannelEndpointConfiguration = new SingleMasterChannelEndpointConfiguration
            {
                Protocols = [ChannelProtocol.Wss, ChannelProtocol.Https],
                Role = new ChannelRole(role),
            },
        });
        var wss = response.ResourceEndpointList!.Single(e => e.Protocol == ChannelProtocol.Wss).ResourceEndpoint!;
        var https = response.ResourceEndpointList!.Single(e => e.Protocol == ChannelProtocol.Https).ResourceEndpoint!;

        Assert.Multiple(() =>
        {
            Assert.That(wss, Does.StartWith($"ws://127.0.0.1:{_emulator.ServiceUrl.Port}{pathPrefix}"));
            Assert.That(https, Is.EqualTo($"http://127.0.0.1:{_emulator.ServiceUrl.Port}"));
        });
    }

    [Test]
    public void GetSignalingChannelEndpoint_UnknownArn_ThrowsResourceNotFound()
    {
        SignalingAssert.ThrowsAsync(SignalingError.ResourceNotFound, "ResourceNotFoundException", () => _client.GetSignalingChannelEndpointAsync(new GetSignalingChannelEndpointRequest
        {
            ChannelARN = "arn:aws:kinesisvideo:us-west-2:123456789012:channel/none/1712136149494",
        }));
    }

    [Test]
    public async Task UpdateSignalingChannel_CurrentVersion_ChangesTtlAndVersion()
    {
        var arn = await CreateAsync("update-me");
        var before = (await _client.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest { ChannelARN = arn })).ChannelInfo!;

        await _client.UpdateSignalingChannelAsync(new UpdateSignalingChannelRequest
        {
            ChannelARN = arn,
            CurrentVersion = before.Version!,
            SingleMasterConfiguration = new SingleMasterConfiguration { MessageTtlSeconds = 90 },
        });
        var after = (await _client.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest { ChannelARN = arn })).ChannelInfo!;

        Assert.Multiple(() =>
        {
            Assert.That(after.SingleMasterConfiguration?.MessageTtlSeconds, Is.EqualTo(90));
            Assert.That(after.Version, Is.Not.EqualTo(before.Version));
            Assert.That(after.Version, Does.Match("^[a-zA-Z0-9]{20}$"));
        });
    }

    [Test]
    public async Task UpdateSignalingChannel_StaleVersion_ThrowsVersionMismatch()
    {
        var arn = await CreateAsync("stale");

        var ex = SignalingAssert.ThrowsAsync(SignalingError.VersionMismatch, "VersionMismatchException", () => _client.UpdateSignalingChannelAsync(new UpdateSignalingChannelRequest
        {
            ChannelARN = arn,
            CurrentVersion = "AAAAAAAAAAAAAAAAAAAA",
        }));

        Assert.That(ex!.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task DeleteSignalingChannel_ExistingChannel_DescribeThenReturns404()
    {
        var arn = await CreateAsync("delete-me");

        await _client.DeleteSignalingChannelAsync(new DeleteSignalingChannelRequest { ChannelARN = arn });

        SignalingAssert.ThrowsAsync(SignalingError.ResourceNotFound, "ResourceNotFoundException", () => _client.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest { ChannelARN = arn }));
    }

    [Test]
    public async Task DeleteSignalingChannel_StaleVersion_ThrowsVersionMismatchAndKeepsChannel()
    {
        var arn = await CreateAsync("keep-me");

        SignalingAssert.ThrowsAsync(SignalingError.VersionMismatch, "VersionMismatchException", () => _client.DeleteSignalingChannelAsync(new DeleteSignalingChannelRequest { ChannelARN = arn, CurrentVersion = "BBBBBBBBBBBBBBBBBBBB" }));

        Assert.That((await _client.DescribeSignalingChannelAsync(new DescribeSignalingChannelRequest { ChannelARN = arn })).ChannelInfo!.ChannelARN, Is.EqualTo(arn));
    }

    [Test]
    public void DeleteSignalingChannel_UnknownArn_ThrowsResourceNotFound()
    {
        SignalingAssert.ThrowsAsync(SignalingError.ResourceNotFound, "ResourceNotFoundException", () => _client.DeleteSignalingChannelAsync(new DeleteSignalingChannelRequest
        {
            ChannelARN = "arn:aws:kinesisvideo:us-west-2:123456789012:channel/none/1712136149494",
        }));
    }

    [Test]
    public async Task TagResource_ThenUntagResource_ListTagsForResourceReflectsBoth()
    {
        var arn = await CreateAsync("tagged");

        await _client.TagResourceAsync(new TagResourceRequest { ResourceARN = arn, Tags = [new Tag { Key = "env", Value = "test" }, new Tag { Key = "team", Value = "rtc" }] });
        var tagged = await _client.ListTagsForResourceAsync(new ListTagsForResourceRequest { ResourceARN = arn });
        await _client.UntagResourceAsync(new UntagResourceRequest { ResourceARN = arn, TagKeyList = ["env"] });
        var untagged = await _client.ListTagsForResourceAsync(new ListTagsForResourceRequest { ResourceARN = arn });

        Assert.Multiple(() =>
        {
            Assert.That(tagged.Tags, Is.EquivalentTo(new Dictionary<string, string> { ["env"] = "test", ["team"] = "rtc" }));
            Assert.That(untagged.Tags, Is.EquivalentTo(new Dictionary<string, string> { ["team"] = "rtc" }));
        });
    }

    [Test]
    public async Task TagResource_MoreThan50Tags_ThrowsTagsPerResourceExceededLimit()
    {
        var arn = await CreateAsync("many-tags");
        await _client.TagResourceAsync(new TagResourceRequest { ResourceARN = arn, Tags = Enumerable.Range(0, 50).Select(i => new Tag { Key = $"k{i}", Value = "v" }).ToList() });

        SignalingAssert.ThrowsAsync(SignalingError.TagsPerResourceExceededLimit, "TagsPerResourceExceededLimitException", () =>
            _client.TagResourceAsync(new TagResourceRequest { ResourceARN = arn, Tags = [new Tag { Key = "one-more", Value = "v" }] }));
    }

    [Test]
    public void ListTagsForResource_UnknownArn_ThrowsResourceNotFound()
    {
        SignalingAssert.ThrowsAsync(SignalingError.ResourceNotFound, "ResourceNotFoundException", () => _client.ListTagsForResourceAsync(new ListTagsForResourceRequest
        {
            ResourceARN = "arn:aws:kinesisvideo:us-west-2:123456789012:channel/none/1712136149494",
        }));
    }

    [Test]
    public async Task UnknownPath_SignedPost_ReturnsErrorNot200()
    {
        using var response = await PostSignedAsync("/noSuchOperation", "{}");

        Assert.That((int)response.StatusCode, Is.GreaterThanOrEqualTo(400));
    }

    private async Task<string> CreateAsync(string name, int? ttl = null)
    {
        var response = await _client.CreateSignalingChannelAsync(new CreateSignalingChannelRequest
        {
            ChannelName = name,
            SingleMasterConfiguration = ttl is null ? null : new SingleMasterConfiguration { MessageTtlSeconds = ttl },
        });
        return response.ChannelARN!;
    }

    private async Task<HttpResponseMessage> PostSignedAsync(string path, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_emulator.ServiceUrl, path));
        request.Content = new ByteArrayContent(bytes);
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        new SigV4Signer().SignRequest(request, bytes, _emulator.Credentials, _emulator.Region);
        return await _http.SendAsync(request);
    }
}
