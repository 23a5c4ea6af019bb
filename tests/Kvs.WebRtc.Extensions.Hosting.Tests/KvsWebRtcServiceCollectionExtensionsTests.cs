using Kvs.WebRtc.Hosting;
using Kvs.WebRtc.Signaling.Auth;
using Kvs.WebRtc.Signaling.ControlPlane;
using Kvs.WebRtc.Signaling.ControlPlane.Model;
using Kvs.WebRtc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace Kvs.WebRtc.Extensions.Hosting.Tests;

/// <summary>Registration, configuration binding, credentials choice and start-time validation of <c>AddKvsWebRtc</c>.</summary>
[TestFixture]
public sealed class KvsWebRtcServiceCollectionExtensionsTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string Token = "FwoGZXIvYXdzEXAMPLETOKEN";

    /// <summary>An in-memory configuration; a later value of a key replaces an earlier one.</summary>
    private static IConfiguration Config(params (string Key, string? Value)[] values)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in values)
        {
            data[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(data).Build();
    }

    private static IConfiguration Minimal(params (string Key, string? Value)[] more) =>
        Config([("Kvs:Channel", "front-door"), ("Kvs:Region", "us-west-2"), ("Kvs:AccessKeyId", "AKIDEXAMPLE"), ("Kvs:SecretAccessKey", Secret), .. more]);

    private static ServiceProvider Build(IConfiguration configuration, Action<IServiceCollection>? before = null)
    {
        var services = new ServiceCollection();
        before?.Invoke(services);
        services.AddLogging();
        services.AddKvsWebRtc(configuration.GetSection("Kvs"));
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    [Test]
    public void AddKvsWebRtc_MinimalConfiguration_ResolvesEveryService()
    {
        using var provider = Build(Minimal());

        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<TimeProvider>(), Is.SameAs(TimeProvider.System));
            Assert.That(provider.GetRequiredService<SigV4Signer>().TimeProvider, Is.SameAs(TimeProvider.System));
            Assert.That(provider.GetRequiredService<IAwsCredentialsProvider>(), Is.InstanceOf<StaticCredentialsProvider>());
            Assert.That(provider.GetRequiredService<IHttpClientFactory>().CreateClient(KvsWebRtcOptions.HttpClientName).Timeout, Is.EqualTo(Timeout.InfiniteTimeSpan));
            var controlPlane = provider.GetRequiredService<KinesisVideoClient>();
            Assert.That(controlPlane.Region, Is.EqualTo("us-west-2"));
            Assert.That(controlPlane.Endpoint.Host, Does.Contain("us-west-2"));
            var factory = provider.GetRequiredService<KvsChannelFactory>();
            Assert.That(factory.Signer, Is.SameAs(provider.GetRequiredService<SigV4Signer>()));
            Assert.That(factory.Credentials, Is.SameAs(provider.GetRequiredService<IAwsCredentialsProvider>()));
        });
    }

    [Test]
    public void AddKvsWebRtc_ServicesRegisteredBefore_AreKept()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var credentials = new StaticCredentialsProvider("AKIDTEST", "secret");
        using var provider = Build(Minimal(), services => services.AddSingleton<TimeProvider>(clock).AddSingleton<IAwsCredentialsProvider>(credentials));

        var options = provider.GetRequiredService<KvsChannelFactory>().CreateChannelOptions(ChannelRole.Master);
        Assert.Multiple(() =>
        {
            Assert.That(options.TimeProvider, Is.SameAs(clock));
            Assert.That(options.Signer!.TimeProvider, Is.SameAs(clock));
            Assert.That(options.Credentials, Is.SameAs(credentials));
            Assert.That(options.LoggerFactory, Is.SameAs(provider.GetRequiredService<ILoggerFactory>()));
        });
    }

    [Test]
    public void AddKvsWebRtc_EveryKey_IsBoundIntoChannelAndSessionOptions()
    {
        using var provider = Build(Minimal(
            ("Kvs:ServiceUrl", "http://127.0.0.1:4566"),
            ("Kvs:CreateIfMissing", "false"),
            ("Kvs:EndpointCacheFile", "/var/lib/camera/endpoints.json"),
            ("Kvs:Reconnect:BaseDelay", "00:00:00.250"),
            ("Kvs:Reconnect:MaxDelay", "00:00:30"),
            ("Kvs:Reconnect:JitterRatio", "0.25"),
            ("Kvs:Ice:UseKvsStun", "true"),
            ("Kvs:Ice:UseTurn", "false"),
            ("Kvs:Master:MaxViewers", "3"),
            ("Kvs:Master:ViewerConnectTimeout", "00:00:12")));
        var factory = provider.GetRequiredService<KvsChannelFactory>();

        var master = factory.CreateMasterSessionOptions();
        var viewer = factory.CreateViewerSessionOptions("viewer-1", channel: "other");
        Assert.Multiple(() =>
        {
            Assert.That(master.Channel.Channel, Is.EqualTo("front-door"));
            Assert.That(master.Channel.Region, Is.EqualTo("us-west-2"));
            Assert.That(master.Channel.ServiceUrl, Is.EqualTo(new Uri("http://127.0.0.1:4566")));
            Assert.That(master.Channel.CreateIfMissing, Is.False);
            Assert.That(master.Channel.EndpointCacheFile, Is.EqualTo("/var/lib/camera/endpoints.json"));
            Assert.That(master.Channel.UseKvsStun, Is.True);
            Assert.That(master.Channel.UseTurn, Is.False);
            Assert.That(master.Channel.HttpClient, Is.Not.Null);
            Assert.That(master.Channel.Reconnect!.BaseDelay, Is.EqualTo(TimeSpan.FromMilliseconds(250)));
            Assert.That(master.Channel.Reconnect.MaxDelay, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(master.Channel.Reconnect.JitterRatio, Is.EqualTo(0.25));
            Assert.That(master.Channel.Reconnect.MaxAttempts, Is.EqualTo(int.MaxValue), "a master never gives up by default");
            Assert.That(master.MaxViewers, Is.EqualTo(3));
            Assert.That(master.ViewerConnectTimeout, Is.EqualTo(TimeSpan.FromSeconds(12)));
            Assert.That(viewer.Channel.Channel, Is.EqualTo("other"));
            Assert.That(viewer.ClientId, Is.EqualTo("viewer-1"));
            Assert.That(viewer.Channel.Reconnect!.MaxAttempts, Is.EqualTo(10), "a viewer keeps the finite default");
        });
    }

    [Test]
    public void AddKvsWebRtc_MaxAttemptsConfigured_AppliesToBothRoles()
    {
        using var provider = Build(Minimal(("Kvs:Reconnect:MaxAttempts", "4"), ("Kvs:Reconnect:Enabled", "false")));
        var factory = provider.GetRequiredService<KvsChannelFactory>();

        Assert.Multiple(() =>
        {
            Assert.That(factory.CreateChannelOptions(ChannelRole.Master).Reconnect, Is.EqualTo(new Signaling.SignalingReconnectPolicy { MaxAttempts = 4, Enabled = false }));
            Assert.That(factory.CreateChannelOptions(ChannelRole.Viewer).Reconnect!.MaxAttempts, Is.EqualTo(4));
        });
    }

    [Test]
    public void AddKvsWebRtc_CodeConfiguration_OverridesBoundValues()
    {
        var services = new ServiceCollection();
        services.AddKvsWebRtc(Minimal().GetSection("Kvs"), o => o.Channel = "from-code");
        using var provider = services.BuildServiceProvider();

        Assert.That(provider.GetRequiredService<KvsChannelFactory>().Options.Channel, Is.EqualTo("from-code"));
    }

    [Test]
    public async Task AddKvsWebRtc_HostApplicationBuilder_BindsTheKvsSectionOfItsConfiguration()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddConfiguration(Minimal(("Kvs:Channel", "from-host")));
        builder.AddKvsWebRtc();
        using var host = builder.Build();
        await host.StartAsync();

        Assert.That(host.Services.GetRequiredService<KvsChannelFactory>().Options.Channel, Is.EqualTo("from-host"));
        await host.StopAsync();
    }

    [Test]
    public void Credentials_NoneConfigured_UseTheAwsDefaultChain()
    {
        using var provider = Build(Config(("Kvs:Channel", "c"), ("Kvs:Region", "us-west-2")));

        var credentials = provider.GetRequiredService<IAwsCredentialsProvider>();
        Assert.That(credentials.ToString(), Is.EqualTo("AwsSdkCredentialsProvider { Source = default chain }"));
    }

    [Test]
    public async Task Credentials_ExplicitKeys_AreUsedWithTheSessionToken()
    {
        using var provider = Build(Minimal(("Kvs:SessionToken", Token)));

        var snapshot = await provider.GetRequiredService<IAwsCredentialsProvider>().GetCredentialsAsync();
        Assert.That((snapshot.AccessKeyId, snapshot.SecretAccessKey, snapshot.SessionToken), Is.EqualTo(("AKIDEXAMPLE", Secret, Token)));
    }

    [Test]
    public async Task Credentials_Profile_IsReadFromTheSharedCredentialsFile()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("kvs-profile-").FullName, "credentials");
        await File.WriteAllTextAsync(file, $"[camera]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = {Secret}\n");
        try
        {
            var options = new KvsWebRtcOptions { Channel = "c", Region = "us-west-2", Profile = "camera" };

            var snapshot = await KvsCredentialsFactory.Create(options, "Kvs", file).GetCredentialsAsync();

            Assert.That((snapshot.AccessKeyId, snapshot.SecretAccessKey), Is.EqualTo(("AKIDPROFILE", Secret)));
            var missing = Assert.Throws<InvalidOperationException>(() => KvsCredentialsFactory.Create(options, "Kvs", file + ".none"));
            Assert.That(missing!.Message, Does.Contain("Kvs:Profile").And.Contain("'camera'"));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    [TestCase("Kvs:Region", null, "Kvs:Region is required")]
    [TestCase("Kvs:Region", "Oregon", "Kvs:Region 'Oregon' is not an AWS region name")]
    [TestCase("Kvs:Channel", null, "Kvs:Channel is required")]
    [TestCase("Kvs:Channel", "front door", "Kvs:Channel 'front door' is not a channel name")]
    [TestCase("Kvs:ServiceUrl", "localhost:4566", "Kvs:ServiceUrl 'localhost:4566' must be an absolute http or https URL")]
    [TestCase("Kvs:Profile", "camera", "Set either Kvs:Profile or Kvs:AccessKeyId/Kvs:SecretAccessKey, not both")]
    [TestCase("Kvs:SecretAccessKey", null, "Kvs:SecretAccessKey is required when Kvs:AccessKeyId is set")]
    [TestCase("Kvs:Reconnect:MaxDelay", "00:00:00.050", "Kvs:Reconnect:MaxDelay (00:00:00.0500000) must be at least Kvs:Reconnect:BaseDelay")]
    [TestCase("Kvs:Reconnect:JitterRatio", "1.5", "Kvs:Reconnect:JitterRatio must be between 0 and 1")]
    [TestCase("Kvs:Reconnect:MaxAttempts", "0", "Kvs:Reconnect:MaxAttempts must be at least 1")]
    [TestCase("Kvs:Master:MaxViewers", "0", "Kvs:Master:MaxViewers must be at least 1")]
    [TestCase("Kvs:Master:ViewerConnectTimeout", "00:00:00", "Kvs:Master:ViewerConnectTimeout must be positive")]
    [TestCase("Kvs:Master:RestartDelay", "-00:00:01", "Kvs:Master:RestartDelay must be positive")]
    public async Task HostStart_InvalidSetting_FailsNamingTheKey(string key, string? value, string expected)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddConfiguration(Minimal((key, value)));
        builder.AddKvsWebRtc();
        builder.Services.AddKvsMaster();
        using var host = builder.Build();

        var error = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.That(error!.Message, Does.Contain(expected));
        Assert.That(error.Message, Does.Not.Contain(Secret));
    }

    [Test]
    public void Validation_SeveralProblems_AreAllReportedAndNoSecretIsPrinted()
    {
        using var provider = Build(Config(("Kvs:Region", "us-west-2"), ("Kvs:SecretAccessKey", Secret), ("Kvs:SessionToken", Token), ("Kvs:Master:MaxViewers", "0")));

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<KvsWebRtcOptions>>().Value.ToString());

        Assert.That(error!.Failures, Has.Some.Contains("Kvs:Channel is required"));
        Assert.That(error.Failures, Has.Some.Contains("Kvs:AccessKeyId is required when Kvs:SecretAccessKey is set"));
        Assert.That(error.Failures, Has.Some.Contains("Kvs:Master:MaxViewers"));
        Assert.That(error.Message, Does.Not.Contain(Secret).And.Not.Contain(Token));
    }

    [Test]
    public void ToString_ExplicitCredentials_ShowsTheKeyIdButNoSecret()
    {
        var options = new KvsWebRtcOptions { Channel = "c", Region = "us-west-2", AccessKeyId = "AKIDEXAMPLE", SecretAccessKey = Secret, SessionToken = Token };

        var text = options.ToString();

        Assert.That(text, Does.Contain("AKIDEXAMPLE").And.Contain("Channel = c").And.Contain("UseTurn = True"));
        Assert.That(text, Does.Not.Contain(Secret).And.Not.Contain(Token));
    }

    [Test]
    public void ConfigurationBinding_NotANumber_FailsNamingTheKey()
    {
        using var provider = Build(Minimal(("Kvs:Master:MaxViewers", "many")));

        var error = Assert.Throws<InvalidOperationException>(() => _ = provider.GetRequiredService<IOptions<KvsWebRtcOptions>>().Value);

        Assert.That(error!.Message, Does.Contain("Kvs:Master:MaxViewers"));
    }
}
