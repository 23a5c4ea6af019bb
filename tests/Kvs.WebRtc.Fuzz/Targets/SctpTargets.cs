using System.Buffers.Binary;
using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.PeerConnection.Sctp;

namespace Kvs.WebRtc.Fuzz.Targets;

/// <summary>
/// SCTP (RFC 9260 over DTLS) and DCEP (RFC 8832): the chunk and parameter readers directly, a fresh association fed
/// whole packets, and an established pair of data-channel managers whose peer side is replaced by fuzzed chunks.
/// The harness writes the CRC32c (and, for established associations, the verification tag) so inputs get past the
/// packet check and reach the chunk handlers.
/// </summary>
internal static class SctpTargets
{
    private const int CommonHeaderLength = 12;

    private static readonly SctpAssociationOptions s_options = new() { HeartbeatInterval = Timeout.InfiniteTimeSpan };

    public static IEnumerable<FuzzTarget> All()
    {
        yield return new("sctp-chunks", "SctpChunkReader over a chunk list, each chunk's parser (DATA, SACK, INIT, FORWARD-TSN) and SctpParameterReader", Chunks);
        yield return new("sctp-packet", "a fresh SctpAssociation fed length-prefixed packets (checksum fixed up)", Packet);
        yield return new("sctp-established", "an established DataChannelManager pair; records are chunk lists sent to one side with the right tag and checksum", Established);
        yield return new("dcep", "DcepOpenMessage.TryParse (DATA_CHANNEL_OPEN)", Dcep);
    }

    private static void Chunks(byte[] data)
    {
        var reader = new SctpChunkReader(data);
        var count = 0;
        while (count++ < 1024 && reader.TryReadNext(out var chunk))
        {
            switch (chunk.Type)
            {
                case SctpChunkType.Data:
                    _ = DataChunk.TryParse(chunk, out _);
                    break;
                case SctpChunkType.Sack:
                    if (SackChunk.TryParse(chunk.Value, out var sack))
                    {
                        for (var i = 0; i < sack.GapBlockCount; i++)
                        {
                            _ = sack.GetGapBlock(i);
                        }

                        for (var i = 0; i < sack.DuplicateCount; i++)
                        {
                            _ = sack.GetDuplicate(i);
                        }
                    }

                    break;
                case SctpChunkType.Init or SctpChunkType.InitAck:
                    _ = InitChunk.TryParse(chunk.Value, out _);
                    if (chunk.Value.Length >= InitChunk.FixedLength)
                    {
                        var parameters = new SctpParameterReader(chunk.Value[InitChunk.FixedLength..]);
                        for (var i = 0; i < 1024 && parameters.TryReadNext(out _, out _); i++)
                        {
                        }
                    }

                    break;
                case SctpChunkType.ForwardTsn:
                    _ = ForwardTsnChunk.TryParse(chunk.Value, out _);
                    break;
                default:
                    var other = new SctpParameterReader(chunk.Value);
                    for (var i = 0; i < 1024 && other.TryReadNext(out _, out _); i++)
                    {
                    }

                    break;
            }
        }
    }

    private static void Packet(byte[] data)
    {
        var now = TimeSpan.FromSeconds(1);
        var association = new SctpAssociation(s_options, now);
        var buffer = new byte[2048];
        foreach (var record in FuzzInput.Split(data))
        {
            if (record.Length >= CommonHeaderLength)
            {
                SctpPacket.WriteChecksum(record);
            }

            association.HandleInput(record, now);
            now += TimeSpan.FromMilliseconds(50);
            association.HandleTimeout(now);
            for (var i = 0; i < 256 && association.TryPollTransmit(buffer, now, out _); i++)
            {
            }

            for (var i = 0; i < 1024 && association.TryPollEvent(out _); i++)
            {
            }
        }
    }

    private static void Established(byte[] data)
    {
        var now = TimeSpan.FromSeconds(1);
        var a = new DataChannelManager(() => now);
        var b = new DataChannelManager(() => now);
        a.Attach(new SctpAssociation(s_options, now), isDtlsClient: true);
        b.Attach(new SctpAssociation(s_options, now), isDtlsClient: false);
        var channel = a.CreateDataChannel("fuzz");
        a.Connect(now);
        b.Connect(now);
        var buffer = new byte[2048];
        uint tagOfB = 0;
        for (var i = 0; i < 40 && channel.ReadyState != RTCDataChannelState.Open; i++)
        {
            while (a.TryPollTransmit(buffer, now, out var n))
            {
                tagOfB = BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(4));
                b.HandleInput(buffer.AsSpan(0, n), now);
            }

            while (b.TryPollTransmit(buffer, now, out var n))
            {
                a.HandleInput(buffer.AsSpan(0, n), now);
            }

            now += TimeSpan.FromMilliseconds(20);
        }

        if (channel.ReadyState != RTCDataChannelState.Open)
        {
            throw new InvalidOperationException("The harness' data channel did not open: the target cannot run.");
        }

        // From here on b hears only the fuzzer, as if a were a hostile peer.
        foreach (var chunks in FuzzInput.Split(data))
        {
            var packet = new byte[CommonHeaderLength + chunks.Length];
            BinaryPrimitives.WriteUInt16BigEndian(packet, s_options.RemotePort);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), s_options.LocalPort);
            BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), tagOfB);
            chunks.CopyTo(packet, CommonHeaderLength);
            SctpPacket.WriteChecksum(packet);
            b.HandleInput(packet, now);
            for (var i = 0; i < 256 && b.TryPollTransmit(buffer, now, out _); i++)
            {
            }

            now += TimeSpan.FromMilliseconds(50);
            b.HandleTimeout(now);
        }

        b.Abort("fuzz input done");
        a.Abort("fuzz input done");
    }

    private static void Dcep(byte[] data)
    {
        if (DcepOpenMessage.TryParse(data, out var message) && message is not null)
        {
            _ = message.Ordered;
            _ = message.MaxRetransmits;
            _ = message.MaxPacketLifeTime;
            _ = message.ToArray();
        }
    }
}
