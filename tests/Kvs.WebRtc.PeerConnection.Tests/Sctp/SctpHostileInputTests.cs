using System.Buffers.Binary;
using Kvs.WebRtc.PeerConnection.Sctp;
using Kvs.WebRtc.Testing.Sctp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Sctp;

public sealed class SctpHostileInputTests
{
    private static readonly SctpAssociationOptions s_options = new() { HeartbeatInterval = Timeout.InfiniteTimeSpan };

    private static SctpTestLink Established(int seed = 1)
    {
        var link = new SctpTestLink(s_options, s_options, seed);
        link.Connect();
        Assert.That(link.Pump(() => link.A.State == SctpAssociationState.Established && link.B.State == SctpAssociationState.Established), Is.True);
        return link;
    }

    private static byte[] Retag(byte[] packet, uint tag)
    {
        var copy = (byte[])packet.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(4), tag);
        SctpPacket.WriteChecksum(copy);
        return copy;
    }

    /// <summary>Sends one message A->B and returns a copy of the DATA packet as it travelled.</summary>
    private static byte[] CaptureDataPacket(SctpTestLink link)
    {
        byte[]? captured = null;
        link.Filter = (toB, packet) =>
        {
            if (toB && packet[12] == (byte)SctpChunkType.Data)
            {
                captured ??= packet;
            }

            return false;
        };
        link.A.Send(1, 53, [1, 2, 3, 4], false, SctpReliability.Reliable, link.Now);
        Assert.That(link.Pump(() => link.Messages(false).Any()), Is.True);
        link.Filter = null;
        return captured!;
    }

    [Test]
    public void HandleInput_BadChecksum_DroppedAndCounted()
    {
        var link = Established();
        var packet = CaptureDataPacket(link);
        packet[^1] ^= 0xFF;
        var dropped = link.B.Statistics.PacketsDropped;
        link.B.HandleInput(packet, link.Now);
        Assert.That(link.B.Statistics.PacketsDropped, Is.EqualTo(dropped + 1));
        Assert.That(link.B.PendingEventCount, Is.Zero);
    }

    [Test]
    public void HandleInput_WrongVerificationTag_DroppedAndCounted()
    {
        var link = Established();
        var packet = Retag(CaptureDataPacket(link), link.B.LocalVerificationTag ^ 0x5A5A5A5A);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(16), BinaryPrimitives.ReadUInt32BigEndian(packet.AsSpan(16)) + 1);
        SctpPacket.WriteChecksum(packet);
        var dropped = link.B.Statistics.PacketsDropped;
        link.B.HandleInput(packet, link.Now);
        Assert.That(link.B.Statistics.PacketsDropped, Is.EqualTo(dropped + 1));
        Assert.That(link.B.PendingEventCount, Is.Zero);
    }

    [Test]
    public void HandleInput_TsnFarOutsideWindow_DataDropped()
    {
        var link = Established();
        var packet = CaptureDataPacket(link);
        var tsn = BinaryPrimitives.ReadUInt32BigEndian(packet.AsSpan(16));
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(16), tsn + 200_000);
        SctpPacket.WriteChecksum(packet);
        var dropped = link.B.Statistics.DataChunksDropped;
        link.B.HandleInput(packet, link.Now);
        Assert.That(link.B.Statistics.DataChunksDropped, Is.EqualTo(dropped + 1));
        Assert.That(link.B.PendingEventCount, Is.Zero);
    }

    [Test]
    public void HandleInput_ChunkLengthBeyondPacket_DroppedAndCounted()
    {
        var link = Established();
        var packet = CaptureDataPacket(link);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(14), 4000);
        SctpPacket.WriteChecksum(packet);
        var dropped = link.B.Statistics.PacketsDropped;
        link.B.HandleInput(packet, link.Now);
        Assert.That(link.B.Statistics.PacketsDropped, Is.EqualTo(dropped + 1));
        Assert.That(link.B.State, Is.EqualTo(SctpAssociationState.Established));
    }

    [Test]
    public void HandleInput_TruncatedOrEmpty_Dropped()
    {
        var link = Established();
        Assert.DoesNotThrow(() =>
        {
            link.B.HandleInput([], link.Now);
            link.B.HandleInput(new byte[12], link.Now);
            link.B.HandleInput(new byte[15], link.Now);
        });
        Assert.That(link.B.Statistics.PacketsDropped, Is.EqualTo(3));
    }

    [Test]
    public void HandleInput_SackForUnsentTsn_AbortsPerRfc()
    {
        var link = Established();
        var data = CaptureDataPacket(link);
        var tsn = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(16));
        var buffer = new byte[100];
        var writer = new SctpPacketWriter(buffer, 5000, 5000, link.A.LocalVerificationTag);
        writer.BeginChunk(SctpChunkType.Sack, 0);
        writer.WriteUInt32(tsn + 1000);
        writer.WriteUInt32(100000);
        writer.WriteUInt32(0);
        writer.EndChunk();
        var length = writer.Finish();
        link.A.HandleInput(buffer.AsSpan(0, length), link.Now);
        Assert.That(link.A.IsTerminated, Is.True);
        Assert.That(link.Pump(() => link.B.IsTerminated), Is.True, "the peer receives the ABORT");
    }

    [Test]
    public void HandleInput_InitBundledWithOtherChunk_Dropped()
    {
        var passive = new SctpAssociation(s_options, TimeSpan.Zero);
        var buffer = new byte[200];
        var writer = new SctpPacketWriter(buffer, 5000, 5000, 0);
        InitChunk.Write(ref writer, SctpChunkType.Init, 1234, 100000, 10, 10, 1, default);
        writer.BeginChunk(SctpChunkType.CookieAck, 0);
        writer.EndChunk();
        var length = writer.Finish();
        passive.HandleInput(buffer.AsSpan(0, length), TimeSpan.Zero);
        Assert.That(passive.Statistics.PacketsDropped, Is.EqualTo(1));
        Assert.That(passive.TryPollTransmit(new byte[1500], TimeSpan.Zero, out _), Is.False, "no INIT-ACK");
    }

    [Test]
    public void HandleInput_ForgedCookieEcho_Dropped()
    {
        var passive = new SctpAssociation(s_options, TimeSpan.Zero);
        var buffer = new byte[200];
        var writer = new SctpPacketWriter(buffer, 5000, 5000, passive.LocalVerificationTag);
        writer.BeginChunk(SctpChunkType.CookieEcho, 0);
        writer.WriteBytes(new byte[SctpStateCookie.Length]);
        writer.EndChunk();
        var length = writer.Finish();
        passive.HandleInput(buffer.AsSpan(0, length), TimeSpan.Zero);
        Assert.That(passive.State, Is.EqualTo(SctpAssociationState.Closed));
        Assert.That(passive.Statistics.PacketsDropped, Is.EqualTo(1));
    }

    [Test]
    public void HandleInput_UnknownChunkTypes_HandledByHighBits()
    {
        var link = Established();
        var data = CaptureDataPacket(link);
        var tsn = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(16));
        foreach (var (type, delivered) in new[] { ((byte)0x3F, false), ((byte)0xBF, true) })
        {
            var buffer = new byte[200];
            var writer = new SctpPacketWriter(buffer, 5000, 5000, link.B.LocalVerificationTag);
            writer.BeginChunk((SctpChunkType)type, 0);
            writer.WriteUInt32(0);
            writer.EndChunk();
            DataChunk.Write(ref writer, DataChunk.FlagBeginning | DataChunk.FlagEnding | DataChunk.FlagUnordered, ++tsn, 1, 0, 53, [7]);
            var length = writer.Finish();
            var before = link.Messages(false).Count();
            link.B.HandleInput(buffer.AsSpan(0, length), link.Now);
            link.Drain();
            Assert.That(link.Messages(false).Count() > before, Is.EqualTo(delivered), $"type 0x{type:X2}");
            if (!delivered)
            {
                tsn--;
            }
        }
    }

    [Test]
    public void HandleInput_SeededMutationOfValidTraffic_NeverThrowsAndStaysBounded()
    {
        // Record a realistic session: handshake, data of all sizes, SACKs, FORWARD-TSN, RE-CONFIG, SHUTDOWN.
        var recorder = new SctpTestLink(s_options, s_options, 5) { LossRate = 0.1 };
        var corpus = new List<(bool ToB, byte[] Packet)>();
        recorder.Filter = (toB, packet) =>
        {
            corpus.Add((toB, packet));
            return false;
        };
        recorder.Connect();
        recorder.Pump(() => recorder.A.State == SctpAssociationState.Established && recorder.B.State == SctpAssociationState.Established);
        for (var i = 0; i < 40; i++)
        {
            recorder.A.Send((ushort)(i % 3), 53, new byte[(i * 997) % 5000 + 1], i % 2 == 0, i % 5 == 0 ? SctpReliability.WithMaxRetransmits(0) : SctpReliability.Reliable, recorder.Now);
            recorder.B.Send(1, 51, new byte[100], false, SctpReliability.Reliable, recorder.Now);
        }

        recorder.Pump(() => recorder.Messages(false).Count() >= 32 && recorder.A.InflightChunkCount == 0);
        recorder.A.ResetStreams([0, 1], recorder.Now);
        recorder.Pump(() => recorder.EventsA.Any(e => e.Kind == SctpEventKind.OutgoingStreamReset));
        recorder.A.Shutdown(recorder.Now);
        recorder.Pump(() => recorder.A.IsTerminated);
        Assert.That(corpus, Has.Count.GreaterThan(50));

        var random = new Random(12345);
        SctpTestLink? target = null;
        var destination = new byte[65536];
        for (var round = 0; round < 4000; round++)
        {
            if (target is null || target.A.IsTerminated || target.B.IsTerminated)
            {
                target = Established(round);
            }

            var (toB, original) = corpus[random.Next(corpus.Count)];
            var receiver = toB ? target.B : target.A;
            var packet = original[12] == (byte)SctpChunkType.Init ? (byte[])original.Clone() : Retag(original, receiver.LocalVerificationTag);
            var mutations = random.Next(1, 5);
            for (var m = 0; m < mutations && packet.Length > 13; m++)
            {
                switch (random.Next(4))
                {
                    case 0:
                        packet[random.Next(12, packet.Length)] = (byte)random.Next(256);
                        break;
                    case 1:
                        packet[random.Next(packet.Length)] ^= (byte)(1 << random.Next(8));
                        break;
                    case 2:
                        Array.Resize(ref packet, random.Next(1, packet.Length + 1));
                        break;
                    default:
                        var at = random.Next(12, Math.Max(13, packet.Length - 1));
                        if (at + 2 <= packet.Length)
                        {
                            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(at), (ushort)random.Next(65536));
                        }

                        break;
                }
            }

            if (packet.Length >= 12 && random.Next(10) != 0)
            {
                SctpPacket.WriteChecksum(packet);
            }

            Assert.DoesNotThrow(() =>
            {
                receiver.HandleInput(packet, target.Now);
                receiver.HandleTimeout(target.Now);
                while (receiver.TryPollTransmit(destination, target.Now, out _))
                {
                }

                while (receiver.TryPollEvent(out _))
                {
                }
            }, $"round {round}");
            Assert.That(receiver.ReceiveBufferedAmount, Is.LessThanOrEqualTo(2L * receiver.Options.ReceiveWindow));
        }
    }
}
