using System.Net;
using Kvs.WebRtc.Emulator.Storage;
using Kvs.WebRtc.Signaling;
using Kvs.WebRtc.Signaling.Auth;
using Kvs.WebRtc.Signaling.ControlPlane;
using Kvs.WebRtc.Signaling.ControlPlane.Model;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.Emulator.Tests.Emulator.Storage;

/// <summary>
/// The emulator's WebRTC storage API driven by the SDK's <see cref="KinesisVideoClient"/> media-storage calls and its
/// <see cref="KinesisVideoWebRtcStorageClient"/> (SigV4-verified like every other call).
/// </summary>
[TestFixture]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "Created in [SetUp] and disposed in [TearDown].")]
public sealed class StorageSessionHandlerTests
{
    private const string StreamArn = "arn:aws:kinesisvideo:us-west-2:123456789012:stream/cam/1712136149494";
    private KvsEmulator _emulator = null!;
    private KinesisVideoClient _client = null!;
    private string _recordings = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _recordings = Path.Combine(Path.GetTempPath(), "kvs-storage-handler-" + Guid.NewGuid().ToString("N"));
        _emulator = await KvsEmulator.StartAsync(new KvsEmulatorOptions { RecordingDirectory = _recordings, MaxStorageSessions = 1 });
        _client = CreateClient(_emulator.Credentials);
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        _client.Dispose();
        await _emulator.DisposeAsync();
        if (Directory.Exists(_recordings))
        {
            Directory.Delete(_recordings, recursive: true);
        }
    }

    [Test]
    public async Task UpdateThenDescribe_ThroughTheSdk_RoundTripsStatusAndStream()
    {
        var arn = _emulator.CreateSignalingChannel("sdk-storage");

        await _client.UpdateMediaStorageConfigurationAsync(new UpdateMediaStorageConfigurationRequest
        {
            ChannelARN = arn,
            MediaStorageConfiguration = new MediaStorageConfiguration { Status = MediaStorageStatus.Enabled, StreamARN = StreamArn },
        });
        var described = await _client.DescribeMediaStorageConfigurationAsync(new DescribeMediaStorageConfigurationRequest { ChannelName = "sdk-storage" });

        Assert.That(described.MediaStorageConfiguration!.Status, Is.EqualTo(MediaStorageStatus.Enabled));
        Assert.That(described.MediaStorageConfiguration.StreamARN, Is.EqualTo(StreamArn));
    }

    [Test]
    public async Task JoinStorageSession_StorageEnabled_StartsOneRecordingAndOffersToTheMaster()
    {
        var arn = _emulator.CreateSignalingChannel("join-ok");
        _emulator.EnableMediaStorage(arn, StreamArn);
        using var storage = await CreateStorageClientAsync(arn);

        await storage.JoinStorageSessionAsync(arn);
        await storage.JoinStorageSessionAsync(arn);

        var recording = _emulator.Recordings.Single();
        Assert.Multiple(() =>
        {
            Assert.That(recording.ChannelArn, Is.EqualTo(arn));
            Assert.That(recording.StreamArn, Is.EqualTo(StreamArn));
            Assert.That(recording.VideoPath, Does.StartWith(_recordings).And.EndWith(".h264"));
            Assert.That(recording.AudioPath, Does.EndWith(".ogg"));
            Assert.That(File.Exists(recording.VideoPath), Is.True);
            Assert.That(recording.VideoFrames, Is.Zero);
        });
        await WaitUntilAsync(() => _emulator.GetPendingMessageCount(arn) >= 2 && _emulator.Recordings.Single().Joins == 2);
    }

    [Test]
    public async Task JoinStorageSessionAsViewer_StorageEnabled_StartsTheSessionAndQueuesAnOfferForTheViewer()
    {
        var arn = _emulator.CreateSignalingChannel("join-viewer");
        _emulator.EnableMediaStorage(arn);
        using var storage = await CreateStorageClientAsync(arn);

        await storage.JoinStorageSessionAsViewerAsync(arn, "viewer-1");

        var recording = _emulator.Recordings.Single();
        Assert.Multiple(() =>
        {
            Assert.That(recording.ViewerJoins, Is.EqualTo(1), "the viewer may join before the master: the session starts and waits");
            Assert.That(recording.Joins, Is.Zero, "no master joined");
            Assert.That(recording.VideoFrames, Is.Zero);
        });
        await WaitUntilAsync(() => _emulator.GetPendingMessageCount(arn) >= 1); // the offer, kept for the viewer until it connects
    }

    [Test]
    public async Task JoinStorageSessionAsViewer_BeyondTheSessionsViewerLimit_ThrowsClientLimitExceeded()
    {
        var arn = _emulator.CreateSignalingChannel("join-viewer-limit");
        _emulator.EnableMediaStorage(arn);
        using var storage = await CreateStorageClientAsync(arn);
        for (var i = 0; i < 3; i++)
        {
            await storage.JoinStorageSessionAsViewerAsync(arn, "viewer-" + i);
        }

        await storage.JoinStorageSessionAsViewerAsync(arn, "viewer-0"); // the same viewer again replaces its own peer

        var ex = SignalingAssert.ThrowsAsync(SignalingError.ClientLimitExceeded, "ClientLimitExceededException", () => storage.JoinStorageSessionAsViewerAsync(arn, "viewer-3"));
        Assert.That(ex!.Message, Does.Contain("maximum number of viewers connected to the session"));
        Assert.That(_emulator.Recordings.Single().Viewers, Is.EqualTo(3));
    }

    [Test]
    public void JoinStorageSession_StorageDisabled_ThrowsInvalidArgument()
    {
        var arn = _emulator.CreateSignalingChannel("join-disabled");
        using var storage = _client.CreateWebRtcStorageClient(_emulator.ServiceUrl);

        var ex = SignalingAssert.ThrowsAsync(SignalingError.InvalidArgument, "InvalidArgumentException", () => storage.JoinStorageSessionAsync(arn));

        Assert.That(ex!.Message, Does.Contain("media storage"));
        Assert.That(_emulator.Recordings, Is.Empty);
    }

    [Test]
    public void JoinStorageSession_UnknownChannel_ThrowsResourceNotFound()
    {
        using var storage = _client.CreateWebRtcStorageClient(_emulator.ServiceUrl);

        SignalingAssert.ThrowsAsync(SignalingError.ResourceNotFound, "ResourceNotFoundException", () =>
            storage.JoinStorageSessionAsync("arn:aws:kinesisvideo:us-west-2:123456789012:channel/none/1712136149494"));
    }

    [Test]
    public void JoinStorageSession_WrongSecret_IsRefusedBySignatureCheck()
    {
        var arn = _emulator.CreateSignalingChannel("join-unsigned");
        _emulator.EnableMediaStorage(arn);
        using var wrong = CreateClient(new AwsCredentialsSnapshot(_emulator.Credentials.AccessKeyId, "wrong-secret-wrong-secret-wrong-secret-00"));
        using var storage = wrong.CreateWebRtcStorageClient(_emulator.ServiceUrl);

        var ex = Assert.ThrowsAsync<SignalingException>(() => storage.JoinStorageSessionAsync(arn));

        Assert.That(ex!.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(_emulator.Recordings, Is.Empty);
    }

    [Test]
    public async Task JoinStorageSession_BeyondMaxStorageSessions_ThrowsClientLimitExceeded()
    {
        var first = _emulator.CreateSignalingChannel("limit-1");
        var second = _emulator.CreateSignalingChannel("limit-2");
        _emulator.EnableMediaStorage(first);
        _emulator.EnableMediaStorage(second);
        using var storage = _client.CreateWebRtcStorageClient(_emulator.ServiceUrl);
        await storage.JoinStorageSessionAsync(first);

        SignalingAssert.ThrowsAsync(SignalingError.ClientLimitExceeded, "ClientLimitExceededException", () => storage.JoinStorageSessionAsync(second));
        Assert.That(_emulator.Recordings, Has.Count.EqualTo(1));
    }

    [Test]
    public void OpusPacketSamples_TocConfigurations_GiveFrameDurations()
    {
        Assert.Multiple(() =>
        {
            Assert.That(RecordingFileWriter.OpusPacketSamples([(byte)(1 << 3)]), Is.EqualTo(960), "SILK NB 20 ms");
            Assert.That(RecordingFileWriter.OpusPacketSamples([(byte)(31 << 3)]), Is.EqualTo(960), "CELT FB 20 ms");
            Assert.That(RecordingFileWriter.OpusPacketSamples([(byte)((28 << 3) | 1)]), Is.EqualTo(240), "two CELT 2.5 ms frames");
            Assert.That(RecordingFileWriter.OpusPacketSamples([(byte)((31 << 3) | 3), 3]), Is.EqualTo(2880), "code 3: three 20 ms frames");
            Assert.That(RecordingFileWriter.OpusPacketSamples([]), Is.Zero);
        });
    }

    [Test]
    public void OggCrc_KnownAnswer_MatchesTheOggPolynomial()
    {
        // CRC-32/MPEG-2 without the final inversion and with initial value 0 (Ogg): check value for "123456789".
        Assert.That(RecordingFileWriter.OggCrc("123456789"u8), Is.EqualTo(0x89A1897Fu));
    }

    private KinesisVideoClient CreateClient(AwsCredentialsSnapshot credentials) => new(new KinesisVideoClientOptions
    {
        Region = _emulator.Region,
        Credentials = new StaticCredentialsProvider(credentials),
        ServiceUrl = _emulator.ServiceUrl,
        MaxErrorRetries = 0,
    });

    private async Task<KinesisVideoWebRtcStorageClient> CreateStorageClientAsync(string arn)
    {
        var endpoints = await _client.GetSignalingChannelEndpointAsync(new GetSignalingChannelEndpointRequest
        {
            ChannelARN = arn,
            SingleMasterChannelEndpointConfiguration = new SingleMasterChannelEndpointConfiguration { Protocols = [ChannelProtocol.WebRtc], Role = ChannelRole.Master },
        });
        return _client.CreateWebRtcStorageClient(new Uri(endpoints.ResourceEndpointList!.Single(e => e.Protocol == ChannelProtocol.WebRtc).ResourceEndpoint!));
    }

    private static Task WaitUntilAsync(Func<bool> condition) => Wait.UntilAsync(condition, TimeSpan.FromSeconds(20));
}
