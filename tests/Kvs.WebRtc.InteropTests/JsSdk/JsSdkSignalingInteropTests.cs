using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Kvs.WebRtc.Emulator;
using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.Signaling;
using Kvs.WebRtc.Signaling.Auth;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.JsSdk;

/// <summary>
/// The official KVS JS SDK's <c>SignalingClient</c> (npm amazon-kinesis-video-streams-webrtc 2.9.0, in Node, with its
/// stock SigV4 signer over <c>wss://</c>) and our <see cref="SignalingClient"/> on one channel of the TLS emulator:
/// offers, answers and candidates cross in both role assignments.
/// </summary>
[TestFixture]
[Category("Interop")]
[NonParallelizable]
public sealed class JsSdkSignalingInteropTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(20);
    private KvsEmulator _emulator = null!;
    private string _caFile = null!;

    [OneTimeSetUp]
    public async Task StartEmulator()
    {
        NodeScript.RequireNode();
        _emulator = await KvsEmulator.StartAsync(new KvsEmulatorOptions { UseTls = true });
        _caFile = Path.Combine(Path.GetTempPath(), $"kvs-emulator-ca-{Guid.NewGuid():N}.pem");
        await _emulator.WriteCertificatePemAsync(_caFile);
    }

    [OneTimeTearDown]
    public async Task StopEmulator()
    {
        await _emulator.DisposeAsync();
        File.Delete(_caFile);
    }

    private NodeScript StartJsPeer(string role, string channelArn, Uri endpoint, string? clientId = null)
    {
        var config = new JsonObject
        {
            ["role"] = role,
            ["channelARN"] = channelArn,
            ["channelEndpoint"] = endpoint.ToString().TrimEnd('/'),
            ["region"] = _emulator.Region,
            ["clientId"] = clientId,
            ["accessKeyId"] = _emulator.Credentials.AccessKeyId,
            ["secretAccessKey"] = _emulator.Credentials.SecretAccessKey,
            ["sessionToken"] = _emulator.Credentials.SessionToken,
        };
        return NodeScript.Start("peer.js", new Dictionary<string, string>
        {
            ["KVS_PEER_CONFIG"] = config.ToJsonString(),
            ["NODE_EXTRA_CA_CERTS"] = _caFile, // real TLS verification against the emulator's certificate
            ["KVS_PEER_TIMEOUT_MS"] = "60000",
        });
    }

    private async Task<SignalingClient> ConnectOursAsync(string channelArn, KvsEmulatorRole role, string? clientId)
    {
        var client = CreateOurs(channelArn, role, clientId);
        await client.ConnectAsync();
        return client;
    }

    private SignalingClient CreateOurs(string channelArn, KvsEmulatorRole role, string? clientId)
    {
        var trusted = _emulator.Certificate!;
        var options = new SignalingClientOptions
        {
            ChannelArn = channelArn,
            Endpoint = _emulator.GetSignalingEndpoint(channelArn, role),
            Region = _emulator.Region,
            Credentials = new StaticCredentialsProvider(_emulator.Credentials),
            ConfigureWebSocket = ws => ws.RemoteCertificateValidationCallback =
                (_, certificate, _, _) => certificate is not null && new X509Certificate2(certificate).Thumbprint == trusted.Thumbprint,
        };
        return clientId is null
            ? SignalingClient.CreateMaster(options)
            : SignalingClient.CreateViewer(options, clientId);
    }

    [Test]
    public async Task JsMaster_OursViewer_ExchangeOfferAnswerAndCandidates()
    {
        var arn = _emulator.CreateSignalingChannel("js-master-" + Guid.NewGuid().ToString("N")[..8]);
        await using var js = StartJsPeer("MASTER", arn, _emulator.GetSignalingEndpoint(arn, KvsEmulatorRole.Master));
        await js.WaitForAsync("open", s_wait);

        await using var viewer = await ConnectOursAsync(arn, KvsEmulatorRole.Viewer, "dotnet-viewer");
        var answer = viewer.Answers.FirstAsync().ToTask();
        var candidate = viewer.IceCandidates.FirstAsync().ToTask();

        await viewer.SendOfferAsync(SessionDescriptionPayload.Offer("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=dotnet\r\n"));
        var offer = await js.WaitForAsync("sdpOffer", s_wait);
        Assert.That((string?)offer["sender"], Is.EqualTo("dotnet-viewer"));
        Assert.That((string?)offer["sdp"], Is.EqualTo("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=dotnet\r\n"));

        await viewer.SendIceCandidateAsync(new IceCandidatePayload("candidate:1 1 udp 2122260223 127.0.0.1 50001 typ host", "0", 0));
        var jsCandidate = await js.WaitForAsync("iceCandidate", s_wait);
        Assert.That((string?)jsCandidate["candidate"], Is.EqualTo("candidate:1 1 udp 2122260223 127.0.0.1 50001 typ host"));
        Assert.That((string?)jsCandidate["sender"], Is.EqualTo("dotnet-viewer"));

        await js.SendAsync(new { cmd = "sendSdpAnswer", type = "answer", sdp = "v=0\r\ns=js-answer\r\n", recipient = "dotnet-viewer" });
        await js.SendAsync(new { cmd = "sendIceCandidate", candidate = "candidate:2 1 udp 2122260223 127.0.0.1 50002 typ host", sdpMid = "0", sdpMLineIndex = 0, recipient = "dotnet-viewer" });

        var gotAnswer = await answer.WaitAsync(s_wait);
        Assert.That(gotAnswer.SessionDescription, Is.EqualTo(new SessionDescriptionPayload("answer", "v=0\r\ns=js-answer\r\n")));
        Assert.That(gotAnswer.SenderClientId, Is.Null, "messages from the master carry no senderClientId");
        var gotCandidate = await candidate.WaitAsync(s_wait);
        Assert.That(gotCandidate.IceCandidate!.Candidate, Is.EqualTo("candidate:2 1 udp 2122260223 127.0.0.1 50002 typ host"));
        Assert.That(gotCandidate.IceCandidate.SdpMid, Is.EqualTo("0"));
        Assert.That(gotCandidate.IceCandidate.SdpMLineIndex, Is.EqualTo(0));
    }

    [Test]
    public async Task OursMaster_JsViewer_ExchangeOfferAnswerAndCandidates()
    {
        var arn = _emulator.CreateSignalingChannel("js-viewer-" + Guid.NewGuid().ToString("N")[..8]);
        await using var master = await ConnectOursAsync(arn, KvsEmulatorRole.Master, clientId: null);
        var offer = master.Offers.FirstAsync().ToTask();
        var candidate = master.IceCandidates.FirstAsync().ToTask();

        await using var js = StartJsPeer("VIEWER", arn, _emulator.GetSignalingEndpoint(arn, KvsEmulatorRole.Viewer), "js-viewer-1");
        await js.WaitForAsync("open", s_wait);
        await js.SendAsync(new { cmd = "sendSdpOffer", type = "offer", sdp = "v=0\r\ns=js-offer\r\n" });
        await js.SendAsync(new { cmd = "sendIceCandidate", candidate = "candidate:3 1 udp 2122260223 127.0.0.1 50003 typ host", sdpMid = "0", sdpMLineIndex = 0 });

        var gotOffer = await offer.WaitAsync(s_wait);
        Assert.That(gotOffer.SenderClientId, Is.EqualTo("js-viewer-1"));
        Assert.That(gotOffer.SessionDescription, Is.EqualTo(new SessionDescriptionPayload("offer", "v=0\r\ns=js-offer\r\n")));
        var gotCandidate = await candidate.WaitAsync(s_wait);
        Assert.That(gotCandidate.SenderClientId, Is.EqualTo("js-viewer-1"));
        Assert.That(gotCandidate.IceCandidate!.Candidate, Is.EqualTo("candidate:3 1 udp 2122260223 127.0.0.1 50003 typ host"));

        await master.SendAnswerAsync(SessionDescriptionPayload.Answer("v=0\r\ns=dotnet-answer\r\n"), "js-viewer-1");
        await master.SendIceCandidateAsync(new IceCandidatePayload("candidate:4 1 udp 2122260223 127.0.0.1 50004 typ host", "0", 0), "js-viewer-1");

        var jsAnswer = await js.WaitForAsync("sdpAnswer", s_wait);
        Assert.That((string?)jsAnswer["sdp"], Is.EqualTo("v=0\r\ns=dotnet-answer\r\n"));
        var jsCandidate = await js.WaitForAsync("iceCandidate", s_wait);
        Assert.That((string?)jsCandidate["candidate"], Is.EqualTo("candidate:4 1 udp 2122260223 127.0.0.1 50004 typ host"));
    }

    [Test]
    public async Task JsViewerBeforeMaster_OfferIsBufferedAndDeliveredWhenOurMasterConnects()
    {
        var arn = _emulator.CreateSignalingChannel("js-early-" + Guid.NewGuid().ToString("N")[..8]);
        await using var js = StartJsPeer("VIEWER", arn, _emulator.GetSignalingEndpoint(arn, KvsEmulatorRole.Viewer), "js-early-viewer");
        await js.WaitForAsync("open", s_wait);
        await js.SendAsync(new { cmd = "sendSdpOffer", type = "offer", sdp = "v=0\r\ns=early\r\n" });
        await js.WaitForAsync("sent", s_wait);

        // Subscribe before connecting: the buffered offer arrives right after the upgrade.
        await using var master = CreateOurs(arn, KvsEmulatorRole.Master, clientId: null);
        var offer = master.Offers.FirstAsync().ToTask();
        await master.ConnectAsync();
        var gotOffer = await offer.WaitAsync(s_wait);
        Assert.That(gotOffer.SenderClientId, Is.EqualTo("js-early-viewer"));
        Assert.That(gotOffer.SessionDescription!.Sdp, Is.EqualTo("v=0\r\ns=early\r\n"));
    }
}
