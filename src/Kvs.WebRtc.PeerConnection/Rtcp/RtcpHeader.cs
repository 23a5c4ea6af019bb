using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Rtcp;

/// <summary>
/// The common 4-byte RTCP header (RFC 3550 §6.4.1): version 2, the P bit, a 5-bit count (RC/SC, or FMT in feedback
/// messages, RFC 4585 §6.1), the packet type and the length in 32-bit words minus one.
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|  count  |      PT       |             length            |
/// </code>
/// </remarks>
internal readonly record struct RtcpHeader(bool Padding, int Count, byte PacketType, int PacketLength)
{
    /// <summary>Size of the common header.</summary>
    public const int Size = 4;

    /// <summary>The count field read as a feedback message type (FMT).</summary>
    public int Format => Count;

    /// <summary>
    /// Reads the header at the start of <paramref name="data"/>; false unless the version is 2. <see cref="PacketLength"/>
    /// (bytes, header included) is not checked against the input here; <see cref="RtcpCompoundReader"/> does that.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out RtcpHeader header)
    {
        header = default;
        if (data.Length < Size || (data[0] >> 6) != 2)
        {
            return false;
        }

        header = new RtcpHeader((data[0] & 0x20) != 0, data[0] & 0x1F, data[1], (BinaryPrimitives.ReadUInt16BigEndian(data[2..]) + 1) * 4);
        return true;
    }

    /// <summary>Writes a header for a packet of <paramref name="packetLength"/> bytes (a multiple of 4, header included).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The count is not 0–31, or the length is not a multiple of 4 in 4–262144.</exception>
    public static void Write(Span<byte> destination, int count, RtcpPacketType packetType, int packetLength, bool padding = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 31);
        if (packetLength < Size || packetLength > 65536 * 4 || packetLength % 4 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(packetLength), packetLength, "a multiple of 4 between 4 and 262144");
        }

        destination[0] = (byte)(0x80 | (padding ? 0x20 : 0) | count);
        destination[1] = (byte)packetType;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)((packetLength / 4) - 1));
    }

    /// <summary>Rounds <paramref name="length"/> up to a multiple of 4.</summary>
    public static int Align(int length) => (length + 3) & ~3;
}
