using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.PeerConnection.Dtls;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.Dtls;

/// <summary>
/// DTLS 1.2 against werift's TypeScript implementation (a second independent stack) over UDP on 127.0.0.1, both
/// roles: handshake, equal EXTRACTOR-dtls_srtp keying material, and application data both ways.
/// </summary>
[TestFixture]
[Category("Interop")]
[NonParallelizable]
public sealed class WeriftDtlsInteropTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);
    private string _directory = null!;

    private static string ScriptPath => Path.Combine(RepositoryPaths.Root, "tests", "Kvs.WebRtc.InteropTests", "Dtls", "werift-dtls-peer.js");

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("kvs-dtls-werift-").FullName;

    [TearDown]
    public void TearDown()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Test]
    public void OurClient_WeriftServer_HandshakeKeysAndDataMatch()
    {
        var node = NodeScript.RequireWerift();
        var (cert, key, fingerprint) = PeerIdentity.Write(_directory);
        using var ours = DtlsCertificate.Generate();
        using var peer = PeerProcess.Start(node, $"{ScriptPath} server {cert} {key}");
        var port = WaitForEvent(peer, "listening")["port"]!.GetValue<int>();

        using var driver = new UdpCoreDriver<DtlsConnection>(new DtlsConnection(DtlsRole.Client, ours, [fingerprint], Options()), new IPEndPoint(IPAddress.Loopback, port));
        driver.Core.Start(driver.Now);
        Assert.That(driver.Pump(() => driver.Core.State is DtlsState.Connected or DtlsState.Failed, s_timeout), Is.True, peer.Describe());
        Assert.That(driver.Core.State, Is.EqualTo(DtlsState.Connected), driver.Core.Failure?.Message + peer.Describe());
        AssertKeysAndData(driver, peer);
    }

    [Test]
    public void WeriftClient_OurServer_HandshakeKeysAndDataMatch()
    {
        var node = NodeScript.RequireWerift();
        var (cert, key, fingerprint) = PeerIdentity.Write(_directory);
        using var ours = DtlsCertificate.Generate();
        using var driver = new UdpCoreDriver<DtlsConnection>(new DtlsConnection(DtlsRole.Server, ours, [fingerprint], Options()));
        using var peer = PeerProcess.Start(node, $"{ScriptPath} client {cert} {key} {driver.LocalPort}");

        Assert.That(driver.Pump(() => driver.Core.State is DtlsState.Connected or DtlsState.Failed, s_timeout), Is.True, peer.Describe());
        Assert.That(driver.Core.State, Is.EqualTo(DtlsState.Connected), driver.Core.Failure?.Message + peer.Describe());
        AssertKeysAndData(driver, peer);
    }


    private static DtlsOptions Options() => new() { SrtpProfiles = [DtlsSrtpProtectionProfile.Aes128CmHmacSha1_80] };

    private static void AssertKeysAndData(UdpCoreDriver<DtlsConnection> driver, PeerProcess peer)
    {
        Assert.That(driver.Core.SrtpProfile, Is.EqualTo(DtlsSrtpProtectionProfile.Aes128CmHmacSha1_80));
        var ours = new byte[60];
        driver.Core.ExportSrtpKeyingMaterial(ours);
        var connected = WaitForEvent(peer, "connected", driver);
        Assert.That(connected["keys"]!.GetValue<string>(), Is.EqualTo(Convert.ToHexString(ours)).IgnoreCase);

        Assert.That(driver.Core.SendApplicationData(Encoding.UTF8.GetBytes("hello-from-dotnet")), Is.True);
        driver.Flush();
        var data = WaitForEvent(peer, "data", driver);
        Assert.That(data["text"]!.GetValue<string>(), Is.EqualTo("hello-from-dotnet"));

        peer.WriteLine("hello-from-werift");
        var buffer = new byte[DtlsConnection.MaxApplicationDataLength];
        string? received = null;
        Assert.That(
            driver.Pump(
                () =>
                {
                    if (driver.Core.TryReadApplicationData(buffer, out var n))
                    {
                        received = Encoding.UTF8.GetString(buffer, 0, n);
                    }

                    return received is not null;
                },
                s_timeout),
            Is.True,
            peer.Describe());
        Assert.That(received, Is.EqualTo("hello-from-werift"));
    }

    /// <summary>Waits (pumping the driver, when given) until the peer printed a JSON line with this event.</summary>
    private static JsonObject WaitForEvent(PeerProcess peer, string name, UdpCoreDriver<DtlsConnection>? driver = null)
    {
        JsonObject? found = null;
        bool Seen() => peer.TryFindEvent(name, out found);

        var ok = driver is null ? peer.WaitForOutput(_ => Seen(), s_timeout) : driver.Pump(Seen, s_timeout);
        Assert.That(ok, Is.True, $"no '{name}' event from werift" + peer.Describe());
        return found!;
    }
}
