using System.Globalization;
using Kvs.WebRtc.PeerConnection.Jsep;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection.Rtcp;

namespace Kvs.WebRtc.PeerConnection;

/// <summary>The typed W3C RTP stats of <see cref="GetStats"/>: inbound, outbound, remote-inbound, remote-outbound, codec and media-source objects.</summary>
public sealed partial class RTCPeerConnection
{
    private List<RTCStats> CollectRtpStats()
    {
        var timestamp = _timeProvider.GetUtcNow();
        var now = MonotonicNow;
        var stats = new List<RTCStats>();
        var codecs = new Dictionary<string, RTCCodecStats>(StringComparer.Ordinal);
        foreach (var transceiver in GetTransceivers())
        {
            string? mid;
            NegotiatedMedia? negotiated;
            lock (_sync)
            {
                mid = transceiver.Model.Mid;
                negotiated = transceiver.Model.Negotiated;
            }

            var mediaSourceId = AddMediaSource(stats, transceiver, timestamp);
            if (transceiver.Sender.Statistics is { } send && send.Snapshot is { PacketsSent: > 0 } sent)
            {
                AddOutbound(stats, codecs, transceiver, mid, negotiated, sent, timestamp, mediaSourceId, TargetBitrate);
            }

            if (transceiver.Receiver.Statistics is { } receive && receive.Snapshot is { PacketsReceived: > 0 } received)
            {
                AddInbound(stats, codecs, transceiver, mid, negotiated, received, timestamp, now);
            }
        }

        stats.AddRange(codecs.Values);
        return stats;
    }

    // A media-source per sender that has a track (browsers: one per attached track), named after the sender's SSRC.
    private static string? AddMediaSource(List<RTCStats> stats, RTCRtpTransceiver transceiver, DateTimeOffset timestamp)
    {
        if (transceiver.Sender.Track is not { } track)
        {
            return null;
        }

        var id = "MS" + transceiver.Model.SendSsrc.ToString(CultureInfo.InvariantCulture);
        var frames = track.Kind == MediaStreamTrackKind.Video ? track as EncodedFrameTrack : null;
        stats.Add(new RTCMediaSourceStats
        {
            Id = id,
            Timestamp = timestamp,
            TrackIdentifier = track.Id,
            Kind = track.Kind,
            Frames = frames?.FramesWritten,
            FramesPerSecond = frames?.FramesPerSecond,
        });
        return id;
    }

    private static void AddOutbound(List<RTCStats> stats, Dictionary<string, RTCCodecStats> codecs, RTCRtpTransceiver transceiver, string? mid,
        NegotiatedMedia? negotiated, RtpSendSnapshot sent, DateTimeOffset timestamp, string? mediaSourceId, long? targetBitrate)
    {
        var id = "OT" + sent.Ssrc.ToString(CultureInfo.InvariantCulture);
        var remoteId = "RI" + sent.Ssrc.ToString(CultureInfo.InvariantCulture);
        var codecId = AddCodec(codecs, mid, negotiated, sent.PayloadType, timestamp);
        var video = transceiver.Kind == MediaStreamTrackKind.Video;
        stats.Add(new RTCOutboundRtpStreamStats
        {
            Id = id,
            Timestamp = timestamp,
            Ssrc = sent.Ssrc,
            Kind = transceiver.Kind,
            CodecId = codecId,
            Mid = mid,
            RemoteId = sent.Remote is null ? null : remoteId,
            PacketsSent = sent.PacketsSent,
            BytesSent = sent.BytesSent,
            FramesSent = video ? sent.FramesSent : null,
            KeyFramesEncoded = video ? sent.KeyFramesSent : null,
            NackCount = sent.NackCount,
            RetransmittedPacketsSent = transceiver.Sender.RetransmittedPacketsSent,
            RetransmittedBytesSent = transceiver.Sender.RetransmittedBytesSent,
            PliCount = sent.PliCount,
            FirCount = sent.FirCount,
            FramesEncoded = video ? sent.FramesSent + sent.FramesSkipped : null,
            TargetBitrate = video ? targetBitrate : null,
            MediaSourceId = mediaSourceId,
            TransportId = TransportStatsId,
        });

        if (sent.Remote is { } remote)
        {
            stats.Add(new RTCRemoteInboundRtpStreamStats
            {
                Id = remoteId,
                Timestamp = remote.ReceivedAt,
                Ssrc = sent.Ssrc,
                Kind = transceiver.Kind,
                CodecId = codecId,
                LocalId = id,
                TransportId = TransportStatsId,
                PacketsLost = remote.PacketsLost,
                FractionLost = remote.FractionLost / 256.0,
                Jitter = (double)remote.Jitter / sent.ClockRate,
                RoundTripTime = sent.RoundTripTime?.TotalSeconds,
                TotalRoundTripTime = sent.TotalRoundTripTime.TotalSeconds,
                RoundTripTimeMeasurements = sent.RoundTripTimeMeasurements,
                ReportsReceived = remote.ReportsReceived,
            });
        }
    }

    private static void AddInbound(List<RTCStats> stats, Dictionary<string, RTCCodecStats> codecs, RTCRtpTransceiver transceiver, string? mid,
        NegotiatedMedia? negotiated, RtpReceiveSnapshot received, DateTimeOffset timestamp, TimeSpan now)
    {
        var id = "IT" + received.Ssrc.ToString(CultureInfo.InvariantCulture);
        var remoteId = "RO" + received.Ssrc.ToString(CultureInfo.InvariantCulture);
        var codecId = AddCodec(codecs, mid, negotiated, received.PayloadType, timestamp);
        var track = transceiver.Receiver.Track;
        var video = transceiver.Kind == MediaStreamTrackKind.Video;
        var clockRate = transceiver.Receiver.Statistics?.ClockRate ?? 90000;
        var jitter = track.GetJitterBufferSnapshot();
        stats.Add(new RTCInboundRtpStreamStats
        {
            Id = id,
            Timestamp = timestamp,
            Ssrc = received.Ssrc,
            Kind = transceiver.Kind,
            CodecId = codecId,
            Mid = mid,
            TransportId = TransportStatsId,
            RemoteId = received.LastSenderReport is null ? null : remoteId,
            PacketsReceived = received.PacketsReceived,
            BytesReceived = received.BytesReceived,
            PacketsLost = received.PacketsLost,
            Jitter = (double)received.Jitter / clockRate,
            LastPacketReceivedTimestamp = received.LastArrival is { } arrival ? timestamp - (now > arrival ? now - arrival : TimeSpan.Zero) : null,
            NackCount = transceiver.Receiver.NackCount,
            RetransmittedPacketsReceived = transceiver.Receiver.RetransmittedPacketsReceived,
            PliCount = received.PliCount,
            FramesReceived = video ? track.FramesReceived : null,
            KeyFramesDecoded = video ? track.KeyFramesReceived : null,
            FramesDropped = video ? track.FramesDropped : null,
            JitterBufferDelay = jitter.TotalDelay,
            JitterBufferTargetDelay = jitter.TotalTargetDelay,
            JitterBufferMinimumDelay = jitter.TotalMinimumDelay,
            JitterBufferEmittedCount = jitter.EmittedCount,
            FreezeCount = video ? jitter.FreezeCount : null,
            TotalFreezesDuration = video ? jitter.TotalFreezesDuration : null,
            TotalInterFrameDelay = video ? jitter.TotalInterFrameDelay : null,
            TotalSquaredInterFrameDelay = video ? jitter.TotalSquaredInterFrameDelay : null,
        });

        if (received.LastSenderReport is { } report)
        {
            stats.Add(new RTCRemoteOutboundRtpStreamStats
            {
                Id = remoteId,
                Timestamp = report.ReceivedAt,
                Ssrc = received.Ssrc,
                Kind = transceiver.Kind,
                CodecId = codecId,
                LocalId = id,
                TransportId = TransportStatsId,
                PacketsSent = report.PacketCount,
                BytesSent = report.OctetCount,
                RemoteTimestamp = RtcpNtpTime.ToDateTimeOffset(report.NtpTimestamp),
                ReportsSent = report.ReportsReceived,
            });
        }
    }

    private static string? AddCodec(Dictionary<string, RTCCodecStats> codecs, string? mid, NegotiatedMedia? negotiated, int payloadType, DateTimeOffset timestamp)
    {
        if (negotiated?.Codecs.FirstOrDefault(c => c.PayloadType == payloadType) is not { } codec)
        {
            return null;
        }

        var id = $"CO{mid}_{payloadType.ToString(CultureInfo.InvariantCulture)}";
        if (!codecs.ContainsKey(id))
        {
            var parameters = RTCRtpSender.ToCodec(negotiated.Kind, codec);
            codecs[id] = new RTCCodecStats
            {
                Id = id,
                Timestamp = timestamp,
                PayloadType = payloadType,
                MimeType = parameters.MimeType,
                ClockRate = parameters.ClockRate,
                Channels = parameters.Channels,
                SdpFmtpLine = parameters.SdpFmtpLine,
                TransportId = TransportStatsId,
            };
        }

        return id;
    }
}
