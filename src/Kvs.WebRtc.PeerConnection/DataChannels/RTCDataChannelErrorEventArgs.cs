namespace Kvs.WebRtc.PeerConnection.DataChannels;

/// <summary>An error on an <see cref="RTCDataChannel"/> (W3C <c>RTCErrorEvent</c>), e.g. the association was aborted.</summary>
public sealed class RTCDataChannelErrorEventArgs : EventArgs
{
    internal RTCDataChannelErrorEventArgs(string message) => Message = message;

    /// <summary>What went wrong.</summary>
    public string Message { get; }
}
