namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>A received RTP packet, decrypted (read with <see cref="RemoteMediaTrack.ReadRtpAsync"/>).</summary>
/// <param name="PayloadType">The payload type.</param>
/// <param name="SequenceNumber">The sequence number.</param>
/// <param name="Timestamp">The RTP timestamp.</param>
/// <param name="Ssrc">The SSRC.</param>
/// <param name="Marker">The marker bit (end of a video frame).</param>
/// <param name="Packet">The whole packet, header included.</param>
/// <param name="PayloadOffset">Where the payload starts in <paramref name="Packet"/>.</param>
/// <param name="PayloadLength">The payload length (padding excluded).</param>
public sealed record RtpPacketData(int PayloadType, ushort SequenceNumber, uint Timestamp, uint Ssrc, bool Marker, ReadOnlyMemory<byte> Packet,
    int PayloadOffset, int PayloadLength)
{
    /// <summary>The payload.</summary>
    public ReadOnlyMemory<byte> Payload => Packet.Slice(PayloadOffset, PayloadLength);
}
