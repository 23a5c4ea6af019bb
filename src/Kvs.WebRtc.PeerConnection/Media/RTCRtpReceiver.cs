namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>Receives one remote track (W3C <see href="https://www.w3.org/TR/webrtc/#rtcrtpreceiver-interface">RTCRtpReceiver</see>).</summary>
public sealed class RTCRtpReceiver
{
    internal RTCRtpReceiver(RemoteMediaTrack track)
    {
        Track = track;
    }

    /// <summary>The remote track; it ends when the connection closes or the transceiver stops.</summary>
    public RemoteMediaTrack Track { get; }

    /// <summary>
    /// The DTLS transport its packets arrive on (W3C <c>transport</c>): the connection's BUNDLE transport once a
    /// description that includes this receiver's section was applied, null before.
    /// </summary>
    public RTCDtlsTransport? Transport { get; internal set; }

    /// <summary>The SSRC the remote sends with, once known (from its description or the first packet).</summary>
    public uint? RemoteSsrc { get; internal set; }

    /// <summary>Reception statistics of the SSRC received last (replaced when the SSRC changes), set by the receive path.</summary>
    internal RtpReceiveStatistics? Statistics { get; set; }
}
