using Kvs.WebRtc.PeerConnection.Diagnostics;
using Kvs.WebRtc.PeerConnection.Media;

namespace Kvs.WebRtc.PeerConnection;

/// <summary>The connection's part in the <see cref="KvsWebRtcDiagnostics.MeterName"/> meter: its counters, read when a listener collects.</summary>
public sealed partial class RTCPeerConnection
{
    /// <summary>
    /// Adds this connection's cumulative RTP and data-channel counters (the ones its stats report) to
    /// <paramref name="totals"/> (indexed by <see cref="PeerConnectionTelemetry.Slot"/>). Called by the meter's
    /// observable instruments, never per packet.
    /// </summary>
    internal void ReadCounters(long[] totals)
    {
        foreach (var transceiver in GetTransceivers())
        {
            var kind = transceiver.Kind;
            if (transceiver.Sender.Statistics is { } send)
            {
                var sent = send.Snapshot;
                totals[PeerConnectionTelemetry.Slot(TelemetryCounter.RtpPacketsSent, kind)] += sent.PacketsSent;
                totals[PeerConnectionTelemetry.Slot(TelemetryCounter.RtpBytesSent, kind)] += sent.BytesSent;
                totals[PeerConnectionTelemetry.Slot(TelemetryCounter.NacksReceived, kind)] += sent.NackCount;
                totals[PeerConnectionTelemetry.Slot(TelemetryCounter.PlisReceived, kind)] += sent.PliCount;
            }

            if (transceiver.Receiver.Statistics is { } receive)
            {
                var received = receive.Snapshot;
                totals[PeerConnectionTelemetry.Slot(TelemetryCounter.RtpPacketsReceived, kind)] += received.PacketsReceived;
                totals[PeerConnectionTelemetry.Slot(TelemetryCounter.RtpBytesReceived, kind)] += received.BytesReceived;
                totals[PeerConnectionTelemetry.Slot(TelemetryCounter.RtpPacketsLost, kind)] += Math.Max(0, received.PacketsLost);
                totals[PeerConnectionTelemetry.Slot(TelemetryCounter.PlisSent, kind)] += received.PliCount;
            }

            totals[PeerConnectionTelemetry.Slot(TelemetryCounter.NacksSent, kind)] += transceiver.Receiver.NackCount;
            totals[PeerConnectionTelemetry.Slot(TelemetryCounter.RetransmissionsSent, kind)] += transceiver.Sender.RetransmittedPacketsSent;
            totals[PeerConnectionTelemetry.Slot(TelemetryCounter.RetransmissionsReceived, kind)] += transceiver.Receiver.RetransmittedPacketsReceived;
        }

        if (_transport.Manager is { } manager)
        {
            var data = manager.Counters;
            totals[PeerConnectionTelemetry.Slot(TelemetryCounter.DataMessagesSent, MediaStreamTrackKind.Audio)] += data.MessagesSent;
            totals[PeerConnectionTelemetry.Slot(TelemetryCounter.DataBytesSent, MediaStreamTrackKind.Audio)] += data.BytesSent;
            totals[PeerConnectionTelemetry.Slot(TelemetryCounter.DataMessagesReceived, MediaStreamTrackKind.Audio)] += data.MessagesReceived;
            totals[PeerConnectionTelemetry.Slot(TelemetryCounter.DataBytesReceived, MediaStreamTrackKind.Audio)] += data.BytesReceived;
        }
    }
}
