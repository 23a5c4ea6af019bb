using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Kvs.WebRtc.Signaling.Auth;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.Emulator.Tests.Emulator.Auth;

/// <summary>
/// The emulator refuses temporary credentials past their expiration, on its own clock, as the service does
/// (HTTP 403 <c>ExpiredTokenException</c>), and accepts credentials registered while it runs.
/// </summary>
[TestFixture]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "Created in [SetUp] and disposed in [TearDown].")]
public sealed class CredentialExpiryTests
{
    private const string DescribePath = "/listSignalingChannels";
    private const string ExpiredText = "The security token included in the request is expired";
    private ManualTimeProvider _clock = null!;
    private KvsEmulator _emulator = null!;
    private HttpClient _http = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _clock = new ManualTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        _emulator = await KvsEmulator.StartAsync(new KvsEmulatorOptions { TimeProvider = _clock });
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        _http.Dispose();
        await _emulator.DisposeAsync();
    }

    [Test]
    public async Task RestRequest_TemporaryCredentialsPastExpiration_Refused403ExpiredToken()
    {
        var temporary = Temporary("ASIATEMPORARY0000001", _clock.GetUtcNow().AddMinutes(15));
        _emulator.AddCredentials(temporary);

        using (var before = await PostAsync(temporary))
        {
            Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK), "accepted while valid");
        }

        _clock.Advance(TimeSpan.FromMinutes(15));
        using var after = await PostAsync(temporary);
        var body = await after.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);

        Assert.Multiple(() =>
        {
            Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(after.Headers.TryGetValues("x-amzn-ErrorType", out var types) ? string.Join(",", types) : null, Does.StartWith("ExpiredTokenException"));
            Assert.That(json.RootElement.GetProperty("message").GetString(), Is.EqualTo(ExpiredText));
            Assert.That(body, Does.Not.Contain(temporary.SecretAccessKey).And.Not.Contain(temporary.SessionToken!));
        });
    }

    [Test]
    public async Task RestRequest_ExpiredCredentialsWithWrongSecret_ReportedAsSignatureMismatchNotExpiry()
    {
        var temporary = Temporary("ASIATEMPORARY0000002", _clock.GetUtcNow().AddMinutes(1));
        _emulator.AddCredentials(temporary);
        _clock.Advance(TimeSpan.FromMinutes(2));

        using var response = await PostAsync(new AwsCredentialsSnapshot(temporary.AccessKeyId, "not-the-secret", temporary.SessionToken));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(body, Does.Not.Contain(ExpiredText), "only the holder of the secret learns that the key expired");
        });
    }

    [Test]
    public async Task WebSocketUpgrade_SessionTokenPastExpiration_Refused403()
    {
        var arn = _emulator.CreateSignalingChannel("expiry-upgrade");
        var temporary = Temporary("ASIATEMPORARY0000003", _clock.GetUtcNow().AddHours(1));
        _emulator.AddCredentials(temporary);

        Assert.That(await GetUpgradeStatusAsync(Presign(arn, temporary)), Is.EqualTo(101), "a fresh URL with valid credentials connects");

        _clock.Advance(TimeSpan.FromHours(1));
        // Signed now (not a stale URL): only the credentials' expiry can refuse it.
        Assert.That(await GetUpgradeStatusAsync(Presign(arn, temporary)), Is.EqualTo(403));
    }

    [Test]
    public async Task ConfiguredCredentials_ExpirationHonoured()
    {
        var temporary = Temporary("ASIATEMPORARY0000004", _clock.GetUtcNow().AddMinutes(5));
        var options = new KvsEmulatorOptions { TimeProvider = _clock };
        options.Credentials.Add(temporary);
        await using var emulator = await KvsEmulator.StartAsync(options);

        using (var before = await PostAsync(temporary, emulator))
        {
            Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        _clock.Advance(TimeSpan.FromMinutes(6));
        using var after = await PostAsync(temporary, emulator);

        Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task AddCredentials_UnknownKeyAcceptedOnceAdded_RemovedKeyRefused()
    {
        var rotated = Temporary("ASIATEMPORARY0000005", null);
        using (var unknown = await PostAsync(rotated))
        {
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "not accepted before it is added");
        }

        _emulator.AddCredentials(rotated);
        using (var added = await PostAsync(rotated))
        {
            Assert.That(added.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        Assert.That(_emulator.RemoveCredentials(rotated.AccessKeyId), Is.True);
        Assert.That(_emulator.RemoveCredentials(rotated.AccessKeyId), Is.False, "already removed");
        using var removed = await PostAsync(rotated);
        Assert.That(removed.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task AddCredentials_SameKeyAgain_RenewsExpiration()
    {
        var first = Temporary("ASIATEMPORARY0000006", _clock.GetUtcNow().AddMinutes(10));
        _emulator.AddCredentials(first);
        _emulator.AddCredentials(new AwsCredentialsSnapshot(first.AccessKeyId, first.SecretAccessKey, first.SessionToken, _clock.GetUtcNow().AddMinutes(30)));

        _clock.Advance(TimeSpan.FromMinutes(20));
        using var response = await PostAsync(first);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the renewed expiration applies");
    }

    [Test]
    public void AddCredentials_SameKeyOtherSecret_Throws()
    {
        var first = Temporary("ASIATEMPORARY0000007", null);
        _emulator.AddCredentials(first);

        Assert.Throws<ArgumentException>(() => _emulator.AddCredentials(new AwsCredentialsSnapshot(first.AccessKeyId, "another-secret", first.SessionToken)));
    }

    private static AwsCredentialsSnapshot Temporary(string accessKeyId, DateTimeOffset? expiration) =>
        new(accessKeyId, "secret-of-" + accessKeyId, "token-of-" + accessKeyId, expiration);

    private Uri Presign(string arn, AwsCredentialsSnapshot credentials)
    {
        var query = new[] { new KeyValuePair<string, string>("X-Amz-ChannelARN", arn) };
        var endpoint = _emulator.GetSignalingEndpoint(arn, KvsEmulatorRole.Master).AbsoluteUri;
        return new Uri(new SigV4Signer().PresignUrl(endpoint, query, credentials, _emulator.Region, signingTime: _clock.GetUtcNow()));
    }

    private static async Task<int> GetUpgradeStatusAsync(Uri url)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
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

    private async Task<HttpResponseMessage> PostAsync(AwsCredentialsSnapshot credentials, KvsEmulator? emulator = null)
    {
        emulator ??= _emulator;
        var bytes = "{}"u8.ToArray();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(emulator.ServiceUrl, DescribePath));
        request.Content = new ByteArrayContent(bytes);
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        new SigV4Signer().SignRequest(request, bytes, credentials, emulator.Region, signingTime: _clock.GetUtcNow());
        return await _http.SendAsync(request);
    }
}
