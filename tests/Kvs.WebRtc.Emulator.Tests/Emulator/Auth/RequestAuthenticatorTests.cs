using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Kvs.WebRtc.Signaling.Auth;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace Kvs.WebRtc.Emulator.Tests.Emulator.Auth;

/// <summary>SigV4 verification of header-signed REST calls and presigned WebSocket upgrades (spec 2.5, 7.4).</summary>
[TestFixture]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "Created in [SetUp] and disposed in [TearDown].")]
public sealed class RequestAuthenticatorTests
{
    private const string DescribePath = "/listSignalingChannels";
    private KvsEmulator _emulator = null!;
    private HttpClient _http = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _emulator = await KvsEmulator.StartAsync();
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        _http.Dispose();
        await _emulator.DisposeAsync();
    }

    [Test]
    public async Task RestRequest_ValidSignature_Returns200()
    {
        using var response = await PostAsync(_emulator.Credentials);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task RestRequest_WrongSecret_Returns403WithLowerCaseMessage()
    {
        using var response = await PostAsync(new AwsCredentialsSnapshot(_emulator.Credentials.AccessKeyId, "not-the-secret"));
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(json.RootElement.GetProperty("message").GetString(), Is.Not.Empty);
            Assert.That(body, Does.Not.Contain(_emulator.Credentials.SecretAccessKey));
        });
    }

    [Test]
    public async Task RestRequest_UnknownAccessKey_Returns403()
    {
        using var response = await PostAsync(new AwsCredentialsSnapshot("AKIDUNKNOWNKEY000000", "secret"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task RestRequest_Unsigned_Returns403()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_emulator.ServiceUrl, DescribePath)) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        using var response = await _http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task RestRequest_SignedTenMinutesAgo_Returns403WithSignatureExpiredText()
    {
        using var response = await PostAsync(_emulator.Credentials, DateTimeOffset.UtcNow.AddMinutes(-10));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(body, Does.Match(@"Signature expired: [0-9]{8}T[0-9]{6}Z is now earlier than [0-9]{8}T[0-9]{6}Z \([0-9]{8}T[0-9]{6}Z - 5 min\.\)"));
        });
    }

    [Test]
    public async Task RestRequest_SignedTenMinutesAhead_Returns403WithSignatureNotYetCurrentText()
    {
        using var response = await PostAsync(_emulator.Credentials, DateTimeOffset.UtcNow.AddMinutes(10));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(body, Does.Contain("Signature not yet current"));
        });
    }

    [Test]
    public async Task RestRequest_ConfiguredExtraCredentials_Accepted()
    {
        var extra = new AwsCredentialsSnapshot("AKIDEXTRA00000000000", "extra-secret");
        var options = new KvsEmulatorOptions();
        options.Credentials.Add(extra);
        await using var emulator = await KvsEmulator.StartAsync(options);

        using var response = await PostAsync(extra, serviceUrl: emulator.ServiceUrl, region: emulator.Region);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task RestRequest_VerificationDisabled_UnsignedRequestAccepted()
    {
        await using var emulator = await KvsEmulator.StartAsync(new KvsEmulatorOptions { VerifySignatures = false });
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(emulator.ServiceUrl, DescribePath)) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };

        using var response = await _http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task WebSocketUpgrade_ValidPresignedUrl_Connects()
    {
        var arn = _emulator.CreateSignalingChannel("upgrade-ok");
        using var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        await socket.ConnectAsync(Presign(arn, _emulator.Credentials), timeout.Token);

        Assert.That(socket.State, Is.EqualTo(WebSocketState.Open));
    }

    [Test]
    public async Task WebSocketUpgrade_WrongSecret_Returns403()
    {
        var arn = _emulator.CreateSignalingChannel("upgrade-bad");

        var status = await GetUpgradeStatusAsync(Presign(arn, new AwsCredentialsSnapshot(_emulator.Credentials.AccessKeyId, "wrong")));

        Assert.That(status, Is.EqualTo(403));
    }

    [Test]
    public async Task WebSocketUpgrade_ExpiredUrl_Returns403()
    {
        var arn = _emulator.CreateSignalingChannel("upgrade-expired");

        var status = await GetUpgradeStatusAsync(Presign(arn, _emulator.Credentials, DateTimeOffset.UtcNow.AddMinutes(-20)));

        Assert.That(status, Is.EqualTo(403));
    }

    [Test]
    public async Task WebSocketUpgrade_SameUrlTwice_SecondRefusedAs403Replay()
    {
        var arn = _emulator.CreateSignalingChannel("upgrade-replay");
        var url = Presign(arn, _emulator.Credentials);
        using var first = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await first.ConnectAsync(url, timeout.Token);

        var status = await GetUpgradeStatusAsync(url);

        Assert.That(status, Is.EqualTo(403));
    }

    [Test]
    public async Task WebSocketUpgrade_VerificationDisabled_UnsignedUrlConnects()
    {
        await using var emulator = await KvsEmulator.StartAsync(new KvsEmulatorOptions { VerifySignatures = false });
        var arn = emulator.CreateSignalingChannel("unsigned");
        var url = new Uri(emulator.GetSignalingEndpoint(arn, KvsEmulatorRole.Master).AbsoluteUri + "?X-Amz-ChannelARN=" + Uri.EscapeDataString(arn));
        using var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        await socket.ConnectAsync(url, timeout.Token);

        Assert.That(socket.State, Is.EqualTo(WebSocketState.Open));
    }

    [Test]
    public async Task Logs_SignedAndFailedRequestsAndUpgrades_NeverContainSecretsOrSignatures()
    {
        var provider = new RecordingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Trace).AddProvider(provider));
        var session = new AwsCredentialsSnapshot("AKIDSESSION000000000", "session-secret-value", "session-token-value");
        var options = new KvsEmulatorOptions { LoggerFactory = loggerFactory };
        options.Credentials.Add(session);
        string upgradeUrl;
        await using (var emulator = await KvsEmulator.StartAsync(options))
        {
            var arn = emulator.CreateSignalingChannel("logged");
            using (await PostAsync(session, serviceUrl: emulator.ServiceUrl, region: emulator.Region))
            using (await PostAsync(new AwsCredentialsSnapshot(session.AccessKeyId, "wrong-secret-value", session.SessionToken), serviceUrl: emulator.ServiceUrl, region: emulator.Region))
            {
            }

            var endpoint = emulator.GetSignalingEndpoint(arn, KvsEmulatorRole.Master).AbsoluteUri;
            upgradeUrl = new SigV4Signer().PresignUrl(endpoint, [new KeyValuePair<string, string>("X-Amz-ChannelARN", arn)], session, emulator.Region);
            using var socket = new ClientWebSocket();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await socket.ConnectAsync(new Uri(upgradeUrl), timeout.Token);
            Assert.That(await GetUpgradeStatusAsync(new Uri(upgradeUrl)), Is.EqualTo(403));
        }

        var signature = upgradeUrl[(upgradeUrl.IndexOf("X-Amz-Signature=", StringComparison.Ordinal) + "X-Amz-Signature=".Length)..].Split('&')[0];
        var logs = provider.AllText;
        Assert.Multiple(() =>
        {
            Assert.That(logs, Does.Contain("X-Amz-ChannelARN"), "the upgrade request line is logged at debug");
            Assert.That(logs, Does.Not.Contain("session-secret-value"));
            Assert.That(logs, Does.Not.Contain("wrong-secret-value"));
            Assert.That(logs, Does.Not.Contain("session-token-value"));
            Assert.That(logs, Does.Not.Contain(signature));
        });
    }

    [TestCase(false, HttpStatusCode.Forbidden)]
    [TestCase(true, HttpStatusCode.OK)]
    public async Task RestRequest_SignedForHostWithoutPort_AcceptedOnlyWithAllowHostWithoutPort(bool allowHostWithoutPort, HttpStatusCode expected)
    {
        await using var emulator = await KvsEmulator.StartAsync(new KvsEmulatorOptions { AllowHostWithoutPort = allowHostWithoutPort });
        var bytes = "{}"u8.ToArray();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("http://127.0.0.1" + DescribePath));
        request.Content = new ByteArrayContent(bytes);
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        new SigV4Signer().SignRequest(request, bytes, emulator.Credentials, emulator.Region);
        request.RequestUri = new Uri(emulator.ServiceUrl, DescribePath);

        using var response = await _http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(expected));
    }

    [TestCase(false, 403)]
    [TestCase(true, 101)]
    public async Task WebSocketUpgrade_PresignedForHostWithoutPort_AcceptedOnlyWithAllowHostWithoutPort(bool allowHostWithoutPort, int expected)
    {
        await using var emulator = await KvsEmulator.StartAsync(new KvsEmulatorOptions { AllowHostWithoutPort = allowHostWithoutPort });
        var arn = emulator.CreateSignalingChannel("portless");
        var endpoint = emulator.GetSignalingEndpoint(arn, KvsEmulatorRole.Master);
        var portless = new UriBuilder(endpoint) { Port = -1 }.Uri.AbsoluteUri;
        var signed = new SigV4Signer().PresignUrl(portless, [new KeyValuePair<string, string>("X-Amz-ChannelARN", arn)], emulator.Credentials, emulator.Region);
        var withPort = endpoint.GetLeftPart(UriPartial.Path) + signed[signed.IndexOf('?', StringComparison.Ordinal)..];

        var status = await GetUpgradeStatusAsync(new Uri(withPort));

        Assert.That(status, Is.EqualTo(expected));
    }

    private Uri Presign(string arn, AwsCredentialsSnapshot credentials, DateTimeOffset? signingTime = null)
    {
        var query = new[] { new KeyValuePair<string, string>("X-Amz-ChannelARN", arn) };
        var endpoint = _emulator.GetSignalingEndpoint(arn, KvsEmulatorRole.Master).AbsoluteUri;
        return new Uri(new SigV4Signer().PresignUrl(endpoint, query, credentials, _emulator.Region, signingTime: signingTime));
    }

    private static async Task<int> GetUpgradeStatusAsync(Uri url)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await socket.ConnectAsync(url, timeout.Token);
            return 101;
        }
        catch (WebSocketException)
        {
            return (int)socket.HttpStatusCode;
        }
    }

    private async Task<HttpResponseMessage> PostAsync(AwsCredentialsSnapshot credentials, DateTimeOffset? signingTime = null, Uri? serviceUrl = null, string? region = null)
    {
        var bytes = "{}"u8.ToArray();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(serviceUrl ?? _emulator.ServiceUrl, DescribePath));
        request.Content = new ByteArrayContent(bytes);
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        new SigV4Signer().SignRequest(request, bytes, credentials, region ?? _emulator.Region, signingTime: signingTime);
        return await _http.SendAsync(request);
    }
}
