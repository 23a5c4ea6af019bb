namespace Kvs.WebRtc.InteropTests.Support;

/// <summary>The direction of one Chromium transceiver in an offer (W3C <c>RTCRtpTransceiverDirection</c>), or none at all.</summary>
public enum ChromiumMediaDirection
{
    /// <summary>No transceiver (no m-line) of this kind.</summary>
    None,

    /// <summary>Receive only.</summary>
    RecvOnly,

    /// <summary>Send (a local track) and receive.</summary>
    SendRecv,

    /// <summary>Send only.</summary>
    SendOnly,
}
