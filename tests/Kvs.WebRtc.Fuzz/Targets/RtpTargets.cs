using Kvs.WebRtc.PeerConnection.Codecs;
using Kvs.WebRtc.PeerConnection.Rtcp;
using Kvs.WebRtc.PeerConnection.Rtp;

namespace Kvs.WebRtc.Fuzz.Targets;

/// <summary>
/// RTP (header, extensions, RTX), RTCP (compound reader and every packet type), and per codec the depacketizer behind
/// the frame assembler as the receive path runs it, plus the codec's own bitstream readers.
/// </summary>
internal static class RtpTargets
{
    public static IEnumerable<FuzzTarget> All()
    {
        yield return new("rtp", "RtpHeader.TryParse, CSRCs, one/two-byte extensions and the extension value readers, RTX unwrap", Rtp);
        yield return new("rtcp", "RtcpCompoundReader and every RTCP packet parser (SR, RR, SDES, BYE, NACK, PLI, FIR, REMB, transport-cc)", Rtcp);
        foreach (var codec in new[] { "H264", "H265", "VP8", "VP9", "OPUS", "PCMU" })
        {
            var name = codec.ToLowerInvariant();
            yield return new($"depacketize-{name}",
                $"RtpFrameAssembler + the {codec} depacketizer fed length-prefixed RTP packets, and the {codec} payload readers",
                data => Assemble(codec, data));
        }
    }

    private static void Rtp(byte[] data)
    {
        if (!RtpHeader.TryParse(data, out var header))
        {
            return;
        }

        for (var i = 0; i < header.CsrcCount; i++)
        {
            _ = header.GetCsrc(data, i);
        }

        _ = header.GetPayload(data);
        if (header.Extension)
        {
            _ = header.GetExtensionBlock(data);
            var extensions = header.GetExtensions(data);
            for (var i = 0; i < 256 && extensions.TryReadNext(out _, out var value); i++)
            {
                _ = AbsSendTimeExtension.TryRead(value, out _);
                _ = AudioLevelExtension.TryRead(value, out _, out _);
                _ = TransportSequenceNumberExtension.TryRead(value, out _);
                _ = VideoOrientationExtension.TryRead(value, out _, out _, out _);
            }

            for (var id = 1; id < 15; id++)
            {
                _ = header.TryGetExtension(data, id, out _);
            }
        }

        var unwrapped = new byte[data.Length];
        _ = RtxPacket.TryUnwrap(data, unwrapped, 96, 1234, out _, out _);
    }

    private static void Rtcp(byte[] data)
    {
        var reader = new RtcpCompoundReader(data);
        for (var n = 0; n < 256 && reader.TryReadNext(out _, out var packet); n++)
        {
            if (RtcpSenderReport.TryParse(packet, out var sr))
            {
                for (var i = 0; i < sr.ReportCount; i++)
                {
                    _ = sr.GetReportBlock(i);
                }
            }

            if (RtcpReceiverReport.TryParse(packet, out var rr))
            {
                for (var i = 0; i < rr.ReportCount; i++)
                {
                    _ = rr.GetReportBlock(i);
                }
            }

            if (RtcpSourceDescription.TryParse(packet, out var sdes))
            {
                _ = sdes.TryGetCname(out _, out _);
                var chunks = sdes.GetChunks();
                for (var i = 0; i < 256 && chunks.TryReadNext(out _, out _); i++)
                {
                }
            }

            if (RtcpBye.TryParse(packet, out var bye))
            {
                for (var i = 0; i < bye.SourceCount; i++)
                {
                    _ = bye.GetSource(i);
                }

                _ = bye.Reason.Length;
            }

            if (RtcpGenericNack.TryParse(packet, out var nack))
            {
                for (var i = 0; i < nack.ItemCount; i++)
                {
                    _ = nack.GetItem(i);
                }

                foreach (var lost in nack.GetLostSequenceNumbers())
                {
                    _ = lost;
                }
            }

            _ = RtcpPictureLossIndication.TryParse(packet, out _);
            if (RtcpFullIntraRequest.TryParse(packet, out var fir))
            {
                for (var i = 0; i < fir.EntryCount; i++)
                {
                    _ = fir.GetEntry(i);
                }
            }

            if (RtcpReceiverEstimatedMaxBitrate.TryParse(packet, out var remb))
            {
                for (var i = 0; i < remb.SsrcCount; i++)
                {
                    _ = remb.GetSsrc(i);
                }
            }

            if (RtcpTransportFeedback.TryParse(packet, out var twcc))
            {
                var statuses = twcc.GetStatuses();
                for (var i = 0; i < 70000 && statuses.TryReadNext(out _); i++)
                {
                }

                var copy = new RtcpTransportFeedbackStatus[Math.Min(twcc.PacketStatusCount, 4096)];
                _ = twcc.CopyStatuses(copy);
            }
        }
    }

    private static void Assemble(string codec, byte[] data)
    {
        using var assembler = RtpCodecFactory.CreateAssembler(codec)
            ?? throw new InvalidOperationException($"No assembler for {codec}.");
        var arrival = 0L;
        foreach (var packet in FuzzInput.Split(data))
        {
            if (!RtpHeader.TryParse(packet, out var header))
            {
                continue;
            }

            var payload = header.GetPayload(packet);
            CodecReaders(codec, payload);
            _ = assembler.Push(header.SequenceNumber, header.Timestamp, header.Marker, payload, arrival++);
            Drain(assembler);
        }

        _ = assembler.DeclareGapLost();
        Drain(assembler);
        _ = assembler.Flush();
        Drain(assembler);
    }

    private static void Drain(RtpFrameAssembler assembler)
    {
        for (var i = 0; i < 1024 && assembler.TryReadFrame(out var frame); i++)
        {
            _ = frame;
        }
    }

    private static void CodecReaders(string codec, ReadOnlySpan<byte> payload)
    {
        switch (codec)
        {
            case "H264":
                if (!payload.IsEmpty && (payload[0] & 0x1F) == 7)
                {
                    _ = H264SequenceParameterSet.TryParse(payload, out _);
                }

                break;
            case "VP8":
                _ = Vp8PayloadDescriptor.TryParse(payload, out _);
                break;
            case "VP9":
                _ = Vp9PayloadDescriptor.TryParse(payload, out _);
                break;
            case "OPUS":
                _ = OpusToc.TryGetFrameCount(payload, out _);
                _ = OpusToc.TryGetDuration(payload, out _);
                break;
            default:
                break;
        }
    }
}
