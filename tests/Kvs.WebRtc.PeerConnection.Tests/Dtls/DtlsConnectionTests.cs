using System.Security.Cryptography;
using Kvs.WebRtc.PeerConnection.Dtls;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Dtls;

[TestFixture]
public sealed class DtlsConnectionTests
{
    [Test]
    public void Handshake_TwoEndpoints_BothConnectWithSameSuiteAndSrtpProfile()
    {
        using var pair = new DtlsTestPair();
        Assert.That(pair.Handshake(), Is.True, pair.Client.Failure?.Message ?? pair.Server.Failure?.Message);
        Assert.Multiple(() =>
        {
            Assert.That(pair.Client.State, Is.EqualTo(DtlsState.Connected));
            Assert.That(pair.Server.State, Is.EqualTo(DtlsState.Connected));
            Assert.That(pair.Client.CipherSuite, Is.EqualTo(DtlsCipherSuite.EcdheEcdsaWithAes128GcmSha256));
            Assert.That(pair.Server.CipherSuite, Is.EqualTo(pair.Client.CipherSuite));
            Assert.That(pair.Client.SrtpProfile, Is.EqualTo(DtlsSrtpProtectionProfile.AeadAes128Gcm));
            Assert.That(pair.Server.SrtpProfile, Is.EqualTo(pair.Client.SrtpProfile));
            Assert.That(pair.Client.RemoteCertificate.ToArray(), Is.EqualTo(pair.ServerCertificate.Certificate.RawData));
            Assert.That(pair.Server.RemoteCertificate.ToArray(), Is.EqualTo(pair.ClientCertificate.Certificate.RawData));
        });
    }

    [Test]
    public void Handshake_ServerFirstAnswersWithHelloVerifyRequest()
    {
        using var pair = new DtlsTestPair();
        pair.Client.Start(TimeSpan.Zero);
        pair.Exchange();
        // The server's first datagram is a lone HelloVerifyRequest (handshake record, msg type 3).
        Assert.That(pair.ServerToClient[0][0], Is.EqualTo(22));
        Assert.That(pair.ServerToClient[0][13], Is.EqualTo(3));
        Assert.That(pair.Server.State, Is.EqualTo(DtlsState.New), "stateless until the cookie returns");
    }

    [Test]
    public void Handshake_ServerWithoutCookieExchange_ClientKeepsFirstHelloInTranscriptAndConnects()
    {
        using var pair = new DtlsTestPair(serverOptions: new DtlsOptions { UseCookieExchange = false });
        Assert.That(pair.Handshake(), Is.True, pair.Client.Failure?.Message ?? pair.Server.Failure?.Message);
        Assert.That(pair.ServerToClient[0][13], Is.EqualTo(2), "the first server message is a ServerHello");
        Assert.That(pair.ClientToServer.Count(d => d[13] == 1), Is.EqualTo(1), "a single ClientHello");
    }

    [TestCase((ushort)0xC02B)]
    [TestCase((ushort)0xC02C)]
    [TestCase((ushort)0xCCA9)]
    public void Handshake_EachCipherSuite_ConnectsAndExportsEqualKeys(ushort value)
    {
        var suite = (DtlsCipherSuite)value;
        if (!DtlsCipherSuiteInfo.IsSupported(suite))
        {
            Assert.Ignore($"{suite} is not supported on this platform.");
        }

        var options = new DtlsOptions { CipherSuites = [suite] };
        using var pair = new DtlsTestPair(options, options);
        Assert.That(pair.Handshake(), Is.True);
        Assert.That(pair.Client.CipherSuite, Is.EqualTo(suite));
        var a = new byte[60];
        var b = new byte[60];
        pair.Client.ExportKeyingMaterial(DtlsConnection.SrtpExporterLabel, a);
        pair.Server.ExportKeyingMaterial(DtlsConnection.SrtpExporterLabel, b);
        Assert.That(a, Is.EqualTo(b));
        Assert.That(a, Is.Not.EqualTo(new byte[60]));
    }

    [Test]
    public void ApplicationData_FlowsBothWays_OneRecordPerSend()
    {
        using var pair = new DtlsTestPair();
        Assert.That(pair.Handshake(), Is.True);
        var message = new byte[1200];
        RandomNumberGenerator.Fill(message);
        Assert.That(pair.Client.SendApplicationData(message), Is.True);
        Assert.That(pair.Server.SendApplicationData(message.AsSpan(0, 10)), Is.True);
        Assert.That(pair.Client.PendingTransmitCount, Is.EqualTo(1));
        pair.Exchange();
        var received = new byte[DtlsConnection.MaxApplicationDataLength];
        Assert.That(pair.Server.TryReadApplicationData(received, out var n), Is.True);
        Assert.That(received.AsSpan(0, n).ToArray(), Is.EqualTo(message));
        Assert.That(pair.Client.TryReadApplicationData(received, out n), Is.True);
        Assert.That(received.AsSpan(0, n).ToArray(), Is.EqualTo(message.AsSpan(0, 10).ToArray()));
        Assert.That(pair.Server.TryReadApplicationData(received, out _), Is.False);
    }

    [Test]
    public void ApplicationData_ReplayedRecord_IsDropped()
    {
        using var pair = new DtlsTestPair();
        Assert.That(pair.Handshake(), Is.True);
        var datagram = new byte[2000];
        Assert.That(pair.Client.TrySealApplicationData([1, 2, 3], datagram, out var n), Is.True);
        pair.Server.HandleInput(datagram.AsSpan(0, n), pair.Now);
        pair.Server.HandleInput(datagram.AsSpan(0, n), pair.Now);
        var buffer = new byte[100];
        Assert.That(pair.Server.TryReadApplicationData(buffer, out _), Is.True);
        Assert.That(pair.Server.TryReadApplicationData(buffer, out _), Is.False);
        Assert.That(pair.Server.DroppedRecords, Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public void ApplicationData_BadMac_IsDroppedAndConnectionSurvives()
    {
        using var pair = new DtlsTestPair();
        Assert.That(pair.Handshake(), Is.True);
        var datagram = new byte[2000];
        Assert.That(pair.Client.TrySealApplicationData([1, 2, 3], datagram, out var n), Is.True);
        datagram[n - 1] ^= 0x40;
        pair.Server.HandleInput(datagram.AsSpan(0, n), pair.Now);
        Assert.That(pair.Server.TryReadApplicationData(new byte[100], out _), Is.False);
        Assert.That(pair.Server.State, Is.EqualTo(DtlsState.Connected));
        Assert.That(pair.Server.DroppedRecords, Is.EqualTo(1));
    }

    [Test]
    public void ApplicationData_WrongEpoch_IsDropped()
    {
        using var pair = new DtlsTestPair();
        Assert.That(pair.Handshake(), Is.True);
        var datagram = new byte[2000];
        Assert.That(pair.Client.TrySealApplicationData([1, 2, 3], datagram, out var n), Is.True);
        datagram[4] = 2; // epoch 2
        pair.Server.HandleInput(datagram.AsSpan(0, n), pair.Now);
        Assert.That(pair.Server.TryReadApplicationData(new byte[100], out _), Is.False);
        Assert.That(pair.Server.DroppedRecords, Is.EqualTo(1));
    }

    [Test]
    public void Handshake_FingerprintMismatch_FailsWithTypedErrorAndAlert()
    {
        using var other = DtlsCertificate.Generate();
        using var pair = new DtlsTestPair(clientExpects: other.Fingerprint);
        Assert.That(pair.Handshake(), Is.False);
        Assert.That(pair.Client.State, Is.EqualTo(DtlsState.Failed));
        Assert.That(pair.Client.Failure!.Error, Is.EqualTo(DtlsError.FingerprintMismatch));
        Assert.That(pair.Client.Failure.Alert, Is.EqualTo(DtlsAlertDescription.BadCertificate));
        Assert.That(pair.Client.Failure.Message, Does.Contain("matches none of the fingerprints"));
        Assert.That(pair.Server.State, Is.EqualTo(DtlsState.Failed), "the server receives the bad_certificate alert");
        Assert.That(pair.Server.Failure!.Error, Is.EqualTo(DtlsError.AlertReceived));
    }

    [Test]
    public void SetRemoteFingerprints_AfterHandshake_CompletesPendingConnection()
    {
        using var clientCertificate = DtlsCertificate.Generate();
        using var serverCertificate = DtlsCertificate.Generate();
        using var client = new DtlsConnection(DtlsRole.Client, clientCertificate, [serverCertificate.Fingerprint]);
        using var server = new DtlsConnection(DtlsRole.Server, serverCertificate, []);
        Pump(client, server);
        Assert.That(client.State, Is.EqualTo(DtlsState.Connected));
        Assert.That(server.State, Is.EqualTo(DtlsState.Connecting), "the client's fingerprint is not known yet");
        Assert.That(server.NextTimeout, Is.Not.Null, "the handshake deadline still runs");

        server.SetRemoteFingerprints([clientCertificate.Fingerprint]);
        Assert.That(server.State, Is.EqualTo(DtlsState.Connected));
    }

    [Test]
    public void SetRemoteFingerprints_Mismatch_FailsAndAlertsPeer()
    {
        using var clientCertificate = DtlsCertificate.Generate();
        using var serverCertificate = DtlsCertificate.Generate();
        using var other = DtlsCertificate.Generate();
        using var client = new DtlsConnection(DtlsRole.Client, clientCertificate, []);
        using var server = new DtlsConnection(DtlsRole.Server, serverCertificate, [clientCertificate.Fingerprint]);
        Pump(client, server);
        Assert.That(client.State, Is.EqualTo(DtlsState.Connecting));
        Assert.That(server.State, Is.EqualTo(DtlsState.Connected));

        client.SetRemoteFingerprints([other.Fingerprint]);
        Assert.That(client.State, Is.EqualTo(DtlsState.Failed));
        Assert.That(client.Failure!.Error, Is.EqualTo(DtlsError.FingerprintMismatch));
        Pump(client, server);
        Assert.That(server.State, Is.EqualTo(DtlsState.Failed));
        Assert.That(server.Failure!.Alert, Is.EqualTo(DtlsAlertDescription.BadCertificate));
    }

    [Test]
    public void Handshake_ServerRejectsClientCertificate_BothFail()
    {
        using var other = DtlsCertificate.Generate();
        using var pair = new DtlsTestPair(serverExpects: other.Fingerprint);
        Assert.That(pair.Handshake(), Is.False);
        Assert.That(pair.Server.Failure!.Error, Is.EqualTo(DtlsError.FingerprintMismatch));
        Assert.That(pair.Client.State, Is.EqualTo(DtlsState.Failed));
    }

    [Test]
    public void Handshake_NoCommonSuite_FailsWithNegotiationError()
    {
        using var pair = new DtlsTestPair(
            new DtlsOptions { CipherSuites = [DtlsCipherSuite.EcdheEcdsaWithAes256GcmSha384] },
            new DtlsOptions { CipherSuites = [DtlsCipherSuite.EcdheEcdsaWithAes128GcmSha256] });
        Assert.That(pair.Handshake(), Is.False);
        Assert.That(pair.Server.Failure!.Error, Is.EqualTo(DtlsError.NegotiationFailed));
        Assert.That(pair.Client.Failure!.Alert, Is.EqualTo(DtlsAlertDescription.HandshakeFailure));
    }

    [Test]
    public void Handshake_NoSrtpProfiles_ConnectsWithoutProfile()
    {
        using var pair = new DtlsTestPair(new DtlsOptions { SrtpProfiles = [] });
        Assert.That(pair.Handshake(), Is.True);
        Assert.That(pair.Client.SrtpProfile, Is.Null);
        Assert.That(pair.Server.SrtpProfile, Is.Null);
    }

    [Test]
    public void Handshake_SmallMtu_FragmentsFlightsAndStillConnects()
    {
        var options = new DtlsOptions { MaximumTransmissionUnit = 256 };
        using var pair = new DtlsTestPair(options, options);
        Assert.That(pair.Handshake(), Is.True);
        Assert.That(pair.ServerToClient.Concat(pair.ClientToServer).All(d => d.Length <= 256), Is.True);
        Assert.That(pair.ServerToClient.Count, Is.GreaterThan(4), "the certificate flight needed several datagrams");
    }

    [Test]
    public void Handshake_LossOfEveryFirstTransmission_RecoversByRetransmission()
    {
        var options = new DtlsOptions { InitialRetransmitTimeout = TimeSpan.FromMilliseconds(100) };
        using var pair = new DtlsTestPair(options, options);
        var seen = new HashSet<string>();
        // Drop the first copy of every distinct datagram content class (by direction and length).
        pair.Filter = (fromClient, d) => seen.Add($"{fromClient}:{d.Length}:{d[13]}") ? null : d;
        Assert.That(pair.Handshake(500), Is.True, pair.Client.Failure?.Message ?? pair.Server.Failure?.Message);
        Assert.That(pair.Now, Is.GreaterThan(TimeSpan.Zero));
    }

    [Test]
    public void Handshake_LostFinalFlight_ServerRetransmitsWhenClientRepeats()
    {
        var options = new DtlsOptions { InitialRetransmitTimeout = TimeSpan.FromMilliseconds(50) };
        using var pair = new DtlsTestPair(options, options);
        var droppedFinal = false;
        pair.Filter = (fromClient, d) =>
        {
            if (!fromClient && pair.Server.State == DtlsState.Connected && !droppedFinal)
            {
                droppedFinal = true;
                return null;
            }

            return d;
        };
        Assert.That(pair.Handshake(), Is.True);
        Assert.That(droppedFinal, Is.True);
    }

    [Test]
    public void Timeout_BacksOffExponentiallyAndFailsAfterHandshakeTimeout()
    {
        var options = new DtlsOptions
        {
            InitialRetransmitTimeout = TimeSpan.FromSeconds(1),
            MaxRetransmitTimeout = TimeSpan.FromSeconds(4),
            HandshakeTimeout = TimeSpan.FromSeconds(20),
        };
        using var certificate = DtlsCertificate.Generate();
        using var client = new DtlsConnection(DtlsRole.Client, certificate, [certificate.Fingerprint], options);
        client.Start(TimeSpan.Zero);
        var buffer = new byte[2000];
        var deadlines = new List<TimeSpan>();
        var transmissions = 0;
        for (var i = 0; i < 50 && client.NextTimeout is { } next; i++)
        {
            deadlines.Add(next);
            while (client.TryPollTransmit(buffer, TimeSpan.Zero, out _))
            {
                transmissions++;
            }

            client.HandleTimeout(next);
        }

        Assert.That(deadlines.Take(5), Is.EqualTo(new[] { 1, 3, 7, 11, 15 }.Select(s => TimeSpan.FromSeconds(s))));
        Assert.That(client.State, Is.EqualTo(DtlsState.Failed));
        Assert.That(client.Failure!.Error, Is.EqualTo(DtlsError.Timeout));
        Assert.That(transmissions, Is.EqualTo(7), "the first ClientHello plus retransmissions at 1, 3, 7, 11, 15 and 19 s");
    }

    [Test]
    public void Close_SendsCloseNotifyAndPeerCloses()
    {
        using var pair = new DtlsTestPair();
        Assert.That(pair.Handshake(), Is.True);
        pair.Client.Close();
        pair.Exchange();
        Assert.That(pair.Client.State, Is.EqualTo(DtlsState.Closed));
        Assert.That(pair.Server.State, Is.EqualTo(DtlsState.Closed));
        Assert.Throws<InvalidOperationException>(() => pair.Server.SendApplicationData([1]));
    }

    [Test]
    public void SendApplicationData_BeforeConnected_Throws()
    {
        using var pair = new DtlsTestPair();
        Assert.Throws<InvalidOperationException>(() => pair.Client.SendApplicationData([1]));
    }

    [Test]
    public void ToString_ContainsNoSecrets()
    {
        using var pair = new DtlsTestPair();
        Assert.That(pair.Handshake(), Is.True);
        Assert.That(pair.Client.ToString(), Does.StartWith("DtlsConnection(Client, Connected"));
    }

    [Test]
    public void RecordSealOpen_DoesNotAllocate()
    {
        using var pair = new DtlsTestPair();
        Assert.That(pair.Handshake(), Is.True);
        var payload = new byte[1200];
        var datagram = new byte[1300];
        var output = new byte[DtlsConnection.MaxApplicationDataLength];
        for (var i = 0; i < 50; i++)
        {
            pair.Client.TrySealApplicationData(payload, datagram, out var n);
            pair.Server.HandleInput(datagram.AsSpan(0, n), pair.Now);
            pair.Server.TryReadApplicationData(output, out _);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 200; i++)
        {
            pair.Client.TrySealApplicationData(payload, datagram, out var n);
            pair.Server.HandleInput(datagram.AsSpan(0, n), pair.Now);
            pair.Server.TryReadApplicationData(output, out _);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
    }

    private static void Pump(DtlsConnection client, DtlsConnection server)
    {
        var buffer = new byte[4096];
        client.Start(TimeSpan.Zero);
        for (var i = 0; i < 20; i++)
        {
            while (client.TryPollTransmit(buffer, TimeSpan.Zero, out var n))
            {
                server.HandleInput(buffer.AsSpan(0, n), TimeSpan.Zero);
            }

            while (server.TryPollTransmit(buffer, TimeSpan.Zero, out var n))
            {
                client.HandleInput(buffer.AsSpan(0, n), TimeSpan.Zero);
            }
        }
    }
}
