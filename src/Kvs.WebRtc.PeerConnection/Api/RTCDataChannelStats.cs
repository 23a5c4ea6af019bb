using Kvs.WebRtc.PeerConnection.DataChannels;

namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// A data channel of the connection (W3C <see href="https://www.w3.org/TR/webrtc-stats/#dcstats-dict*">RTCDataChannelStats</see>,
/// type <c>data-channel</c>): messages and bytes as the application sent and received them (before SCTP framing).
/// </summary>
public sealed class RTCDataChannelStats : RTCStats
{
    internal RTCDataChannelStats()
    {
    }

    /// <inheritdoc/>
    public override RTCStatsType Type => RTCStatsType.DataChannel;

    /// <summary>The channel's label (W3C <c>label</c>).</summary>
    public required string Label { get; init; }

    /// <summary>The channel's sub-protocol (W3C <c>protocol</c>).</summary>
    public required string Protocol { get; init; }

    /// <summary>The SCTP stream id, or null before it is assigned (W3C <c>dataChannelIdentifier</c>).</summary>
    public int? DataChannelIdentifier { get; init; }

    /// <summary>The channel's state (W3C <c>state</c>).</summary>
    public RTCDataChannelState State { get; init; }

    /// <summary>Messages the application sent (W3C <c>messagesSent</c>).</summary>
    public long MessagesSent { get; init; }

    /// <summary>Payload bytes of those messages (W3C <c>bytesSent</c>).</summary>
    public long BytesSent { get; init; }

    /// <summary>Messages received (W3C <c>messagesReceived</c>).</summary>
    public long MessagesReceived { get; init; }

    /// <summary>Payload bytes of those messages (W3C <c>bytesReceived</c>).</summary>
    public long BytesReceived { get; init; }
}
