using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection.Rtp;

namespace Kvs.WebRtc.PeerConnection;

/// <summary>Transport-wide congestion control wiring: header extensions on send and feedback as receiver, after each negotiation.</summary>
public sealed partial class RTCPeerConnection
{
    /// <summary>The transport's send history (transport-wide sequence number → size, send time), for the send-side bandwidth estimator.</summary>
    internal TransportSendHistory TransportSendHistory => _transport.SendHistory;

    // After a negotiation (outside the lock): which extensions each sending SSRC writes, and whether the remote's
    // transport-wide sequence numbers get feedback. With BUNDLE one id names a URI in every section (RFC 8843 §9.2),
    // so the first receiving section's id serves the whole transport.
    private void ConfigureTransportCc(IReadOnlyList<RTCRtpTransceiver> transceivers)
    {
        var send = new Dictionary<uint, RtpSendExtensions>();
        var paced = new List<uint>();
        var feedbackId = 0;
        foreach (var transceiver in transceivers)
        {
            if (transceiver.Model.Negotiated is not { } negotiated || transceiver.Model.Stopped)
            {
                continue;
            }

            if (negotiated.Sends && transceiver.Kind == MediaStreamTrackKind.Video)
            {
                // Video and its retransmissions go through the pacer; audio is never queued.
                paced.Add(transceiver.Model.SendSsrc);
                if (transceiver.Model.RtxSsrc is { } pacedRtx)
                {
                    paced.Add(pacedRtx);
                }
            }

            if (negotiated.Sends && RtpSendExtensions.Create(negotiated) is { } extensions)
            {
                send[transceiver.Model.SendSsrc] = extensions;
                if (transceiver.Model.RtxSsrc is { } rtxSsrc && negotiated.Codecs.Any(c => c.RtxPayloadType is not null))
                {
                    send[rtxSsrc] = extensions; // retransmissions count toward the estimate too
                }
            }

            if (negotiated.Receives && feedbackId == 0)
            {
                feedbackId = RtpSendExtensions.FindId(negotiated, RtpExtensionUri.TransportWideCc);
            }
        }

        _transport.SetSendExtensions(send);
        _transport.SetPacedSsrcs(paced);
        _transport.ConfigureTransportFeedback(feedbackId, _rtcpSsrc);
    }
}
