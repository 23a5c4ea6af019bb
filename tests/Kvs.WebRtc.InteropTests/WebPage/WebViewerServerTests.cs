using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Kvs.WebRtc.Emulator.Tool;
using Kvs.WebRtc.Emulator.Tool.Web;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.WebPage;

/// <summary>
/// The JSON API and files of the <c>kvs-emulator --web</c> page server against an in-process emulator: names are
/// validated with a reason, only the channel's own endpoint is signed, every presigned URL is unique and accepted by the
/// emulator, and requests from other hosts or sites are refused.
/// </summary>
[TestFixture]
[Category("Interop")]
[CancelAfter(60_000)]
public sealed class WebViewerServerTests
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(20) };
    private WebPageHost _host = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _host = await WebPageHost.StartAsync(withJsSdk: false, CancellationToken.None);
    }

    [TearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    [TestCase("connect?channel=bad%20name&role=viewer&clientId=v1", "channel")]
    [TestCase("connect?channel=&role=viewer&clientId=v1", "channel")]
    [TestCase("connect?role=viewer&clientId=v1", "channel")]
    [TestCase("connect?channel=demo&role=admin&clientId=v1", "role")]
    [TestCase("connect?channel=demo&role=viewer", "clientId")]
    [TestCase("connect?channel=demo&role=viewer&clientId=AWS_reserved", "clientId")]
    [TestCase("connect?channel=demo&channel=other&role=viewer&clientId=v1", "channel")]
    [TestCase("sign?endpoint=ws://127.0.0.1:1/v/x&channelArn=not-an-arn&role=viewer&clientId=v1", "channelArn")]
    [TestCase("sign?channelArn=arn:aws:kinesisvideo:us-west-2:123456789012:channel/demo/1&role=master", "endpoint")]
    public async Task Api_BadInput_Returns400WithTheReason(string request, string named, CancellationToken cancellationToken)
    {
        var (status, body) = await GetAsync("api/" + request, cancellationToken);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body.GetProperty("error").GetString(), Does.Contain(named));
    }

    [Test]
    public async Task Connect_NewChannel_CreatesItAndReturnsArnEndpointAndNoPublicIceServer(CancellationToken cancellationToken)
    {
        var (status, body) = await GetAsync("api/connect?channel=web-demo&role=master", cancellationToken);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("channelArn").GetString(), Does.StartWith("arn:aws:kinesisvideo:us-west-2:").And.Contain(":channel/web-demo/"));
            Assert.That(body.GetProperty("region").GetString(), Is.EqualTo(_host.Emulator.Region));
            Assert.That(body.GetProperty("wssEndpoint").GetString(), Does.StartWith(_host.Emulator.ServiceUrl.ToString().Replace("http://", "ws://", StringComparison.Ordinal)));
            Assert.That(body.GetProperty("iceServers").GetArrayLength(), Is.Zero, "against the emulator nothing may leave the machine (no KVS STUN)");
        });
    }

    [Test]
    public async Task Sign_TwiceForTheSameViewer_ReturnsTwoDifferentUrlsTheEmulatorAccepts(CancellationToken cancellationToken)
    {
        var (_, info) = await GetAsync("api/connect?channel=web-sign&role=viewer&clientId=viewer-1", cancellationToken);
        var arn = info.GetProperty("channelArn").GetString()!;
        var endpoint = info.GetProperty("wssEndpoint").GetString()!;
        var query = $"api/sign?endpoint={Uri.EscapeDataString(endpoint)}&channelArn={Uri.EscapeDataString(arn)}&role=viewer&clientId=viewer-1";

        var (status1, first) = await GetAsync(query, cancellationToken);
        var (status2, second) = await GetAsync(query, cancellationToken);
        Assert.That((status1, status2), Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.OK)));
        var url1 = first.GetProperty("url").GetString()!;
        var url2 = second.GetProperty("url").GetString()!;
        Assert.That(url1, Is.Not.EqualTo(url2), "a replayed URL would be refused");
        Assert.That(url1, Does.StartWith(endpoint + "?").And.Contain("X-Amz-ClientId=viewer-1").And.Contain("X-Amz-Signature="));

        foreach (var url in new[] { url1, url2 })
        {
            using var socket = new ClientWebSocket();
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(TimeSpan.FromSeconds(10));
            await socket.ConnectAsync(new Uri(url), limit.Token);
            Assert.That(socket.State, Is.EqualTo(WebSocketState.Open));
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, limit.Token);
        }
    }

    [Test]
    public async Task Sign_EndpointOfAnotherHost_Returns400(CancellationToken cancellationToken)
    {
        var (_, info) = await GetAsync("api/connect?channel=web-other&role=master", cancellationToken);
        var arn = info.GetProperty("channelArn").GetString()!;
        var (status, body) = await GetAsync($"api/sign?endpoint={Uri.EscapeDataString("wss://attacker.example/v/1")}&channelArn={Uri.EscapeDataString(arn)}&role=master", cancellationToken);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body.GetProperty("error").GetString(), Does.Contain("endpoint"));
    }

    [Test]
    public async Task Sign_UnknownChannel_Returns404(CancellationToken cancellationToken)
    {
        const string arn = "arn:aws:kinesisvideo:us-west-2:123456789012:channel/nothing/1234567890123";
        var (status, body) = await GetAsync($"api/sign?endpoint=ws://127.0.0.1:1/m/x&channelArn={Uri.EscapeDataString(arn)}&role=master", cancellationToken);
        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(body.GetProperty("error").GetString(), Does.Contain("does not exist"));
    }

    [Test]
    public async Task Request_ForeignHostHeaderOrCrossSite_Returns403(CancellationToken cancellationToken)
    {
        using var rebinding = new HttpRequestMessage(HttpMethod.Get, Url("api/config"));
        rebinding.Headers.Host = "attacker.example";
        using var rebound = await s_http.SendAsync(rebinding, cancellationToken);
        using var crossSite = new HttpRequestMessage(HttpMethod.Get, Url("api/config"));
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
        using var fromOtherSite = await s_http.SendAsync(crossSite, cancellationToken);
        using var post = await s_http.PostAsync(Url("api/config"), new StringContent("{}"), cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(rebound.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(fromOtherSite.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(post.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        });
    }

    [Test]
    public async Task Page_WithoutJsSdk_IsServedAndTheConfigSaysHowToGetTheSdk(CancellationToken cancellationToken)
    {
        using var page = await s_http.GetAsync(_host.PageUrl, cancellationToken);
        var html = await page.Content.ReadAsStringAsync(cancellationToken);
        using var script = await s_http.GetAsync(Url("kvs-page.js"), cancellationToken);
        using var sdk = await s_http.GetAsync(Url(JsSdkBundle.FileName), cancellationToken);
        var (_, config) = await GetAsync("api/config", cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(html, Does.Contain("<script src=\"kvs-webrtc.min.js\"></script>").And.Contain("kvs-page.js"));
            Assert.That(page.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("default-src 'self'"));
            Assert.That(script.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(sdk.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(config.GetProperty("target").GetString(), Is.EqualTo("emulator"));
            Assert.That(config.GetProperty("jsSdk").GetBoolean(), Is.False);
            Assert.That(config.GetProperty("jsSdkHint").GetString(), Does.Contain("npm install amazon-kinesis-video-streams-webrtc").And.Contain("--js-sdk"));
        });
    }

    [Test]
    public void JsSdkBundle_Find_ExplicitDirectoryOrNodeModulesBelowTheRoot()
    {
        var root = Path.Combine(Path.GetTempPath(), "kvs-web-" + Guid.NewGuid().ToString("N"));
        try
        {
            var dist = Path.Combine(root, "app", "node_modules", "amazon-kinesis-video-streams-webrtc", "dist");
            Directory.CreateDirectory(dist);
            Assert.That(JsSdkBundle.Find(null, root), Is.Null);
            File.WriteAllText(Path.Combine(dist, JsSdkBundle.FileName), "/* bundle */");
            Assert.Multiple(() =>
            {
                Assert.That(JsSdkBundle.Find(null, root), Is.EqualTo(Path.Combine(dist, JsSdkBundle.FileName)));
                Assert.That(JsSdkBundle.Find(dist, "/nonexistent"), Is.EqualTo(Path.Combine(dist, JsSdkBundle.FileName)));
                Assert.That(JsSdkBundle.Find(Path.Combine(root, "missing.js"), root), Is.Null);
            });
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public void ToolSettings_WebOptions_ParsedAndDocumented()
    {
        var settings = ToolSettings.Parse(["--web-port", "0", "--web-target", "aws", "--region", "eu-west-1", "--js-sdk", "x.js"]);
        Assert.Multiple(() =>
        {
            Assert.That((settings.Web, settings.WebPort, settings.WebTargetAws, settings.Region, settings.JsSdkPath), Is.EqualTo((true, 0, true, "eu-west-1", "x.js")));
            Assert.That(ToolSettings.Parse(["--web"]).WebPort, Is.EqualTo(4567));
            Assert.That(ToolSettings.Parse(["--web"]).WebTargetAws, Is.False);
            Assert.That(() => ToolSettings.Parse(["--web-target", "azure"]), Throws.ArgumentException.With.Message.Contains("emulator or aws"));
            Assert.That(() => ToolSettings.Parse(["--port", "4567", "--web"]), Throws.ArgumentException.With.Message.Contains("--web-port"));
            Assert.That(ToolSettings.Usage, Does.Contain("--web ").And.Contain("--web-port").And.Contain("--web-target").And.Contain("--js-sdk"));
        });
    }

    private Uri Url(string relative) => new(_host.PageUrl, relative);

    private async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await s_http.GetAsync(Url(path), cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        using var document = JsonDocument.Parse(text);
        return (response.StatusCode, document.RootElement.Clone());
    }
}
