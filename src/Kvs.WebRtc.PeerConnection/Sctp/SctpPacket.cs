using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>The SCTP common header (RFC 9260 §3.1) and the packet checksum (RFC 9260 §6.8).</summary>
internal static class SctpPacket
{
    public const int CommonHeaderLength = 12;
    public const int ChunkHeaderLength = 4;

    /// <summary>Reads the common header; false when the packet is too short to hold it and one chunk header.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> packet, out ushort sourcePort, out ushort destinationPort, out uint verificationTag)
    {
        if (packet.Length < CommonHeaderLength + ChunkHeaderLength)
        {
            sourcePort = destinationPort = 0;
            verificationTag = 0;
            return false;
        }

        sourcePort = BinaryPrimitives.ReadUInt16BigEndian(packet);
        destinationPort = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        verificationTag = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        return true;
    }

    /// <summary>Computes the checksum of <paramref name="packet"/> as if its checksum field were zero.</summary>
    public static uint ComputeChecksum(ReadOnlySpan<byte> packet)
    {
        ReadOnlySpan<byte> zeros = [0, 0, 0, 0];
        var crc = Crc32c.Update(0xFFFFFFFFu, packet[..8]);
        crc = Crc32c.Update(crc, zeros);
        crc = Crc32c.Update(crc, packet[CommonHeaderLength..]);
        return ~crc;
    }

    /// <summary>True when the checksum field matches the packet (stored little-endian, RFC 9260 appendix A).</summary>
    public static bool VerifyChecksum(ReadOnlySpan<byte> packet) =>
        packet.Length >= CommonHeaderLength && BinaryPrimitives.ReadUInt32LittleEndian(packet[8..]) == ComputeChecksum(packet);

    /// <summary>Writes the common header with a zero checksum.</summary>
    public static void WriteHeader(Span<byte> destination, ushort sourcePort, ushort destinationPort, uint verificationTag)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], verificationTag);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], 0);
    }

    /// <summary>Fills in the checksum of a complete packet.</summary>
    public static void WriteChecksum(Span<byte> packet) =>
        BinaryPrimitives.WriteUInt32LittleEndian(packet[8..], ComputeChecksum(packet));

    /// <summary>Rounds a chunk or parameter length up to a multiple of 4.</summary>
    public static int Pad4(int length) => (length + 3) & ~3;
}
