namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>A remote track became available (W3C <see href="https://www.w3.org/TR/webrtc/#rtctrackevent">RTCTrackEvent</see>).</summary>
public sealed class RTCTrackEventArgs : EventArgs
{
    internal RTCTrackEventArgs(RTCRtpTransceiver transceiver, IReadOnlyList<string> streamIds)
    {
        Transceiver = transceiver;
        StreamIds = streamIds;
    }

    /// <summary>The transceiver.</summary>
    public RTCRtpTransceiver Transceiver { get; }

    /// <summary>The receiver.</summary>
    public RTCRtpReceiver Receiver => Transceiver.Receiver;

    /// <summary>The remote track.</summary>
    public RemoteMediaTrack Track => Transceiver.Receiver.Track;

    /// <summary>The remote media stream ids (<c>a=msid</c>).</summary>
    public IReadOnlyList<string> StreamIds { get; }
}
