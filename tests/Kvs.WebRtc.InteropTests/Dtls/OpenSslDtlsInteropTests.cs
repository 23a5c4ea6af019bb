using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.PeerConnection.Dtls;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.Dtls;

/// <summary>
/// DTLS 1.2 + DTLS-SRTP against the OpenSSL CLI over UDP on 127.0.0.1, in both roles: the handshake completes, the
/// EXTRACTOR-dtls_srtp keying material OpenSSL prints equals ours, and application data flows both ways.
/// </summary>
[TestFixture]
[Category("Interop")]
[NonParallelizable]
public sealed class OpenSslDtlsInteropTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);
    private string _directory = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("kvs-dtls-openssl-").FullName;
    }

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

    /// <summary>
    /// SRTP profile (OpenSSL name, our value, exporter length), our cipher suite, MTUs (ours, OpenSSL's; 0 = default)
    /// and the curve of OpenSSL's certificate key.
    /// </summary>
    public static IEnumerable<TestCaseData> Variants()
    {
        yield return new TestCaseData("SRTP_AES128_CM_SHA1_80", (ushort)0x0001, 60, (ushort)0xC02B, 1200, 0, 256).SetArgDisplayNames("AES128-GCM, SRTP_AES128_CM_SHA1_80");
        yield return new TestCaseData("SRTP_AES128_CM_SHA1_32", (ushort)0x0002, 60, (ushort)0xC02C, 1200, 0, 384).SetArgDisplayNames("AES256-GCM, SRTP_AES128_CM_SHA1_32, P-384 peer certificate");
        yield return new TestCaseData("SRTP_AEAD_AES_128_GCM", (ushort)0x0007, 56, (ushort)0xCCA9, 1200, 0, 256).SetArgDisplayNames("CHACHA20-POLY1305, SRTP_AEAD_AES_128_GCM");
        yield return new TestCaseData("SRTP_AES128_CM_SHA1_80", (ushort)0x0001, 60, (ushort)0xC02B, 256, 300, 256).SetArgDisplayNames("small MTU, fragmented flights");
    }

    [TestCaseSource(nameof(Variants))]
    public void OurClient_OpenSslServer_HandshakeKeysAndDataMatch(string srtpName, ushort srtpProfile, int keyLength, ushort suite, int ourMtu, int theirMtu, int theirCurve)
    {
        var openssl = ExternalTool.Require("openssl", "/usr/bin/openssl");
        var (certPath, keyPath, theirFingerprint) = PeerIdentity.Write(_directory, theirCurve);
        using var ours = DtlsCertificate.Generate();
        var port = FreeUdpPort();
        using var server = PeerProcess.Start(openssl,
            $"s_server -dtls1_2 -accept 127.0.0.1:{port} -cert {certPath} -key {keyPath} -verify 1 {MtuArguments(theirMtu)}" +
            $"-use_srtp {srtpName} -keymatexport EXTRACTOR-dtls_srtp -keymatexportlen {keyLength}");
        Assert.That(server.WaitForOutput(o => o.Contains("ACCEPT", StringComparison.Ordinal), s_timeout), Is.True, server.Describe());

        var options = Options(srtpProfile, suite, ourMtu);
        using var driver = new UdpCoreDriver<DtlsConnection>(
            new DtlsConnection(DtlsRole.Client, ours, [theirFingerprint], options),
            new IPEndPoint(IPAddress.Loopback, port));
        driver.Core.Start(driver.Now);
        Assert.That(driver.Pump(() => driver.Core.State is DtlsState.Connected or DtlsState.Failed, s_timeout), Is.True, server.Describe());
        Assert.That(driver.Core.State, Is.EqualTo(DtlsState.Connected), driver.Core.Failure?.Message + server.Describe());
        Assert.That(driver.Core.SrtpProfile, Is.EqualTo((DtlsSrtpProtectionProfile)srtpProfile));
        Assert.That(driver.Core.CipherSuite, Is.EqualTo((DtlsCipherSuite)suite));

        AssertKeyingMaterialMatches(driver.Core, server, keyLength);
        AssertDataFlowsBothWays(driver, server);
    }

    [TestCaseSource(nameof(Variants))]
    public void OpenSslClient_OurServer_HandshakeKeysAndDataMatch(string srtpName, ushort srtpProfile, int keyLength, ushort suite, int ourMtu, int theirMtu, int theirCurve)
    {
        var openssl = ExternalTool.Require("openssl", "/usr/bin/openssl");
        var (certPath, keyPath, theirFingerprint) = PeerIdentity.Write(_directory, theirCurve);
        using var ours = DtlsCertificate.Generate();
        var options = Options(srtpProfile, suite, ourMtu);
        using var driver = new UdpCoreDriver<DtlsConnection>(new DtlsConnection(DtlsRole.Server, ours, [theirFingerprint], options));
        using var client = PeerProcess.Start(openssl,
            $"s_client -dtls1_2 -connect 127.0.0.1:{driver.LocalPort} -cert {certPath} -key {keyPath} {MtuArguments(theirMtu)}" +
            $"-use_srtp {srtpName} -keymatexport EXTRACTOR-dtls_srtp -keymatexportlen {keyLength}");

        Assert.That(driver.Pump(() => driver.Core.State is DtlsState.Connected or DtlsState.Failed, s_timeout), Is.True, client.Describe());
        Assert.That(driver.Core.State, Is.EqualTo(DtlsState.Connected), driver.Core.Failure?.Message + client.Describe());
        Assert.That(driver.Core.SrtpProfile, Is.EqualTo((DtlsSrtpProtectionProfile)srtpProfile));
        Assert.That(driver.Core.CipherSuite, Is.EqualTo((DtlsCipherSuite)suite));

        AssertKeyingMaterialMatches(driver.Core, client, keyLength);
        AssertDataFlowsBothWays(driver, client);
    }

    private static DtlsOptions Options(ushort srtpProfile, ushort suite, int mtu)
    {
        var cipherSuite = (DtlsCipherSuite)suite;
        if (!DtlsCipherSuiteInfo.IsSupported(cipherSuite))
        {
            Assert.Ignore($"{cipherSuite} is not supported on this platform.");
        }

        return new DtlsOptions
        {
            SrtpProfiles = [(DtlsSrtpProtectionProfile)srtpProfile],
            CipherSuites = [cipherSuite],
            MaximumTransmissionUnit = mtu,
        };
    }

    private static string MtuArguments(int mtu) => mtu == 0 ? string.Empty : $"-mtu {mtu} ";

    private static void AssertKeyingMaterialMatches(DtlsConnection connection, PeerProcess process, int keyLength)
    {
        var ours = new byte[keyLength];
        Assert.That(connection.SrtpKeyingMaterialLength, Is.EqualTo(keyLength));
        connection.ExportSrtpKeyingMaterial(ours);
        var pattern = new Regex("Keying material: ([0-9A-Fa-f]+)");
        Assert.That(process.WaitForOutput(o => pattern.IsMatch(o), s_timeout), Is.True, process.Describe());
        var theirs = pattern.Match(process.Output).Groups[1].Value;
        Assert.That(theirs, Is.EqualTo(Convert.ToHexString(ours)).IgnoreCase);
    }

    private static void AssertDataFlowsBothWays(UdpCoreDriver<DtlsConnection> driver, PeerProcess process)
    {
        Assert.That(driver.Core.SendApplicationData(Encoding.ASCII.GetBytes("hello-from-dotnet\n")), Is.True);
        driver.Flush();
        Assert.That(process.WaitForOutput(o => o.Contains("hello-from-dotnet", StringComparison.Ordinal), s_timeout), Is.True, process.Describe());

        process.WriteLine("hello-from-openssl");
        var received = new StringBuilder();
        var buffer = new byte[DtlsConnection.MaxApplicationDataLength];
        Assert.That(
            driver.Pump(
                () =>
                {
                    while (driver.Core.TryReadApplicationData(buffer, out var n))
                    {
                        received.Append(Encoding.ASCII.GetString(buffer, 0, n));
                    }

                    return received.ToString().Contains("hello-from-openssl", StringComparison.Ordinal);
                },
                s_timeout),
            Is.True,
            "received: " + received + process.Describe());
    }

    private static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
