using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Rtp;

/// <summary>
/// The fixed RTP header, its CSRC list and its header-extension block, read from a packet without copying
/// (RFC 3550 §5.1, RFC 3550 §5.3.1, RFC 8285 §4). Offsets refer to the packet the header was parsed from; pass
/// the same packet to <see cref="GetPayload"/>, <see cref="GetCsrc"/> and <see cref="TryGetExtension"/>.
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|X|  CC   |M|     PT      |       sequence number         |
/// |                           timestamp                           |
/// |           synchronization source (SSRC) identifier            |
/// |            contributing source (CSRC) identifiers (CC)        |
/// |  defined by profile (0xBEDE / 0x100x)  |       length          |
/// |                        header extension                       |
/// </code>
/// </remarks>
internal readonly struct RtpHeader
{
    /// <summary>Size of the fixed header without CSRCs or extension (12 bytes).</summary>
    public const int FixedHeaderLength = 12;

    /// <summary>The "defined by profile" value of the RFC 8285 §4.2 one-byte form.</summary>
    public const ushort OneByteExtensionProfile = 0xBEDE;

    /// <summary>The "defined by profile" value of the RFC 8285 §4.3 two-byte form (low 4 bits are app bits).</summary>
    public const ushort TwoByteExtensionProfile = 0x1000;

    private RtpHeader(
        byte first,
        byte second,
        ushort sequenceNumber,
        uint timestamp,
        uint ssrc,
        ushort extensionProfile,
        int extensionOffset,
        int extensionLength,
        int headerLength,
        int paddingLength,
        int payloadLength)
    {
        Padding = (first & 0x20) != 0;
        Extension = (first & 0x10) != 0;
        CsrcCount = first & 0x0F;
        Marker = (second & 0x80) != 0;
        PayloadType = (byte)(second & 0x7F);
        SequenceNumber = sequenceNumber;
        Timestamp = timestamp;
        Ssrc = ssrc;
        ExtensionProfile = extensionProfile;
        ExtensionOffset = extensionOffset;
        ExtensionLength = extensionLength;
        HeaderLength = headerLength;
        PaddingLength = paddingLength;
        PayloadLength = payloadLength;
    }

    /// <summary>RTP version: 2 for a parsed header, 0 for <c>default</c>.</summary>
    public int Version => HeaderLength > 0 ? 2 : 0;

    /// <summary>The P bit: the packet ends with <see cref="PaddingLength"/> padding bytes.</summary>
    public bool Padding { get; }

    /// <summary>The X bit: a header-extension block follows the CSRCs.</summary>
    public bool Extension { get; }

    /// <summary>The M bit (end of frame for video, start of talkspurt for audio).</summary>
    public bool Marker { get; }

    /// <summary>Payload type, 0–127.</summary>
    public byte PayloadType { get; }

    /// <summary>16-bit sequence number (wraps; see <see cref="RtpSequenceNumber"/>).</summary>
    public ushort SequenceNumber { get; }

    /// <summary>32-bit media timestamp in clock-rate units.</summary>
    public uint Timestamp { get; }

    /// <summary>Synchronization source.</summary>
    public uint Ssrc { get; }

    /// <summary>Number of CSRC identifiers (0–15).</summary>
    public int CsrcCount { get; }

    /// <summary>Offset of the payload: 12 + 4·CC + the extension block (its 4-byte header included).</summary>
    public int HeaderLength { get; }

    /// <summary>Padding bytes at the end of the packet (count byte included), 0 when <see cref="Padding"/> is clear.</summary>
    public int PaddingLength { get; }

    /// <summary>Payload bytes between the header and the padding.</summary>
    public int PayloadLength { get; }

    /// <summary>The extension block's "defined by profile" value, 0 when there is no extension.</summary>
    public ushort ExtensionProfile { get; }

    /// <summary>Offset of the extension elements (after the 4-byte extension header), 0 when there is none.</summary>
    public int ExtensionOffset { get; }

    /// <summary>Length in bytes of the extension elements (4 × the length field).</summary>
    public int ExtensionLength { get; }

    /// <summary>True when the extension block uses the RFC 8285 §4.2 one-byte form.</summary>
    public bool HasOneByteExtensions => Extension && ExtensionProfile == OneByteExtensionProfile;

    /// <summary>True when the extension block uses the RFC 8285 §4.3 two-byte form.</summary>
    public bool HasTwoByteExtensions => Extension && (ExtensionProfile & 0xFFF0) == TwoByteExtensionProfile;

    /// <summary>
    /// Parses and validates the header of <paramref name="packet"/>: version 2, the CSRC list, the extension block
    /// and the padding count all within the packet, padding not larger than what follows the header. Never throws.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out RtpHeader header)
    {
        header = default;
        if (packet.Length < FixedHeaderLength)
        {
            return false;
        }

        var first = packet[0];
        if ((first >> 6) != 2)
        {
            return false;
        }

        var offset = FixedHeaderLength + ((first & 0x0F) * 4);
        if (offset > packet.Length)
        {
            return false;
        }

        ushort profile = 0;
        var extensionOffset = 0;
        var extensionLength = 0;
        if ((first & 0x10) != 0)
        {
            if (offset + 4 > packet.Length)
            {
                return false;
            }

            profile = BinaryPrimitives.ReadUInt16BigEndian(packet[offset..]);
            extensionLength = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]) * 4;
            extensionOffset = offset + 4;
            if (extensionLength > packet.Length - extensionOffset)
            {
                return false;
            }

            offset = extensionOffset + extensionLength;
        }

        var padding = 0;
        if ((first & 0x20) != 0)
        {
            padding = packet[^1];
            if (padding == 0 || padding > packet.Length - offset)
            {
                return false;
            }
        }

        header = new RtpHeader(
            first,
            packet[1],
            BinaryPrimitives.ReadUInt16BigEndian(packet[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(packet[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(packet[8..]),
            profile,
            extensionOffset,
            extensionLength,
            offset,
            padding,
            packet.Length - offset - padding);
        return true;
    }

    /// <summary>The payload of <paramref name="packet"/> (the packet this header was parsed from), padding excluded.</summary>
    public ReadOnlySpan<byte> GetPayload(ReadOnlySpan<byte> packet) => packet.Slice(HeaderLength, PayloadLength);

    /// <summary>The CSRC at <paramref name="index"/> (0 ≤ index &lt; <see cref="CsrcCount"/>) of <paramref name="packet"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside the CSRC list.</exception>
    public uint GetCsrc(ReadOnlySpan<byte> packet, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, CsrcCount);
        return BinaryPrimitives.ReadUInt32BigEndian(packet[(FixedHeaderLength + (index * 4))..]);
    }

    /// <summary>The extension elements of <paramref name="packet"/> (empty without an extension block).</summary>
    public ReadOnlySpan<byte> GetExtensionBlock(ReadOnlySpan<byte> packet) => packet.Slice(ExtensionOffset, ExtensionLength);

    /// <summary>An allocation-free walk over the RFC 8285 elements of <paramref name="packet"/>.</summary>
    public RtpHeaderExtensionReader GetExtensions(ReadOnlySpan<byte> packet) =>
        new(HasOneByteExtensions || HasTwoByteExtensions ? GetExtensionBlock(packet) : default, HasTwoByteExtensions);

    /// <summary>
    /// Finds the RFC 8285 element with local identifier <paramref name="id"/> (1–14 one-byte form, 1–255 two-byte
    /// form) in <paramref name="packet"/>. False when absent, when the block is not RFC 8285, or when the walk meets
    /// a malformed element before finding it.
    /// </summary>
    public bool TryGetExtension(ReadOnlySpan<byte> packet, int id, out ReadOnlySpan<byte> value)
    {
        var reader = GetExtensions(packet);
        while (reader.TryReadNext(out var elementId, out var elementValue))
        {
            if (elementId == id)
            {
                value = elementValue;
                return true;
            }
        }

        value = default;
        return false;
    }
}
