using System.Buffers.Binary;
using System.Text;

namespace Kvs.WebRtc.PeerConnection.DataChannels;

/// <summary>
/// DATA_CHANNEL_OPEN (RFC 8832 §5.1):
/// <code>
/// | Message Type = 0x03 | Channel Type | Priority (16) |
/// | Reliability Parameter (32)                           |
/// | Label Length (16)        | Protocol Length (16)      |
/// | Label ... | Protocol ...                             |
/// </code>
/// </summary>
internal sealed record DcepOpenMessage(DcepChannelType ChannelType, ushort Priority, uint ReliabilityParameter, string Label, string Protocol)
{
    private const int FixedLength = 12;

    public bool Ordered => ((byte)ChannelType & 0x80) == 0;

    /// <summary>Retransmissions allowed for a rexmit channel, null otherwise.</summary>
    public int? MaxRetransmits => ((byte)ChannelType & 0x7F) == 0x01 ? (int)Math.Min(ReliabilityParameter, int.MaxValue) : null;

    /// <summary>Lifetime in milliseconds for a timed channel, null otherwise.</summary>
    public int? MaxPacketLifeTime => ((byte)ChannelType & 0x7F) == 0x02 ? (int)Math.Min(ReliabilityParameter, int.MaxValue) : null;

    public static DcepChannelType ToChannelType(bool ordered, int? maxRetransmits, int? maxPacketLifeTime)
    {
        var type = maxRetransmits is not null ? DcepChannelType.PartialReliableRexmit
            : maxPacketLifeTime is not null ? DcepChannelType.PartialReliableTimed
            : DcepChannelType.Reliable;
        return ordered ? type : (DcepChannelType)((byte)type | 0x80);
    }

    public int GetSerializedLength() => FixedLength + Encoding.UTF8.GetByteCount(Label) + Encoding.UTF8.GetByteCount(Protocol);

    public int WriteTo(Span<byte> destination)
    {
        var labelLength = Encoding.UTF8.GetBytes(Label, destination[FixedLength..]);
        var protocolLength = Encoding.UTF8.GetBytes(Protocol, destination[(FixedLength + labelLength)..]);
        destination[0] = (byte)DcepMessageType.DataChannelOpen;
        destination[1] = (byte)ChannelType;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], Priority);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ReliabilityParameter);
        BinaryPrimitives.WriteUInt16BigEndian(destination[8..], (ushort)labelLength);
        BinaryPrimitives.WriteUInt16BigEndian(destination[10..], (ushort)protocolLength);
        return FixedLength + labelLength + protocolLength;
    }

    public byte[] ToArray()
    {
        var bytes = new byte[GetSerializedLength()];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>Parses a DATA_CHANNEL_OPEN; false when truncated, of another type, or of an unknown channel type.</summary>
    public static bool TryParse(ReadOnlySpan<byte> source, out DcepOpenMessage? message)
    {
        message = null;
        if (source.Length < FixedLength || source[0] != (byte)DcepMessageType.DataChannelOpen)
        {
            return false;
        }

        var type = (DcepChannelType)source[1];
        if (!Enum.IsDefined(type))
        {
            return false;
        }

        int labelLength = BinaryPrimitives.ReadUInt16BigEndian(source[8..]);
        int protocolLength = BinaryPrimitives.ReadUInt16BigEndian(source[10..]);
        if (source.Length < FixedLength + labelLength + protocolLength)
        {
            return false;
        }

        message = new DcepOpenMessage(
            type,
            BinaryPrimitives.ReadUInt16BigEndian(source[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[4..]),
            Encoding.UTF8.GetString(source.Slice(FixedLength, labelLength)),
            Encoding.UTF8.GetString(source.Slice(FixedLength + labelLength, protocolLength)));
        return true;
    }
}
