namespace Kvs.WebRtc.PeerConnection.Rtcp;

/// <summary>RTCP packet types (RFC 3550 §12.1, RFC 4585 §6.1, RFC 3611 §2).</summary>
internal enum RtcpPacketType : byte
{
    /// <summary>SR, RFC 3550 §6.4.1.</summary>
    SenderReport = 200,

    /// <summary>RR, RFC 3550 §6.4.2.</summary>
    ReceiverReport = 201,

    /// <summary>SDES, RFC 3550 §6.5.</summary>
    SourceDescription = 202,

    /// <summary>BYE, RFC 3550 §6.6.</summary>
    Bye = 203,

    /// <summary>APP, RFC 3550 §6.7.</summary>
    ApplicationDefined = 204,

    /// <summary>RTPFB, transport-layer feedback (RFC 4585 §6.2): generic NACK (FMT 1), transport-wide CC (FMT 15).</summary>
    TransportFeedback = 205,

    /// <summary>PSFB, payload-specific feedback (RFC 4585 §6.3): PLI (FMT 1), FIR (FMT 4), REMB (FMT 15).</summary>
    PayloadSpecificFeedback = 206,

    /// <summary>XR, RFC 3611.</summary>
    ExtendedReport = 207,
}
