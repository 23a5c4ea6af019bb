namespace Kvs.WebRtc.PeerConnection.Rtcp;

/// <summary>The FMT values (the header's count field) of the feedback messages this namespace reads and writes.</summary>
internal static class RtcpFeedbackFormat
{
    /// <summary>Generic NACK, RTPFB FMT 1 (RFC 4585 §6.2.1).</summary>
    public const int GenericNack = 1;

    /// <summary>Transport-wide congestion control, RTPFB FMT 15 (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1).</summary>
    public const int TransportWideCc = 15;

    /// <summary>Picture loss indication, PSFB FMT 1 (RFC 4585 §6.3.1).</summary>
    public const int PictureLossIndication = 1;

    /// <summary>Full intra request, PSFB FMT 4 (RFC 5104 §4.3.1).</summary>
    public const int FullIntraRequest = 4;

    /// <summary>Application layer feedback, PSFB FMT 15 (RFC 4585 §6.4); REMB uses it (draft-alvestrand-rmcat-remb-03 §2.2).</summary>
    public const int ApplicationLayerFeedback = 15;
}
