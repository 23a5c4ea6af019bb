using Kvs.WebRtc.PeerConnection.Rtcp;

namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// The send-side bandwidth estimate: the peer's transport-wide congestion feedback (and REMB, and the loss and
/// round-trip time of its receiver reports) drive the transport's estimator (<c>Congestion/</c>, GCC family); changes
/// reach the application as <see cref="TargetBitrateChanged"/> and on every local track sent here.
/// </summary>
public sealed partial class RTCPeerConnection
{
    /// <summary>
    /// <see cref="TargetBitrate"/> changed (by at least 1 %, or reached its minimum or maximum). Raised on the
    /// connection's event task. Tracks sent on this connection raise <see cref="Media.LocalMediaTrack.TargetBitrateChanged"/> too.
    /// </summary>
    public event EventHandler? TargetBitrateChanged;

    /// <summary>
    /// What the path to the peer is estimated to carry now (bits/s; W3C <c>availableOutgoingBitrate</c>): delay-gradient
    /// and loss based, from the peer's transport-wide congestion control feedback, capped by its REMB. Null until the
    /// peer sent any feedback (a peer that sends none gives no estimate).
    /// </summary>
    public long? TargetBitrate => _transport.TargetBitrate;

    // One RTCP packet of a compound that may concern the estimate: TWCC feedback (RTPFB 15) or REMB (PSFB 15).
    private void OnCongestionFeedback(in RtcpHeader header, ReadOnlySpan<byte> packet)
    {
        var changed = header.PacketType switch
        {
            (byte)RtcpPacketType.TransportFeedback when header.Format == RtcpFeedbackFormat.TransportWideCc => _transport.OnTransportFeedback(packet),
            (byte)RtcpPacketType.PayloadSpecificFeedback when header.Format == RtcpFeedbackFormat.ApplicationLayerFeedback
                && RtcpReceiverEstimatedMaxBitrate.TryParse(packet, out var remb) => _transport.OnRemb(remb.Bitrate),
            _ => false,
        };
        if (changed)
        {
            OnTargetBitrateChanged();
        }
    }

    // A report block about one of our streams: loss and RTT for the estimator, RTT for loss recovery.
    private void OnOutboundReportBlock(byte fractionLost, TimeSpan? roundTripTime)
    {
        if (roundTripTime is { } rtt)
        {
            ApplyRoundTripTime(rtt);
        }

        if (_transport.OnReceiverReport(fractionLost, roundTripTime))
        {
            OnTargetBitrateChanged();
        }
    }

    private void OnTargetBitrateChanged()
    {
        Raise(TargetBitrateChanged, EventArgs.Empty);
        foreach (var transceiver in GetTransceivers())
        {
            transceiver.Sender.Track?.OnTargetBitrateChanged();
        }
    }
}
