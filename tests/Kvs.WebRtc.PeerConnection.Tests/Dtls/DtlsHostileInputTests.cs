using System.Buffers.Binary;
using Kvs.WebRtc.PeerConnection.Dtls;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Dtls;

/// <summary>Malformed, replayed, reordered, repeated and randomly mutated input: dropped or answered with an alert, never a crash.</summary>
[TestFixture]
public sealed class DtlsHostileInputTests
{
    [Test]
    public void Handshake_EveryDatagramDeliveredTwice_StillConnects()
    {
        var options = new DtlsOptions { MaximumTransmissionUnit = 300 };
        using var pair = new DtlsTestPair(options, options);
        var buffer = new byte[2000];
        pair.Client.Start(pair.Now);
        for (var round = 0; round < 100 && !(pair.Client.State == DtlsState.Connected && pair.Server.State == DtlsState.Connected); round++)
        {
            while (pair.Client.TryPollTransmit(buffer, TimeSpan.Zero, out var n))
            {
                pair.Server.HandleInput(buffer.AsSpan(0, n), pair.Now);
                pair.Server.HandleInput(buffer.AsSpan(0, n), pair.Now);
            }

            while (pair.Server.TryPollTransmit(buffer, TimeSpan.Zero, out var n))
            {
                pair.Client.HandleInput(buffer.AsSpan(0, n), pair.Now);
                pair.Client.HandleInput(buffer.AsSpan(0, n), pair.Now);
            }
        }

        Assert.That(pair.Client.State, Is.EqualTo(DtlsState.Connected), pair.Client.Failure?.Message);
        Assert.That(pair.Server.State, Is.EqualTo(DtlsState.Connected), pair.Server.Failure?.Message);
        Assert.That(pair.Server.DroppedRecords + pair.Client.DroppedRecords, Is.GreaterThan(0), "duplicates were dropped as replays");
    }

    [Test]
    public void Handshake_FlightDatagramsDeliveredInReverseOrder_StillConnects()
    {
        var options = new DtlsOptions { MaximumTransmissionUnit = 256 };
        using var pair = new DtlsTestPair(options, options);
        var buffer = new byte[2000];
        pair.Client.Start(pair.Now);
        for (var round = 0; round < 100 && !(pair.Client.State == DtlsState.Connected && pair.Server.State == DtlsState.Connected); round++)
        {
            var toServer = Drain(pair.Client, buffer);
            toServer.Reverse();
            toServer.ForEach(d => pair.Server.HandleInput(d, pair.Now));
            var toClient = Drain(pair.Server, buffer);
            toClient.Reverse();
            toClient.ForEach(d => pair.Client.HandleInput(d, pair.Now));
            if (toServer.Count == 0 && toClient.Count == 0)
            {
                pair.Now += TimeSpan.FromSeconds(1);
                pair.Client.HandleTimeout(pair.Now);
                pair.Server.HandleTimeout(pair.Now);
            }
        }

        Assert.That(pair.Client.State, Is.EqualTo(DtlsState.Connected), pair.Client.Failure?.Message);
        Assert.That(pair.Server.State, Is.EqualTo(DtlsState.Connected), pair.Server.Failure?.Message);
    }

    [Test]
    public void HandleInput_OversizedFragmentLength_IsDroppedWithoutFailing()
    {
        using var certificate = DtlsCertificate.Generate();
        using var client = new DtlsConnection(DtlsRole.Client, certificate, [certificate.Fingerprint]);
        client.Start(TimeSpan.Zero);
        var record = HandshakeRecord(type: 2, length: 0xFFFFFF, sequence: 0, offset: 0, fragment: new byte[10]);
        client.HandleInput(record, TimeSpan.Zero);
        Assert.That(client.State, Is.EqualTo(DtlsState.Connecting));
        Assert.That(client.DroppedRecords, Is.EqualTo(1));
    }

    [Test]
    public void HandleInput_RecordLengthBeyondDatagram_IsDropped()
    {
        using var certificate = DtlsCertificate.Generate();
        using var server = new DtlsConnection(DtlsRole.Server, certificate, [certificate.Fingerprint]);
        var record = HandshakeRecord(type: 1, length: 10, sequence: 0, offset: 0, fragment: new byte[10]);
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(11), 5000);
        server.HandleInput(record, TimeSpan.Zero);
        Assert.That(server.DroppedRecords, Is.EqualTo(1));
        Assert.That(server.PendingTransmitCount, Is.EqualTo(0));
    }

    [Test]
    public void HandleInput_UnexpectedHandshakeMessage_FailsWithUnexpectedMessageAlert()
    {
        using var certificate = DtlsCertificate.Generate();
        using var client = new DtlsConnection(DtlsRole.Client, certificate, [certificate.Fingerprint]);
        client.Start(TimeSpan.Zero);
        var buffer = new byte[2000];
        while (client.TryPollTransmit(buffer, TimeSpan.Zero, out _))
        {
        }

        // A ServerHelloDone where a ServerHello is due.
        client.HandleInput(HandshakeRecord(type: 14, length: 0, sequence: 0, offset: 0, fragment: []), TimeSpan.Zero);
        Assert.That(client.State, Is.EqualTo(DtlsState.Failed));
        Assert.That(client.Failure!.Alert, Is.EqualTo(DtlsAlertDescription.UnexpectedMessage));
        Assert.That(client.TryPollTransmit(buffer, TimeSpan.Zero, out var n), Is.True);
        Assert.That(buffer[0], Is.EqualTo(21), "an alert record was sent");
        Assert.That(buffer.AsSpan(13, 2).ToArray(), Is.EqualTo(new byte[] { 2, 10 }));
    }

    [Test]
    public void HandleInput_ForgedPlaintextHandshakeAfterConnect_IsDroppedAndConnectionSurvives()
    {
        using var pair = new DtlsTestPair();
        Assert.That(pair.Handshake(), Is.True);
        var dropped = pair.Client.DroppedRecords;
        // A plaintext ServerHello with the next message_seq, as an on-path forger could send.
        for (ushort sequence = 0; sequence < 12; sequence++)
        {
            pair.Client.HandleInput(HandshakeRecord(type: 2, length: 0, sequence: sequence, offset: 0, fragment: [], recordSequence: 1000u + sequence), pair.Now);
        }

        Assert.That(pair.Client.State, Is.EqualTo(DtlsState.Connected));
        Assert.That(pair.Client.DroppedRecords, Is.GreaterThan(dropped));
        Assert.That(pair.Client.SendApplicationData([1]), Is.True);
    }

    [Test]
    public void HandleInput_GarbageBeforeAnyHandshake_IsCountedAndIgnored()
    {
        using var certificate = DtlsCertificate.Generate();
        using var server = new DtlsConnection(DtlsRole.Server, certificate, [certificate.Fingerprint]);
        var random = new Random(7);
        for (var i = 0; i < 500; i++)
        {
            var datagram = new byte[random.Next(0, 200)];
            random.NextBytes(datagram);
            server.HandleInput(datagram, TimeSpan.Zero);
        }

        Assert.That(server.State, Is.EqualTo(DtlsState.New));
        Assert.That(server.DroppedRecords, Is.GreaterThan(0));
    }

    [Test]
    public void Fuzz_MutatedHandshakeDatagrams_NeverThrowAndTerminate()
    {
        var random = new Random(20261121);
        var outcomes = new Dictionary<string, int>();
        for (var iteration = 0; iteration < 60; iteration++)
        {
            var options = new DtlsOptions
            {
                InitialRetransmitTimeout = TimeSpan.FromMilliseconds(100),
                HandshakeTimeout = TimeSpan.FromSeconds(5),
                MaximumTransmissionUnit = random.Next(2) == 0 ? 1200 : 300,
            };
            using var pair = new DtlsTestPair(options, options);
            pair.Filter = (_, datagram) =>
            {
                if (random.Next(4) != 0)
                {
                    return datagram;
                }

                var copy = (byte[])datagram.Clone();
                switch (random.Next(4))
                {
                    case 0:
                        copy[random.Next(copy.Length)] ^= (byte)random.Next(1, 256);
                        break;
                    case 1:
                        return copy.AsSpan(0, random.Next(copy.Length)).ToArray();
                    case 2:
                        for (var k = 0; k < 5; k++)
                        {
                            copy[random.Next(copy.Length)] = (byte)random.Next(256);
                        }

                        break;
                    default:
                        return null;
                }

                return copy;
            };

            Assert.DoesNotThrow(() => pair.Handshake(400));
            var outcome = $"{pair.Client.State}/{pair.Server.State}";
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            Assert.That(pair.Client.State, Is.AnyOf(DtlsState.Connected, DtlsState.Failed, DtlsState.Closed, DtlsState.Connecting), outcome);
        }

        Assert.That(outcomes.Keys, Has.Some.EqualTo("Connected/Connected"), string.Join(", ", outcomes));
    }

    [Test]
    public void Fuzz_MutatedRecordsAfterHandshake_NeverThrowAndNeverDeliver()
    {
        using var pair = new DtlsTestPair();
        Assert.That(pair.Handshake(), Is.True);
        var random = new Random(99);
        var datagram = new byte[2000];
        var output = new byte[DtlsConnection.MaxApplicationDataLength];
        for (var i = 0; i < 2000; i++)
        {
            var payload = new byte[random.Next(0, 300)];
            random.NextBytes(payload);
            pair.Client.TrySealApplicationData(payload, datagram, out var n);
            var copy = datagram.AsSpan(0, n).ToArray();
            copy[random.Next(copy.Length)] ^= (byte)random.Next(1, 256);
            Assert.DoesNotThrow(() => pair.Server.HandleInput(copy, pair.Now));
        }

        var delivered = 0;
        while (pair.Server.TryReadApplicationData(output, out _))
        {
            delivered++;
        }

        // A flipped header byte can still leave a valid record only if it hit a byte outside authentication:
        // DTLS authenticates every header byte except the length, whose change breaks decryption too.
        Assert.That(delivered, Is.EqualTo(0));
        Assert.That(pair.Server.State, Is.EqualTo(DtlsState.Connected));
    }

    [Test]
    public void ReceiveQueue_IsCapped()
    {
        using var pair = new DtlsTestPair(serverOptions: new DtlsOptions { MaxPendingReceiveRecords = 4 });
        Assert.That(pair.Handshake(), Is.True);
        var datagram = new byte[200];
        for (var i = 0; i < 10; i++)
        {
            pair.Client.TrySealApplicationData([1, 2, 3], datagram, out var n);
            pair.Server.HandleInput(datagram.AsSpan(0, n), pair.Now);
        }

        Assert.That(pair.Server.DroppedApplicationRecords, Is.EqualTo(6));
    }

    private static List<byte[]> Drain(DtlsConnection connection, byte[] buffer)
    {
        var list = new List<byte[]>();
        while (connection.TryPollTransmit(buffer, TimeSpan.Zero, out var n))
        {
            list.Add(buffer.AsSpan(0, n).ToArray());
        }

        return list;
    }

    private static byte[] HandshakeRecord(byte type, int length, ushort sequence, int offset, byte[] fragment, uint recordSequence = 0)
    {
        var record = new byte[13 + 12 + fragment.Length];
        record[0] = 22;
        record[1] = 0xFE;
        record[2] = 0xFD;
        BinaryPrimitives.WriteUInt32BigEndian(record.AsSpan(7), recordSequence);
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(11), (ushort)(12 + fragment.Length));
        record[13] = type;
        record[14] = (byte)(length >> 16);
        record[15] = (byte)(length >> 8);
        record[16] = (byte)length;
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(17), sequence);
        record[19] = (byte)(offset >> 16);
        record[20] = (byte)(offset >> 8);
        record[21] = (byte)offset;
        record[22] = (byte)(fragment.Length >> 16);
        record[23] = (byte)(fragment.Length >> 8);
        record[24] = (byte)fragment.Length;
        fragment.CopyTo(record, 25);
        return record;
    }
}
