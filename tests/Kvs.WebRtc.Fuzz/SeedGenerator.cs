using System.Net;
using System.Security.Cryptography;
using Kvs.WebRtc.Fuzz.Targets;
using Kvs.WebRtc.PeerConnection.Codecs;
using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.PeerConnection.Dtls;
using Kvs.WebRtc.PeerConnection.Rtcp;
using Kvs.WebRtc.PeerConnection.Rtp;
using Kvs.WebRtc.PeerConnection.Sctp;
using Kvs.WebRtc.PeerConnection.Stun;
using Kvs.WebRtc.PeerConnection.Turn;

namespace Kvs.WebRtc.Fuzz;

/// <summary>
/// Builds seed inputs for the binary targets with the stack's own writers and real in-process exchanges (a DTLS
/// handshake, an SCTP association with a data channel), so seeds are valid wire data the fuzzer mutates from. The text
/// targets' seeds (SDP, signaling, SigV4, control plane) come from captures and vectors (see docs/fuzzing.md).
/// </summary>
internal static class SeedGenerator
{
    public static int WriteAll(string root)
    {
        var seeds = new Dictionary<string, List<byte[]>>(StringComparer.Ordinal);
        void Add(string target, byte[] data) => (seeds.TryGetValue(target, out var l) ? l : seeds[target] = []).Add(data);

        foreach (var s in Stun())
        {
            Add("stun", s);
        }

        var channelData = new byte[TurnChannelData.GetSize(5, pad: true)];
        TurnChannelData.Write(channelData, 0x4001, "hello"u8, pad: true);
        Add("turn-channeldata", channelData);

        Dtls(Add);
        foreach (var role in new[] { DtlsRole.Server, DtlsRole.Client })
        {
            foreach (var s in DtlsDeepTargets.Seeds(role))
            {
                Add(role == DtlsRole.Server ? "dtls-server-deep" : "dtls-client-deep", s);
            }
        }

        Sctp(Add);
        foreach (var s in Rtcp())
        {
            Add("rtcp", s);
        }

        Rtp(Add);

        var written = 0;
        foreach (var (target, list) in seeds)
        {
            var dir = Path.Combine(root, target);
            Directory.CreateDirectory(dir);
            foreach (var data in list.DistinctBy(Convert.ToHexString))
            {
                File.WriteAllBytes(Path.Combine(dir, "gen-" + Convert.ToHexString(SHA256.HashData(data))[..16].ToLowerInvariant()), data);
                written++;
            }
        }

        return written;
    }

    private static IEnumerable<byte[]> Stun()
    {
        // RFC 5769 §2.1 and §2.2 sample messages.
        yield return Convert.FromHexString(
            "000100582112a442b7e7a701bc34d686fa87dfae802200105354554e207465737420636c69656e74002400046e0001ff"
            + "80290008932ff9b151263b36000600096576746a3a68367659202020000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2"
            + "80280004e57a3bcf");
        yield return Convert.FromHexString(
            "0101003c2112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220002000080001a147e112a643"
            + "000800142b91f599fd9e90c38c7489f92af9ba53f06be7d780280004c07d4c96");
        using var key = StunIntegrityKey.FromLongTermCredentials("user", "realm", "pass");
        var buffer = new byte[512];
        var id = TransactionId.Read(new byte[12]);

        var allocate = new StunMessageWriter(buffer, new StunMessageType(StunMethod.Allocate, StunClass.Request), id);
        allocate.AddRequestedTransport();
        allocate.AddLifetime(TimeSpan.FromMinutes(10));
        allocate.AddUsername("user");
        allocate.AddString(StunAttributeType.Realm, "realm");
        allocate.AddString(StunAttributeType.Nonce, "nonce123");
        allocate.AddMessageIntegrity(key);
        allocate.AddFingerprint();
        yield return allocate.Written.ToArray();

        var error = new StunMessageWriter(buffer, new StunMessageType(StunMethod.Allocate, StunClass.ErrorResponse), id);
        error.AddErrorCode(401, "Unauthorized");
        error.AddString(StunAttributeType.Realm, "realm");
        error.AddString(StunAttributeType.Nonce, "nonce123");
        error.AddUnknownAttributes([0x0031, 0x0032]);
        yield return error.Written.ToArray();

        var bind = new StunMessageWriter(buffer, new StunMessageType(StunMethod.ChannelBind, StunClass.Request), id);
        bind.AddChannelNumber(0x4001);
        bind.AddXorAddress(StunAttributeType.XorPeerAddress, new IPEndPoint(IPAddress.Parse("2001:db8::1"), 5000));
        bind.AddAddress(StunAttributeType.MappedAddress, new IPEndPoint(IPAddress.Parse("192.0.2.1"), 3478));
        bind.AddMessageIntegritySha256(key);
        yield return bind.Written.ToArray();
    }

    private static void Dtls(Action<string, byte[]> add)
    {
        foreach (var cookies in new[] { false, true })
        {
            var (fromClient, fromServer) = Handshake(cookies);
            add(cookies ? "dtls-server-cookie" : "dtls-server", FuzzInput.Join(fromClient));
            add("dtls-client", FuzzInput.Join(fromServer));
            foreach (var datagram in fromClient.Concat(fromServer))
            {
                add("dtls-messages", [0, .. datagram]);
                if (datagram.Length > DtlsRecordHeader.Size + 12 && datagram[0] == 22 && datagram[DtlsRecordHeader.Size] is 1 or 2)
                {
                    add("dtls-messages", [datagram[DtlsRecordHeader.Size], .. datagram.AsSpan(DtlsRecordHeader.Size + 12)]);
                }
            }
        }

        // Two fragments of one 8-byte message, out of order.
        add("dtls-messages", [3, 1, 0, 0, 8, 0, 0, 0, 0, 4, 4, 5, 6, 7, 8, 1, 0, 0, 8, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4]);
    }

    private static (List<byte[]> FromClient, List<byte[]> FromServer) Handshake(bool cookies)
    {
        var options = new DtlsOptions { UseCookieExchange = cookies };
        using var client = new DtlsConnection(DtlsRole.Client, DtlsTargets.PeerCertificate, [DtlsTargets.Certificate.Fingerprint], options);
        using var server = new DtlsConnection(DtlsRole.Server, DtlsTargets.Certificate, [DtlsTargets.PeerCertificate.Fingerprint], options);
        var now = TimeSpan.FromSeconds(1);
        client.Start(now);
        server.Start(now);
        var fromClient = new List<byte[]>();
        var fromServer = new List<byte[]>();
        var buffer = new byte[2048];
        for (var round = 0; round < 20 && !(client.State == DtlsState.Connected && server.State == DtlsState.Connected); round++)
        {
            while (client.TryPollTransmit(buffer, now, out var n))
            {
                fromClient.Add(buffer[..n]);
                server.HandleInput(buffer.AsSpan(0, n), now);
            }

            while (server.TryPollTransmit(buffer, now, out var n))
            {
                fromServer.Add(buffer[..n]);
                client.HandleInput(buffer.AsSpan(0, n), now);
            }
        }

        if (client.SendApplicationData("ping"u8) && client.TryPollTransmit(buffer, now, out var sealedLength))
        {
            fromClient.Add(buffer[..sealedLength]);
        }

        if (client.State != DtlsState.Connected || server.State != DtlsState.Connected)
        {
            throw new InvalidOperationException($"Seed handshake did not complete: client {client.State}, server {server.State}.");
        }

        return (fromClient, fromServer);
    }

    private static void Sctp(Action<string, byte[]> add)
    {
        var now = TimeSpan.FromSeconds(1);
        var options = new SctpAssociationOptions { HeartbeatInterval = Timeout.InfiniteTimeSpan };
        var a = new DataChannelManager(() => now);
        var b = new DataChannelManager(() => now);
        a.Attach(new SctpAssociation(options, now), isDtlsClient: true);
        b.Attach(new SctpAssociation(options, now), isDtlsClient: false);
        var reliable = a.CreateDataChannel("fuzz");
        var partial = a.CreateDataChannel("partial", new RTCDataChannelInit { Ordered = false, MaxRetransmits = 0 });
        a.Connect(now);
        b.Connect(now);
        var buffer = new byte[2048];
        var packets = new List<byte[]>();
        var afterOpen = new List<byte[]>();
        for (var i = 0; i < 40; i++)
        {
            if (i == 10)
            {
                reliable.Send("hello");
                reliable.Send(new byte[3000]);
                partial.Send("lossy");
            }

            while (a.TryPollTransmit(buffer, now, out var n))
            {
                packets.Add(buffer[..n]);
                if (i >= 10)
                {
                    afterOpen.Add(buffer[..n]);
                }

                b.HandleInput(buffer.AsSpan(0, n), now);
            }

            while (b.TryPollTransmit(buffer, now, out var n))
            {
                a.HandleInput(buffer.AsSpan(0, n), now);
            }

            now += TimeSpan.FromMilliseconds(20);
            a.HandleTimeout(now);
            b.HandleTimeout(now);
        }

        foreach (var packet in packets)
        {
            add("sctp-packet", FuzzInput.Join([packet]));
            add("sctp-chunks", packet[12..]);
        }

        add("sctp-packet", FuzzInput.Join(packets.Take(4)));
        add("sctp-established", FuzzInput.Join(afterOpen.Select(p => p[12..])));
        foreach (var packet in afterOpen)
        {
            add("sctp-established", FuzzInput.Join([packet[12..]]));
        }

        add("dcep", new DcepOpenMessage(DcepChannelType.Reliable, 0, 0, "chat", "").ToArray());
        add("dcep", new DcepOpenMessage(DcepOpenMessage.ToChannelType(false, 3, null), 256, 3, "lossy", "proto").ToArray());
    }

    private static IEnumerable<byte[]> Rtcp()
    {
        var buffer = new byte[1500];
        var block = new RtcpReportBlock(0x1234, 3, 10, 65540, 20, 0x11112222, 100);
        yield return buffer[..RtcpSenderReport.Write(buffer, 0xAAAA, 0x0102030405060708, 90000, 10, 1000, [block])];
        yield return buffer[..RtcpReceiverReport.Write(buffer, 0xBBBB, [block, block])];
        yield return buffer[..RtcpSourceDescription.Write(buffer, 0xAAAA, "cname-1234"u8)];
        yield return buffer[..RtcpBye.Write(buffer, [0xAAAA, 0xBBBB], "bye"u8)];
        yield return buffer[..RtcpGenericNack.Write(buffer, 1, 2, [10, 11, 12, 40])];
        yield return buffer[..RtcpFullIntraRequest.Write(buffer, 1, [new RtcpFirEntry(2, 3)])];
        yield return buffer[..RtcpReceiverEstimatedMaxBitrate.Write(buffer, 1, 2_500_000, [2, 3])];
        var twcc = new RtcpTransportFeedbackBuilder();
        twcc.Reset(1, 2, 0);
        for (ushort seq = 100; seq < 130; seq += 3)
        {
            twcc.TryAddReceivedPacket(seq, TimeSpan.FromMilliseconds(seq * 2));
        }

        yield return buffer[..twcc.Write(buffer)];
        var compound = new List<byte>();
        compound.AddRange(buffer[..RtcpReceiverReport.Write(buffer, 0xBBBB, [block])]);
        compound.AddRange(buffer[..RtcpSourceDescription.Write(buffer, 0xBBBB, "c"u8)]);
        compound.AddRange(buffer[..new RtcpPictureLossIndication(1, 2).Write(buffer)]);
        yield return compound.ToArray();
    }

    private static void Rtp(Action<string, byte[]> add)
    {
        var buffer = new byte[1500];
        var extensions = new RtpHeaderExtensions();
        extensions.Add(1, [0x12, 0x34, 0x56]);
        extensions.Add(3, [0x00, 0x01]);
        var length = RtpHeaderWriter.Write(buffer, true, 96, 1000, 90000, 0xCAFE, [1, 2], extensions);
        "payload"u8.CopyTo(buffer.AsSpan(length));
        add("rtp", buffer[..(length + 7)]);
        var twoByte = new RtpHeaderExtensions();
        twoByte.Add(20, new byte[20]);
        length = RtpHeaderWriter.Write(buffer, false, 97, 1, 2, 3, [], twoByte);
        add("rtp", buffer[..length]);

        var idr = new byte[4000];
        new Random(15).NextBytes(idr);
        byte[][] h264 = [[0, 0, 0, 1, 0x67, 0x42, 0xE0, 0x1F, 0xDA, 0x01, 0x40, 0x16, 0xEC, 0x04, 0x40], [0, 0, 0, 1, 0x68, 0xCE, 0x3C, 0x80], [0, 0, 0, 1, 0x65, .. idr[..3000]]];
        byte[][] h265 = [[0, 0, 0, 1, 0x40, 0x01, 0x0C, 0x01], [0, 0, 0, 1, 0x42, 0x01, 0x01, 0x01], [0, 0, 0, 1, 0x44, 0x01, 0xC1], [0, 0, 0, 1, 0x26, 0x01, .. idr[..3000]]];
        var frames = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["H264"] = h264.SelectMany(x => x).ToArray(),
            ["H265"] = h265.SelectMany(x => x).ToArray(),
            ["VP8"] = [0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A, 0x40, 0x01, 0xF0, 0x00, .. idr[..2500]],
            ["VP9"] = [0x82, 0x49, 0x83, 0x42, 0x00, 0x13, 0xF0, 0x0B, 0xC6, .. idr[..2500]],
            ["OPUS"] = [0x78, .. idr[..120]],
            ["PCMU"] = idr[..160],
        };
        foreach (var (codec, frame) in frames)
        {
            var payloader = RtpCodecFactory.CreatePayloader(codec)!;
            var packets = new List<byte[]>();
            ushort sequence = 5000;
            for (var f = 0; f < 2; f++)
            {
                payloader.BeginFrame(frame);
                var last = false;
                while (!last && payloader.TryWriteNext(buffer.AsSpan(12), 1000, out var written, out last))
                {
                    RtpHeaderWriter.Write(buffer, last, 96, sequence++, (uint)(3000 * f), 0xABCD, [], default);
                    packets.Add(buffer[..(12 + written)]);
                }
            }

            add($"depacketize-{codec.ToLowerInvariant()}", FuzzInput.Join(packets));
            add($"depacketize-{codec.ToLowerInvariant()}", FuzzInput.Join(packets.Take(3).Reverse()));
        }
    }
}
