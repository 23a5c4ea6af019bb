using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Rtcp;

/// <summary>
/// The common layout of RTCP feedback messages (RFC 4585 §6.1): header with FMT, SSRC of packet sender, SSRC of media
/// source, then feedback control information (FCI).
/// </summary>
internal static class RtcpFeedback
{
    /// <summary>Header plus both SSRCs.</summary>
    public const int CommonLength = 12;

    /// <summary>Checks type, FMT and a minimum length; returns both SSRCs and the FCI.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, RtcpPacketType type, int format, int minimumLength, out uint senderSsrc, out uint mediaSsrc, out ReadOnlySpan<byte> fci)
    {
        senderSsrc = 0;
        mediaSsrc = 0;
        fci = default;
        if (!RtcpHeader.TryParse(packet, out var header)
            || header.PacketType != (byte)type
            || header.Format != format
            || header.PacketLength > packet.Length
            || header.PacketLength < Math.Max(CommonLength, minimumLength))
        {
            return false;
        }

        senderSsrc = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        mediaSsrc = BinaryPrimitives.ReadUInt32BigEndian(packet[8..]);
        fci = packet[CommonLength..header.PacketLength];
        return true;
    }

    /// <summary>Writes the header and both SSRCs of a feedback packet of <paramref name="packetLength"/> bytes.</summary>
    public static void WriteCommon(Span<byte> destination, RtcpPacketType type, int format, int packetLength, uint senderSsrc, uint mediaSsrc)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, packetLength, nameof(destination));
        RtcpHeader.Write(destination, format, type, packetLength);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], mediaSsrc);
    }
}
