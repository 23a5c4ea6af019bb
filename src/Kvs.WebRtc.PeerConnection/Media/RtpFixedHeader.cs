using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>The 12-byte RTP header this stack writes for packetized frames (RFC 3550 §5.1): no CSRCs, no extensions.</summary>
internal static class RtpFixedHeader
{
    /// <summary>The header length.</summary>
    public const int Length = 12;

    /// <summary>Writes V=2, the marker, payload type, sequence number, timestamp and SSRC.</summary>
    public static void Write(Span<byte> destination, bool marker, byte payloadType, ushort sequenceNumber, uint timestamp, uint ssrc)
    {
        destination[0] = 0x80;
        destination[1] = (byte)((marker ? 0x80 : 0) | (payloadType & 0x7F));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ssrc);
    }

    /// <summary>Replaces the payload type (keeping the marker bit) and the SSRC of a packet in place.</summary>
    public static void Rewrite(Span<byte> packet, byte payloadType, uint ssrc)
    {
        packet[1] = (byte)((packet[1] & 0x80) | (payloadType & 0x7F));
        BinaryPrimitives.WriteUInt32BigEndian(packet[8..], ssrc);
    }
}
