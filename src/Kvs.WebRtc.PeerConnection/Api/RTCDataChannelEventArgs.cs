using Kvs.WebRtc.PeerConnection.DataChannels;

namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// A data channel the peer opened (W3C <see href="https://www.w3.org/TR/webrtc/#rtcdatachannelevent">RTCDataChannelEvent</see>).
/// </summary>
public sealed class RTCDataChannelEventArgs : EventArgs
{
    internal RTCDataChannelEventArgs(RTCDataChannel channel) => Channel = channel;

    /// <summary>The channel; attach its handlers in the event handler to see every message.</summary>
    public RTCDataChannel Channel { get; }
}
