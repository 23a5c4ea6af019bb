namespace Kvs.WebRtc.PeerConnection.DataChannels;

/// <summary>Whether a data channel message carries text or binary data (RFC 8831 §6.6).</summary>
public enum RTCDataChannelMessageType
{
    /// <summary>A UTF-8 string (PPID 51, or 56 when empty).</summary>
    Text,

    /// <summary>Binary data (PPID 53, or 57 when empty).</summary>
    Binary,
}
