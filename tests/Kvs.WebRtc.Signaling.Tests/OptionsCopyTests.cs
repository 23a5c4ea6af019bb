using System.Reflection;
using Kvs.WebRtc.Signaling.Auth;
using Kvs.WebRtc.Signaling.ControlPlane;
using Kvs.WebRtc.Signaling.IceServers;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace Kvs.WebRtc.Signaling.Tests;

/// <summary>
/// The options classes of the package (sealed classes validated at the door, docs/architecture.md): the copy
/// constructor carries every property, so <c>new T(options) { X = … }</c> changes only X.
/// </summary>
[TestFixture]
public sealed class OptionsCopyTests
{
    private static readonly HttpClient s_http = new();
    private static readonly IAwsCredentialsProvider s_credentials = new StaticCredentialsProvider(new AwsCredentialsSnapshot("AKIDEXAMPLE", "secret"));

    public static IEnumerable<TestCaseData> Originals()
    {
        yield return new TestCaseData(new SignalingClientOptions
        {
            ChannelArn = "arn:aws:kinesisvideo:us-west-2:123456789012:channel/c/1",
            Endpoint = new Uri("wss://example.invalid/"),
            Region = "us-west-2",
            Credentials = s_credentials,
            Signer = new SigV4Signer(),
            TimeProvider = TimeProvider.System,
            Reconnect = SignalingReconnectPolicy.Disabled,
            KeepAliveInterval = TimeSpan.FromSeconds(3),
            SendTimeout = TimeSpan.FromSeconds(4),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            CloseTimeout = TimeSpan.FromSeconds(6),
            MaxConnectionAge = TimeSpan.FromMinutes(7),
            SendQueueCapacity = 8,
            ConfigureWebSocket = _ => { },
            AllowUnaddressedMasterMessages = true,
            LoggerFactory = NullLoggerFactory.Instance,
        }).SetName("SignalingClientOptions");
        yield return new TestCaseData(new KinesisVideoClientOptions
        {
            Region = "eu-west-1",
            Credentials = s_credentials,
            ServiceUrl = new Uri("https://example.invalid/"),
            UseFips = true,
            UseDualStack = true,
            HttpClient = s_http,
            Signer = new SigV4Signer(),
            TimeProvider = TimeProvider.System,
            Timeout = TimeSpan.FromSeconds(3),
            MaxErrorRetries = 9,
            RetryBaseDelay = TimeSpan.FromSeconds(1),
            RetryMaxDelay = TimeSpan.FromSeconds(2),
            MaxResponseBytes = 77,
            LoggerFactory = NullLoggerFactory.Instance,
        }).SetName("KinesisVideoClientOptions");
        yield return new TestCaseData(new IceServerProviderOptions
        {
            Region = "eu-west-1",
            ChannelArn = "arn:aws:kinesisvideo:eu-west-1:123456789012:channel/c/1",
            ClientId = "viewer-1",
            UseFips = true,
            UseDualStack = true,
            IncludeStun = false,
            IncludeTurn = false,
            RefreshMargin = TimeSpan.FromSeconds(7),
            TimeProvider = TimeProvider.System,
            LoggerFactory = NullLoggerFactory.Instance,
        }).SetName("IceServerProviderOptions");
        yield return new TestCaseData(new SignalingChannelResolverOptions
        {
            CacheDuration = TimeSpan.FromMinutes(3),
            CacheFilePath = "/tmp/cache.json",
            IncludeWebRtcEndpoint = true,
            ChannelTypeForCreate = Kvs.WebRtc.Signaling.ControlPlane.Model.ChannelType.SingleMaster,
            MessageTtlSecondsForCreate = 30,
            ActivationPollInterval = TimeSpan.FromSeconds(2),
            MaxActivationPolls = 4,
            TimeProvider = TimeProvider.System,
            LoggerFactory = NullLoggerFactory.Instance,
        }).SetName("SignalingChannelResolverOptions");
    }

    [TestCaseSource(nameof(Originals))]
    public void CopyConstructor_EveryPropertySet_CopiesEachOneAndIsAnotherInstance(object original)
    {
        var type = original.GetType();
        var copy = Activator.CreateInstance(type, original)!;

        Assert.Multiple(() =>
        {
            Assert.That(copy, Is.Not.SameAs(original));
            Assert.That(type.IsClass && type.IsSealed, Is.True);
            Assert.That(type.GetMethod("<Clone>$"), Is.Null, "options are classes, not records");
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var value = property.GetValue(original);
                Assert.That(value, Is.Not.EqualTo(DefaultOf(type, property)), $"{type.Name}.{property.Name}: set it to a non-default value in this test");
                Assert.That(property.GetValue(copy), Is.SameAs(value).Or.EqualTo(value), $"{type.Name}.{property.Name}");
            }
        });
    }

    private static object? DefaultOf(Type type, PropertyInfo property)
    {
        var fresh = type.GetConstructor(Type.EmptyTypes)!.Invoke(null);
        return property.GetValue(fresh);
    }
}
