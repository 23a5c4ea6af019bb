using System.Buffers.Binary;
using Kvs.WebRtc.PeerConnection.Dtls;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Dtls;

/// <summary>
/// A stateless server reassembles a ClientHello split into handshake fragments across datagrams (RFC 6347 §4.2.3),
/// as Chromium does with ClientHellos over 1200 bytes, before and after the HelloVerifyRequest, with bounded state.
/// </summary>
[TestFixture]
public sealed class DtlsFragmentedClientHelloTests
{
    private const int RecordHeader = 13;
    private const int HandshakeHeader = 12;

    [TestCase(2, new[] { 0, 1 })]
    [TestCase(2, new[] { 1, 0 })]
    [TestCase(3, new[] { 0, 1, 2 })]
    [TestCase(3, new[] { 2, 0, 1 })]
    [TestCase(3, new[] { 1, 2, 0 })]
    public void Handshake_EveryClientHelloFragmented_Completes(int parts, int[] order)
    {
        using var pair = new DtlsTestPair();
        var split = 0;
        pair.Filter = (fromClient, datagram) =>
        {
            if (fromClient && TryGetWholeClientHello(datagram, out _))
            {
                split++;
                var fragments = Split(datagram, parts);
                foreach (var index in order)
                {
                    pair.Server.HandleInput(fragments[index], pair.Now);
                }

                return null;
            }

            return datagram;
        };

        Assert.That(pair.Handshake(), Is.True, pair.Client.Failure?.Message ?? pair.Server.Failure?.Message);
        Assert.That(split, Is.EqualTo(2), "the first ClientHello and the one with the cookie were both fragmented");
        Assert.That(pair.Server.PartialClientHellos, Is.Zero);
    }

    [Test]
    public void Handshake_FragmentedClientHelloWithoutCookieExchange_Completes()
    {
        using var pair = new DtlsTestPair(serverOptions: new DtlsOptions { UseCookieExchange = false });
        var split = 0;
        pair.Filter = (fromClient, datagram) =>
        {
            if (fromClient && TryGetWholeClientHello(datagram, out _))
            {
                split++;
                var fragments = Split(datagram, 2);
                pair.Server.HandleInput(fragments[1], pair.Now);
                pair.Server.HandleInput(fragments[0], pair.Now);
                return null;
            }

            return datagram;
        };

        Assert.That(pair.Handshake(), Is.True, pair.Client.Failure?.Message ?? pair.Server.Failure?.Message);
        Assert.That(split, Is.EqualTo(1));
    }

    [Test]
    public void FirstFragmentAlone_IsBufferedWithoutAnswer()
    {
        using var pair = new DtlsTestPair();
        pair.Client.Start(pair.Now);
        pair.Server.Start(pair.Now);
        var fragments = Split(PollClientHello(pair), 3);
        pair.Server.HandleInput(fragments[0], pair.Now);
        pair.Server.HandleInput(fragments[2], pair.Now);
        Assert.That(pair.Server.PendingTransmitCount, Is.Zero, "no HelloVerifyRequest before the whole ClientHello");
        Assert.That(pair.Server.PartialClientHellos, Is.EqualTo(1));
        Assert.That(pair.Server.State, Is.EqualTo(DtlsState.New));
        pair.Server.HandleInput(fragments[1], pair.Now);
        Assert.That(pair.Server.PendingTransmitCount, Is.EqualTo(1), "the HelloVerifyRequest");
        Assert.That(pair.Server.PartialClientHellos, Is.Zero, "stateless again after answering");
        Assert.That(pair.Server.State, Is.EqualTo(DtlsState.New));
    }

    [Test]
    public void Hostile_OversizedOrNonClientHelloFragments_DroppedWithoutState()
    {
        using var pair = new DtlsTestPair();
        pair.Server.Start(pair.Now);
        pair.Server.HandleInput(Fragment(type: 1, length: 1 << 20, sequence: 0, offset: 0, new byte[100], recordSequence: 1), pair.Now);
        pair.Server.HandleInput(Fragment(type: 1, length: DtlsClientHelloAssembler.MaxMessageLength + 1, sequence: 0, offset: 0, new byte[100], recordSequence: 2), pair.Now);
        pair.Server.HandleInput(Fragment(type: 16, length: 500, sequence: 0, offset: 0, new byte[100], recordSequence: 3), pair.Now);
        Assert.That(pair.Server.PartialClientHellos, Is.Zero);
        Assert.That(pair.Server.DroppedRecords, Is.EqualTo(3));
        Assert.That(pair.Server.PendingTransmitCount, Is.Zero);
    }

    [Test]
    public void Hostile_ManyStrayFragments_StateStaysBoundedAndRealClientStillConnects()
    {
        using var pair = new DtlsTestPair();
        pair.Server.Start(pair.Now);
        var random = new Random(7);
        for (var i = 0; i < 500; i++)
        {
            var length = random.Next(2, DtlsClientHelloAssembler.MaxMessageLength + 1);
            var fragmentLength = random.Next(1, Math.Min(length, 1100));
            var offset = random.Next(0, length - fragmentLength + 1);
            var body = new byte[fragmentLength];
            random.NextBytes(body);
            var recordSequence = (ulong)random.NextInt64(0, 1L << 47);
            pair.Server.HandleInput(Fragment(1, length, random.Next(0, 65536), offset, body, recordSequence), pair.Now);
            Assert.That(pair.Server.PartialClientHellos, Is.LessThanOrEqualTo(DtlsClientHelloAssembler.Slots));
        }

        Assert.That(pair.Server.State, Is.EqualTo(DtlsState.New));
        Assert.That(pair.Handshake(), Is.True, "stray fragments and their huge record sequence numbers must not shut out the client");
    }

    [Test]
    public void Hostile_StrayFragmentBetweenRealFragments_RealClientHelloStillAssembled()
    {
        using var pair = new DtlsTestPair();
        pair.Filter = (fromClient, datagram) =>
        {
            if (fromClient && TryGetWholeClientHello(datagram, out var messageSequence))
            {
                var fragments = Split(datagram, 2);
                pair.Server.HandleInput(fragments[0], pair.Now);
                pair.Server.HandleInput(Fragment(1, 900, messageSequence + 5, 0, new byte[300], 1UL << 40), pair.Now);
                pair.Server.HandleInput(fragments[1], pair.Now);
                return null;
            }

            return datagram;
        };

        Assert.That(pair.Handshake(), Is.True, pair.Client.Failure?.Message ?? pair.Server.Failure?.Message);
    }

    [Test]
    public void Hostile_ConflictingOverlappingFragment_NoCrashAndRetransmissionRecovers()
    {
        using var pair = new DtlsTestPair(new DtlsOptions { InitialRetransmitTimeout = TimeSpan.FromMilliseconds(100) });
        var poisoned = 0;
        pair.Filter = (fromClient, datagram) =>
        {
            if (fromClient && TryGetWholeClientHello(datagram, out _))
            {
                var fragments = Split(datagram, 2);
                pair.Server.HandleInput(fragments[0], pair.Now);
                if (poisoned++ == 0)
                {
                    // Garbage covering the second half completes the message first: it must fail the parse or the cookie check.
                    var garbage = (byte[])fragments[1].Clone();
                    garbage.AsSpan(RecordHeader + HandshakeHeader).Fill(0xEE);
                    pair.Server.HandleInput(garbage, pair.Now);
                }

                pair.Server.HandleInput(fragments[1], pair.Now);
                return null;
            }

            return datagram;
        };

        Assert.That(pair.Handshake(), Is.True, pair.Client.Failure?.Message ?? pair.Server.Failure?.Message);
        Assert.That(poisoned, Is.GreaterThanOrEqualTo(2), "the client had to retransmit");
    }

    [Test]
    public void Hostile_RandomlyMutatedFragments_NeverThrowAndStateBounded()
    {
        var random = new Random(11);
        for (var iteration = 0; iteration < 100; iteration++)
        {
            using var pair = new DtlsTestPair();
            pair.Client.Start(pair.Now);
            pair.Server.Start(pair.Now);
            foreach (var fragment in Split(PollClientHello(pair), 3))
            {
                var mutated = (byte[])fragment.Clone();
                for (var k = random.Next(1, 4); k > 0; k--)
                {
                    mutated[random.Next(RecordHeader, RecordHeader + HandshakeHeader)] = (byte)random.Next(256);
                }

                Assert.DoesNotThrow(() => pair.Server.HandleInput(mutated, pair.Now));
                Assert.That(pair.Server.PartialClientHellos, Is.LessThanOrEqualTo(DtlsClientHelloAssembler.Slots));
            }
        }
    }

    [Test]
    public void Assembler_EvictsOldestAndNeverHoldsMoreThanSlots()
    {
        var assembler = new DtlsClientHelloAssembler();
        for (var sequence = 0; sequence < 10; sequence++)
        {
            Assert.That(assembler.Add(sequence, 100, 0, new byte[50], 0, out _, out _, out var dropped), Is.False);
            Assert.That(dropped, Is.False);
        }

        Assert.That(assembler.BufferedMessages, Is.EqualTo(DtlsClientHelloAssembler.Slots));
        Assert.That(assembler.Add(9, 100, 50, new byte[50], 5, out var body, out var last, out _), Is.True, "the newest partial message survived");
        Assert.That((body.Length, last), Is.EqualTo((100, 5UL)));
        Assert.That(assembler.Add(0, 100, 50, new byte[50], 0, out _, out _, out _), Is.False, "the oldest was evicted");
    }

    private static byte[] PollClientHello(DtlsTestPair pair)
    {
        var buffer = new byte[2048];
        Assert.That(pair.Client.TryPollTransmit(buffer, TimeSpan.Zero, out var n), Is.True);
        var datagram = buffer.AsSpan(0, n).ToArray();
        Assert.That(TryGetWholeClientHello(datagram, out _), Is.True);
        return datagram;
    }

    /// <summary>True when <paramref name="datagram"/> is exactly one epoch-0 record holding one whole ClientHello.</summary>
    private static bool TryGetWholeClientHello(byte[] datagram, out int messageSequence)
    {
        messageSequence = 0;
        if (datagram.Length < RecordHeader + HandshakeHeader || datagram[0] != 22 || datagram[3] != 0 || datagram[4] != 0 || datagram[RecordHeader] != 1)
        {
            return false;
        }

        var recordLength = BinaryPrimitives.ReadUInt16BigEndian(datagram.AsSpan(11));
        var length = ReadUInt24(datagram, RecordHeader + 1);
        var offset = ReadUInt24(datagram, RecordHeader + 6);
        var fragmentLength = ReadUInt24(datagram, RecordHeader + 9);
        messageSequence = BinaryPrimitives.ReadUInt16BigEndian(datagram.AsSpan(RecordHeader + 4));
        return recordLength == datagram.Length - RecordHeader && offset == 0 && fragmentLength == length && recordLength == HandshakeHeader + length;
    }

    /// <summary>Splits a whole-ClientHello datagram into <paramref name="parts"/> datagrams, one fragment each, with fresh record numbers.</summary>
    private static byte[][] Split(byte[] datagram, int parts)
    {
        var length = ReadUInt24(datagram, RecordHeader + 1);
        var sequence = BinaryPrimitives.ReadUInt16BigEndian(datagram.AsSpan(RecordHeader + 4));
        var recordSequence = ReadUInt48(datagram, 5);
        var body = datagram.AsSpan(RecordHeader + HandshakeHeader, length);
        var result = new byte[parts][];
        var start = 0;
        for (var i = 0; i < parts; i++)
        {
            var end = i == parts - 1 ? length : length * (i + 1) / parts;
            result[i] = Fragment(1, length, sequence, start, body[start..end].ToArray(), (recordSequence * 16) + (ulong)i);
            start = end;
        }

        return result;
    }

    private static byte[] Fragment(byte type, int length, int sequence, int offset, byte[] body, ulong recordSequence)
    {
        var datagram = new byte[RecordHeader + HandshakeHeader + body.Length];
        datagram[0] = 22;
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(1), 0xFEFD);
        WriteUInt48(datagram, 5, recordSequence);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(11), (ushort)(HandshakeHeader + body.Length));
        datagram[RecordHeader] = type;
        WriteUInt24(datagram, RecordHeader + 1, length);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(RecordHeader + 4), (ushort)sequence);
        WriteUInt24(datagram, RecordHeader + 6, offset);
        WriteUInt24(datagram, RecordHeader + 9, body.Length);
        body.CopyTo(datagram, RecordHeader + HandshakeHeader);
        return datagram;
    }

    private static int ReadUInt24(byte[] data, int at) => (data[at] << 16) | (data[at + 1] << 8) | data[at + 2];

    private static void WriteUInt24(byte[] data, int at, int value)
    {
        data[at] = (byte)(value >> 16);
        data[at + 1] = (byte)(value >> 8);
        data[at + 2] = (byte)value;
    }

    private static ulong ReadUInt48(byte[] data, int at)
    {
        ulong value = 0;
        for (var i = 0; i < 6; i++)
        {
            value = (value << 8) | data[at + i];
        }

        return value;
    }

    private static void WriteUInt48(byte[] data, int at, ulong value)
    {
        for (var i = 5; i >= 0; i--)
        {
            data[at + i] = (byte)value;
            value >>= 8;
        }
    }
}
