using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Kvs.WebRtc.Signaling.Auth;
using Kvs.WebRtc.Signaling.ControlPlane;
using Kvs.WebRtc.Signaling.ControlPlane.Model;
using NUnit.Framework;

namespace Kvs.WebRtc.Emulator.Tests.Emulator.Tls;

/// <summary>TLS mode: https/wss with the generated self-signed certificate, trusted explicitly by the clients.</summary>
[TestFixture]
public sealed class SelfSignedCertificateFactoryTests
{
    [Test]
    public async Task StartAsync_UseTls_GeneratesLoopbackCertificateAndHttpsServiceUrl()
    {
        await using var emulator = await KvsEmulator.StartAsync(new KvsEmulatorOptions { UseTls = true });

        var certificate = emulator.Certificate!;
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(emulator.ServiceUrl.Scheme, Is.EqualTo("https"));
            Assert.That(emulator.ServiceUrl.Host, Is.EqualTo("127.0.0.1"));
            Assert.That(san.EnumerateIPAddresses().Select(a => a.ToString()), Does.Contain("127.0.0.1"));
            Assert.That(san.EnumerateDnsNames(), Does.Contain("localhost"));
            Assert.That(emulator.ExportCertificatePem(), Does.StartWith("-----BEGIN CERTIFICATE-----"));
        });
    }

    [Test]
    public async Task ControlPlaneAndWebSocket_ClientTrustingGeneratedCertificate_Work()
    {
        await using var emulator = await KvsEmulator.StartAsync(new KvsEmulatorOptions { UseTls = true });
        using var trusted = X509Certificate2.CreateFromPem(emulator.ExportCertificatePem());
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, certificate, _, errors) => TrustOnly(trusted, certificate, errors) };
        using var http = new HttpClient(handler);
        using var client = new KinesisVideoClient(new KinesisVideoClientOptions
        {
            Region = emulator.Region,
            Credentials = new StaticCredentialsProvider(emulator.Credentials),
            ServiceUrl = emulator.ServiceUrl,
            HttpClient = http,
            MaxErrorRetries = 0,
        });

        var arn = (await client.CreateSignalingChannelAsync(new CreateSignalingChannelRequest { ChannelName = "secure" })).ChannelARN!;
        var endpoints = await client.GetSignalingChannelEndpointAsync(new GetSignalingChannelEndpointRequest
        {
            ChannelARN = arn,
            SingleMasterChannelEndpointConfiguration = new SingleMasterChannelEndpointConfiguration { Protocols = [ChannelProtocol.Wss], Role = ChannelRole.Master },
        });
        var wss = endpoints.ResourceEndpointList!.Single().ResourceEndpoint!;
        var url = new SigV4Signer().PresignUrl(wss, [new KeyValuePair<string, string>("X-Amz-ChannelARN", arn)], emulator.Credentials, emulator.Region);
        using var socket = new ClientWebSocket();
        socket.Options.RemoteCertificateValidationCallback = (_, certificate, _, errors) => TrustOnly(trusted, certificate, errors);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(new Uri(url), timeout.Token);
        var goAway = emulator.Faults.SendGoAway();
        var buffer = new byte[4096];
        var received = await socket.ReceiveAsync(buffer, timeout.Token);

        Assert.Multiple(() =>
        {
            Assert.That(wss, Does.StartWith("wss://127.0.0.1:"));
            Assert.That(goAway, Is.EqualTo(1));
            Assert.That(Encoding.UTF8.GetString(buffer, 0, received.Count), Does.Contain("GO_AWAY"));
        });
    }

    [Test]
    public async Task HttpsRequest_ClientNotTrustingCertificate_FailsHandshake()
    {
        await using var emulator = await KvsEmulator.StartAsync(new KvsEmulatorOptions { UseTls = true });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        Assert.ThrowsAsync<HttpRequestException>(() => http.PostAsync(new Uri(emulator.ServiceUrl, "/listSignalingChannels"), new StringContent("{}")));
    }

    [Test]
    public async Task WriteCertificatePemAsync_TlsEnabled_WritesLoadableCertificate()
    {
        await using var emulator = await KvsEmulator.StartAsync(new KvsEmulatorOptions { UseTls = true });
        var path = Path.Combine(Path.GetTempPath(), $"kvs-emulator-test-{Guid.NewGuid():N}.pem");
        try
        {
            await emulator.WriteCertificatePemAsync(path);

            using var loaded = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(path));
            Assert.That(loaded.Thumbprint, Is.EqualTo(emulator.Certificate!.Thumbprint));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task ExportCertificatePem_WithoutTls_ThrowsInvalidOperation()
    {
        await using var emulator = await KvsEmulator.StartAsync();

        Assert.Throws<InvalidOperationException>(() => emulator.ExportCertificatePem());
    }

    private static bool TrustOnly(X509Certificate2 trusted, X509Certificate? presented, SslPolicyErrors errors) =>
        errors == SslPolicyErrors.None || (presented is not null && string.Equals(presented.GetCertHashString(), trusted.GetCertHashString(), StringComparison.Ordinal));
}
