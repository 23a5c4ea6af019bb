using System.Collections;
using System.Net.WebSockets;
using System.Reflection;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Sessions;
using Kvs.WebRtc.Signaling;
using Kvs.WebRtc.Signaling.Auth;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Sessions;

/// <summary>
/// The options classes of channels and sessions: validated at the door with the property named, and copied there so that
/// later changes to the caller's instance reach nothing already started (the copy must carry every property).
/// </summary>
public sealed class SessionOptionsTests
{
    private static readonly HttpClient s_http = new();
    private static readonly NoMeters s_meters = new();

    [Test]
    public void KvsChannelOptions_Snapshot_CarriesEveryProperty()
    {
        var options = Filled(new KvsChannelOptions { Channel = "c", Region = "us-west-2" });
        AssertCopied(options, options.Snapshot());
    }

    [Test]
    public void MasterSessionOptions_Snapshot_CarriesEveryProperty_AndCopiesTheTrackList()
    {
        var options = Filled(new MasterSessionOptions { Channel = Filled(new KvsChannelOptions { Channel = "c", Region = "us-west-2" }) });
        var copy = options.Snapshot();

        AssertCopied(options, copy);
        Assert.Multiple(() =>
        {
            Assert.That(copy.Tracks, Is.Not.SameAs(options.Tracks), "a list the caller can change is copied");
            Assert.That(copy.Channel, Is.Not.SameAs(options.Channel), "nested options are copied too");
            AssertCopied(options.Channel, copy.Channel);
        });
    }

    [Test]
    public void ViewerSessionOptions_Snapshot_CarriesEveryProperty()
    {
        var options = Filled(new ViewerSessionOptions { Channel = Filled(new KvsChannelOptions { Channel = "c", Region = "us-west-2" }), ClientId = "v" });
        var copy = options.Snapshot();

        AssertCopied(options, copy);
        Assert.That(copy.Channel, Is.Not.SameAs(options.Channel));
    }

    [Test]
    public void PeerConfiguration_Copy_CarriesEveryPropertyAndCopiesTheLists()
    {
        var configuration = new RTCConfiguration
        {
            IceServers = [new RTCIceServer { Urls = ["stun:127.0.0.1:3478"] }],
            IceTransportPolicy = RTCIceTransportPolicy.Relay,
            IncludeLoopbackCandidates = true,
            EnableIpv6 = false,
            HostAddresses = [System.Net.IPAddress.Loopback],
        };

        var copy = PeerLink.CopyConfiguration(configuration);

        Assert.Multiple(() =>
        {
            Assert.That(PublicProperties(typeof(RTCConfiguration)).Select(p => p.Name), Is.EquivalentTo(new[]
            {
                nameof(RTCConfiguration.IceServers), nameof(RTCConfiguration.IceTransportPolicy), nameof(RTCConfiguration.IncludeLoopbackCandidates),
                nameof(RTCConfiguration.EnableIpv6), nameof(RTCConfiguration.HostAddresses),
            }), "a new property must be copied by PeerLink.CopyConfiguration and listed here");
            Assert.That(copy.IceServers, Is.EqualTo(configuration.IceServers).AsCollection.And.Not.SameAs(configuration.IceServers));
            Assert.That(copy.IceTransportPolicy, Is.EqualTo(RTCIceTransportPolicy.Relay));
            Assert.That(copy.IncludeLoopbackCandidates, Is.True);
            Assert.That(copy.EnableIpv6, Is.False);
            Assert.That(copy.HostAddresses, Is.EqualTo(configuration.HostAddresses).AsCollection.And.Not.SameAs(configuration.HostAddresses));
        });
    }

    [Test]
    public void ChangingOptionsAfterTheDoor_DoesNotChangeTheCopy()
    {
        var options = new MasterSessionOptions { Channel = new KvsChannelOptions { Channel = "c", Region = "us-west-2" }, MaxViewers = 3 };
        var copy = options.Snapshot();

        options.MaxViewers = 0;
        options.Channel.Region = string.Empty;

        Assert.Multiple(() =>
        {
            Assert.That(copy.MaxViewers, Is.EqualTo(3));
            Assert.That(copy.Channel.Region, Is.EqualTo("us-west-2"));
        });
    }

    [TestCase(nameof(MasterSessionOptions.MaxViewers))]
    [TestCase(nameof(MasterSessionOptions.MaxPendingViewers))]
    [TestCase(nameof(MasterSessionOptions.ViewerConnectTimeout))]
    [TestCase(nameof(MasterSessionOptions.Tracks))]
    public void MasterSessionOptions_OutOfRange_ArgumentExceptionNamesTheProperty(string property)
    {
        var options = new MasterSessionOptions { Channel = new KvsChannelOptions { Channel = "c", Region = "us-west-2" } };
        switch (property)
        {
            case nameof(MasterSessionOptions.MaxViewers):
                options.MaxViewers = 0;
                break;
            case nameof(MasterSessionOptions.MaxPendingViewers):
                options.MaxPendingViewers = -1;
                break;
            case nameof(MasterSessionOptions.ViewerConnectTimeout):
                options.ViewerConnectTimeout = TimeSpan.Zero;
                break;
            default:
                options.Tracks = [null!];
                break;
        }

        var error = Assert.Throws(Is.InstanceOf<ArgumentException>(), options.Validate);
        Assert.That(((ArgumentException)error!).ParamName, Is.EqualTo(property));
    }

    [TestCase(nameof(KvsChannelOptions.Channel), "")]
    [TestCase(nameof(KvsChannelOptions.Region), " ")]
    [TestCase(nameof(KvsChannelOptions.ServiceUrl), "relative/path")]
    [TestCase(nameof(KvsChannelOptions.EndpointCacheFile), "")]
    public void KvsChannelOptions_Invalid_ArgumentExceptionNamesTheProperty(string property, string value)
    {
        var options = new KvsChannelOptions { Channel = "c", Region = "us-west-2" };
        switch (property)
        {
            case nameof(KvsChannelOptions.Channel):
                options.Channel = value;
                break;
            case nameof(KvsChannelOptions.Region):
                options.Region = value;
                break;
            case nameof(KvsChannelOptions.ServiceUrl):
                options.ServiceUrl = new Uri(value, UriKind.Relative);
                break;
            default:
                options.EndpointCacheFile = value;
                break;
        }

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.That(error!.ParamName, Is.EqualTo(property));
    }

    [Test]
    public void ViewerSessionOptions_NestedChannelOptionsAreValidatedToo()
    {
        var options = new ViewerSessionOptions { Channel = new KvsChannelOptions { Channel = "c", Region = string.Empty }, ClientId = "v" };

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.That(error!.ParamName, Is.EqualTo(nameof(KvsChannelOptions.Region)));
    }

    /// <summary>Sets every public settable property that still has its default to a value of its type that is not the default.</summary>
    private static T Filled<T>(T options)
        where T : class
    {
        foreach (var property in PublicProperties(typeof(T)))
        {
            if (property.Name is "Channel" or "Region" or "ClientId" && property.PropertyType == typeof(string))
            {
                continue;
            }

            if (property.PropertyType == typeof(KvsChannelOptions))
            {
                continue;
            }

            property.SetValue(options, SampleValue(property.PropertyType, property.GetValue(options)));
        }

        return options;
    }

    private static object SampleValue(Type type, object? current)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying switch
        {
            _ when underlying == typeof(bool) => current is not true,
            _ when underlying == typeof(int) => 7 + (current is int i ? i : 0),
            _ when underlying == typeof(TimeSpan) => TimeSpan.FromSeconds(7) + (current is TimeSpan t ? t : TimeSpan.Zero),
            _ when underlying == typeof(string) => "sample-" + current,
            _ when underlying == typeof(Uri) => new Uri("https://127.0.0.1:4443/"),
            _ when underlying == typeof(RTCConfiguration) => new RTCConfiguration { EnableIpv6 = false },
            _ when underlying == typeof(IReadOnlyList<LocalMediaTrack>) => new List<LocalMediaTrack> { new EncodedFrameTrack(RTCRtpCodec.H264) },
            _ when underlying == typeof(Func<ViewerOffer, CancellationToken, ValueTask>) => (Func<ViewerOffer, CancellationToken, ValueTask>)((_, _) => ValueTask.CompletedTask),
            _ when underlying == typeof(IAwsCredentialsProvider) => new StaticCredentialsProvider(new AwsCredentialsSnapshot("AKIDEXAMPLE", "secret")),
            _ when underlying == typeof(Action<ClientWebSocketOptions>) => (Action<ClientWebSocketOptions>)(_ => { }),
            _ when underlying == typeof(HttpClient) => s_http,
            _ when underlying == typeof(SignalingReconnectPolicy) => new SignalingReconnectPolicy(),
            _ when underlying == typeof(SigV4Signer) => new SigV4Signer(TimeProvider.System),
            _ when underlying == typeof(TimeProvider) => TimeProvider.System,
            _ when underlying == typeof(Microsoft.Extensions.Logging.ILoggerFactory) => NullLoggerFactory.Instance,
            _ when underlying == typeof(System.Diagnostics.Metrics.IMeterFactory) => s_meters,
            _ => throw new AssertionException($"No sample value for {type}: teach this test the new property's type."),
        };
    }

    private static void AssertCopied(object original, object copy)
    {
        Assert.That(copy, Is.Not.SameAs(original));
        foreach (var property in PublicProperties(original.GetType()))
        {
            var expected = property.GetValue(original);
            var actual = property.GetValue(copy);
            if (expected is IEnumerable list and not string)
            {
                Assert.That(actual, Is.EqualTo(list).AsCollection, property.Name);
            }
            else if (property.PropertyType.IsClass && property.PropertyType.Name.EndsWith("Options", StringComparison.Ordinal))
            {
                Assert.That(actual, Is.Not.Null, property.Name);
            }
            else if (expected is RTCConfiguration configuration)
            {
                Assert.That(((RTCConfiguration)actual!).EnableIpv6, Is.EqualTo(configuration.EnableIpv6), property.Name);
            }
            else
            {
                Assert.That(actual, Is.EqualTo(expected), property.Name);
            }
        }
    }

    private static IEnumerable<PropertyInfo> PublicProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.SetMethod!.IsPublic);

    private sealed class NoMeters : System.Diagnostics.Metrics.IMeterFactory
    {
        public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }
}
