namespace Kvs.WebRtc.PeerConnection.DataChannels;

/// <summary>The state of an <see cref="RTCDataChannel"/> (W3C <c>RTCDataChannelState</c>).</summary>
public enum RTCDataChannelState
{
    /// <summary>Waiting for the SCTP association (W3C "connecting").</summary>
    Connecting,

    /// <summary>Messages can be sent and received (W3C "open").</summary>
    Open,

    /// <summary>Close started; queued messages are still sent (W3C "closing").</summary>
    Closing,

    /// <summary>Closed; the channel cannot be reopened (W3C "closed").</summary>
    Closed,
}
