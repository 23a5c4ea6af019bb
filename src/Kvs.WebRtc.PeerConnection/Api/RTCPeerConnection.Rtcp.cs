using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection.Rtcp;
using Kvs.WebRtc.PeerConnection.Rtp;

namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// RTCP reports (RFC 3550 §6): reception statistics per remote SSRC, compound SR/RR + SDES CNAME on the
/// <see cref="RtcpReportScheduler"/>'s randomized interval, round-trip times from the peer's report blocks, the peer's
/// sender reports kept for DLSR and remote-outbound stats, and BYE when a sender stops or the connection closes.
/// </summary>
/// <remarks>
/// Locks: <c>_rtcpGate</c> guards the scheduler, the send buffer and the BYE set; it is taken on the report timer,
/// on transceiver changes and (only when a new remote SSRC appears) on the receive path, and never while holding the
/// connection lock. The statistics objects have their own leaf locks. The timer is a <see cref="TimeProvider"/> timer
/// re-armed after each report, so tests drive it with a manual clock.
/// </remarks>
public sealed partial class RTCPeerConnection
{
    private const int MaxRtcpCompoundSize = 1200;
    private const int MaxSdesChunks = 31;

    private readonly object _rtcpGate = new();
    private readonly RtcpReportScheduler _rtcpScheduler = new(new Random());
    private readonly byte[] _rtcpBuffer = new byte[MaxRtcpCompoundSize];
    private readonly List<RtcpReportBlock> _rtcpBlocks = [];
    private readonly List<(uint Ssrc, uint RtpTimestamp, uint PacketCount, uint OctetCount)> _rtcpSenders = [];
    private readonly HashSet<uint> _byeSent = [];
    private RtpReceiveStatistics[] _receiveStatistics = [];
    private TimeSpan _rtcpReportInterval;
    private ITimer? _rtcpTimer;
    private bool _rtcpStopped;
    private byte[]? _cnameBytes;
    private long _rtcpReportsSent;
    private long _rtcpByesReceived;

    /// <summary>Compound RTCP reports sent (SR/RR + SDES), for tests and diagnostics.</summary>
    internal long RtcpReportsSent => Interlocked.Read(ref _rtcpReportsSent);

    /// <summary>RTCP BYE packets received (the peer stopped a sender or closed), for tests and diagnostics.</summary>
    internal long RtcpByesReceived => Interlocked.Read(ref _rtcpByesReceived);

    private TimeSpan MonotonicNow => _timeProvider.GetElapsedTime(0, _timeProvider.GetTimestamp());

    // From the constructor: validate and keep the report interval option.
    private void InitializeRtcp(RTCPeerConnectionOptions options)
    {
        // Validated by RTCPeerConnectionOptions.Validate at the door.
        _rtcpReportInterval = options.RtcpReportInterval;
    }

    // A new transceiver: its sender's statistics live as long as it (its SSRC never changes).
    private void InitializeTransceiverRtcp(RTCRtpTransceiver transceiver) =>
        transceiver.Sender.Statistics = new RtpSendStatistics(transceiver.Model.SendSsrc, _timeProvider);

    // SRTP is ready: schedule the first report.
    private void StartRtcpReports()
    {
        if (_rtcpReportInterval == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        var transceivers = GetTransceivers();
        lock (_rtcpGate)
        {
            if (_rtcpStopped)
            {
                return;
            }

            var now = MonotonicNow;
            _rtcpTimer ??= _timeProvider.CreateTimer(static state => ((RTCPeerConnection)state!).OnRtcpTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _rtcpScheduler.Start(now, MinimumReportInterval(transceivers));
            ArmRtcpTimerLocked(now);
        }
    }

    private void OnRtcpTimer()
    {
        var transceivers = GetTransceivers();
        lock (_rtcpGate)
        {
            if (_rtcpStopped)
            {
                return;
            }

            var now = MonotonicNow;
            if (_rtcpScheduler.IsDue(now))
            {
                SendReportsLocked(transceivers, now);
            }

            ArmRtcpTimerLocked(now);
        }
    }

    private void ArmRtcpTimerLocked(TimeSpan now)
    {
        if (_rtcpScheduler.NextTimeout is { } next && _rtcpTimer is { } timer)
        {
            var due = next - now;
            timer.Change(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
        }
    }

    private TimeSpan MinimumReportInterval(IReadOnlyList<RTCRtpTransceiver> transceivers)
    {
        if (_rtcpReportInterval > TimeSpan.Zero)
        {
            return _rtcpReportInterval;
        }

        foreach (var transceiver in transceivers)
        {
            if (transceiver.Kind == MediaStreamTrackKind.Video && transceiver.Model.Negotiated is not null && !transceiver.Model.Stopped)
            {
                return RtcpReportScheduler.DefaultVideoInterval;
            }
        }

        return RtcpReportScheduler.DefaultAudioInterval;
    }

    // Builds and sends one or more compound packets: SR per sender (RR from our RTCP SSRC when none), the report
    // blocks of every received stream in the first SR/RR (31 at most per packet; more go to the next compound),
    // and an SDES with the CNAME of each reporting SSRC.
    private void SendReportsLocked(IReadOnlyList<RTCRtpTransceiver> transceivers, TimeSpan now)
    {
        var minimum = MinimumReportInterval(transceivers);

        var negotiated = false;
        _rtcpSenders.Clear();
        _rtcpBlocks.Clear();
        foreach (var transceiver in transceivers)
        {
            if (transceiver.Model.Stopped || transceiver.Model.Negotiated is null)
            {
                continue;
            }

            negotiated = true;
            if (transceiver.Sender.Statistics is { } send && !_byeSent.Contains(send.Ssrc)
                && send.TryGetSenderInfo(now, 2 * minimum, out var rtpTimestamp, out var packetCount, out var octetCount))
            {
                _rtcpSenders.Add((send.Ssrc, rtpTimestamp, packetCount, octetCount));
            }

            if (transceiver.Receiver.Statistics is { } receive && receive.TryTakeReport(now, out var report))
            {
                _rtcpBlocks.Add(new RtcpReportBlock(report.Ssrc, report.FractionLost, (int)Math.Clamp(report.CumulativeLost, -0x800000, 0x7FFFFF),
                    report.ExtendedHighestSequenceNumber, report.Jitter, report.LastSenderReport, RtcpNtpTime.TimeSpanToCompact(report.SinceLastSenderReport)));
            }
        }

        var total = 0;
        if (negotiated)
        {
            var ntp = RtcpNtpTime.FromDateTimeOffset(_timeProvider.GetUtcNow());
            total = WriteAndSendReportsLocked(ntp);
        }

        var senders = (_rtcpSenders.Count > 0 ? 1 : 0) + (_rtcpBlocks.Count > 0 ? 1 : 0);
        // The session bandwidth is not known (no b=AS): the minimum interval applies, as in browsers. (The measured media
        // rate is no substitute: when a stream pauses it would stretch the interval to many seconds and stall RTT and lip sync.)
        _rtcpScheduler.OnReportSent(now, total, members: 2, senders, weSent: _rtcpSenders.Count > 0, sessionBitsPerSecond: 0, minimum);
    }

    private int WriteAndSendReportsLocked(ulong ntp)
    {
        var cname = _cnameBytes ??= Encoding.ASCII.GetBytes(_cname);
        var blocks = CollectionsMarshal.AsSpan(_rtcpBlocks);
        Span<uint> ssrcs = stackalloc uint[MaxSdesChunks];
        var nextSender = 0;
        var nextBlock = 0;
        var total = 0;
        do
        {
            var buffer = _rtcpBuffer.AsSpan();
            var offset = 0;
            var count = 0;
            var blockCount = Math.Min(RtcpReportBlock.MaxCount, blocks.Length - nextBlock);
            var first = blocks.Slice(nextBlock, blockCount);
            nextBlock += blockCount;
            if (nextSender < _rtcpSenders.Count)
            {
                var sender = _rtcpSenders[nextSender++];
                offset += RtcpSenderReport.Write(buffer, sender.Ssrc, ntp, sender.RtpTimestamp, sender.PacketCount, sender.OctetCount, first);
                ssrcs[count++] = sender.Ssrc;
            }
            else
            {
                offset += RtcpReceiverReport.Write(buffer, _rtcpSsrc, first);
                ssrcs[count++] = _rtcpSsrc;
            }

            while (nextSender < _rtcpSenders.Count && count < MaxSdesChunks
                && offset + RtcpSenderReport.GetSize(0) + RtcpSourceDescription.GetSize(count + 1, cname.Length) <= buffer.Length)
            {
                var sender = _rtcpSenders[nextSender++];
                offset += RtcpSenderReport.Write(buffer[offset..], sender.Ssrc, ntp, sender.RtpTimestamp, sender.PacketCount, sender.OctetCount, []);
                ssrcs[count++] = sender.Ssrc;
            }

            offset += RtcpSourceDescription.Write(buffer[offset..], ssrcs[..count], cname);
            if (_transport.TrySendRtcp(buffer[..offset]))
            {
                Interlocked.Increment(ref _rtcpReportsSent);
            }

            total += offset;
        }
        while (nextSender < _rtcpSenders.Count || nextBlock < blocks.Length);

        return total;
    }

    // A transceiver changed (direction, stop): a sender that stopped says BYE for its SSRC.
    private void OnTransceiverChanged(RTCRtpTransceiver transceiver)
    {
        if (transceiver.Model.Stopped)
        {
            SendBye([transceiver]);
        }
    }

    // RTCP BYE (RFC 3550 §6.6) for every sender of the list that sent media and did not say BYE yet, as a compound
    // RR (empty) + SDES + BYE from the leaving SSRC.
    private void SendBye(IEnumerable<RTCRtpTransceiver> transceivers)
    {
        lock (_rtcpGate)
        {
            var cname = _cnameBytes ??= Encoding.ASCII.GetBytes(_cname);
            foreach (var transceiver in transceivers)
            {
                if (transceiver.Sender.Statistics is not { } statistics || statistics.Snapshot.PacketsSent == 0 || !_byeSent.Add(statistics.Ssrc))
                {
                    continue;
                }

                var buffer = _rtcpBuffer.AsSpan();
                var offset = RtcpReceiverReport.Write(buffer, statistics.Ssrc, []);
                offset += RtcpSourceDescription.Write(buffer[offset..], statistics.Ssrc, cname);
                offset += RtcpBye.Write(buffer[offset..], [statistics.Ssrc]);
                _transport.TrySendRtcp(buffer[..offset]);
            }
        }
    }

    // Close: BYE for every sender, then no more reports. Before the transport closes.
    private void StopRtcp(IReadOnlyList<RTCRtpTransceiver> transceivers)
    {
        SendBye(transceivers);
        lock (_rtcpGate)
        {
            _rtcpStopped = true;
            _rtcpScheduler.Stop();
            _rtcpTimer?.Dispose();
            _rtcpTimer = null;
        }
    }

    // Receive path, for every routed RTP packet: count it in the statistics of its SSRC (allocation-free but for a new SSRC).
    private void CountReceivedRtp(RTCRtpReceiver receiver, in RtpHeader header, RTCRtpCodec codec)
    {
        var statistics = receiver.Statistics;
        if (statistics is null || statistics.Ssrc != header.Ssrc)
        {
            var previous = statistics;
            statistics = new RtpReceiveStatistics(header.Ssrc, codec.ClockRate);
            receiver.Statistics = statistics;
            lock (_rtcpGate)
            {
                var list = _receiveStatistics.Where(s => !ReferenceEquals(s, previous)).ToList();
                list.Add(statistics);
                Volatile.Write(ref _receiveStatistics, list.ToArray());
            }
        }

        statistics.OnPacket(header.SequenceNumber, header.Timestamp, header.PayloadType, header.PayloadLength, MonotonicNow);
    }

    private RtpReceiveStatistics? FindReceiveStatistics(uint ssrc)
    {
        foreach (var statistics in Volatile.Read(ref _receiveStatistics))
        {
            if (statistics.Ssrc == ssrc)
            {
                return statistics;
            }
        }

        return null;
    }

    // Receive path, for each packet of a compound RTCP datagram that is not payload-specific feedback.
    private void OnRtcpReport(in RtcpHeader header, ReadOnlySpan<byte> packet, MediaRoutes routes)
    {
        switch ((RtcpPacketType)header.PacketType)
        {
            case RtcpPacketType.SenderReport when RtcpSenderReport.TryParse(packet, out var sr):
            {
                var receivedAt = _timeProvider.GetUtcNow();
                FindReceiveStatistics(sr.Ssrc)?.OnSenderReport(sr.NtpTimestamp, sr.RtpTimestamp, sr.PacketCount, sr.OctetCount, MonotonicNow, receivedAt);
                for (var i = 0; i < sr.ReportCount; i++)
                {
                    OnReportBlock(sr.GetReportBlock(i), routes, receivedAt);
                }

                break;
            }

            case RtcpPacketType.ReceiverReport when RtcpReceiverReport.TryParse(packet, out var rr):
            {
                var receivedAt = _timeProvider.GetUtcNow();
                for (var i = 0; i < rr.ReportCount; i++)
                {
                    OnReportBlock(rr.GetReportBlock(i), routes, receivedAt);
                }

                break;
            }

            case RtcpPacketType.Bye when RtcpBye.TryParse(packet, out _):
                Interlocked.Increment(ref _rtcpByesReceived);
                break;

            case RtcpPacketType.TransportFeedback when header.Format == RtcpFeedbackFormat.GenericNack && packet.Length >= RtcpFeedback.CommonLength:
                routes.FindSender(BinaryPrimitives.ReadUInt32BigEndian(packet[8..]))?.Sender.Statistics?.OnNackReceived();
                break;
        }
    }

    private void OnReportBlock(RtcpReportBlock block, MediaRoutes routes, DateTimeOffset receivedAt)
    {
        if (routes.FindSender(block.Ssrc)?.Sender.Statistics is not { } statistics)
        {
            return;
        }

        var arrival = RtcpNtpTime.ToCompact(RtcpNtpTime.FromDateTimeOffset(receivedAt));
        var rtt = RtcpRoundTripTime.Compute(arrival, block.LastSenderReport, block.DelaySinceLastSenderReport);
        statistics.OnReportBlock(block.FractionLost, block.CumulativeLost, block.ExtendedHighestSequenceNumber, block.Jitter, receivedAt, rtt);
        OnOutboundReportBlock(block.FractionLost, rtt);
    }
}
