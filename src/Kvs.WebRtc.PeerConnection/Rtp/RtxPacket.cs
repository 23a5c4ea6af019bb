using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Rtp;

/// <summary>
/// The RTP retransmission payload format (RFC 4588 §4): a retransmitted packet keeps the original header (timestamp,
/// marker, CSRCs, extensions) under its own payload type, sequence number and SSRC, and its payload starts with the
/// original sequence number (OSN, 2 bytes) followed by the original payload. Padding is not carried over.
/// </summary>
/// <remarks>
/// <code>
/// |                         RTP Header                            |
/// |            OSN                |                               |
/// |                  Original RTP Packet Payload                  |
/// </code>
/// Both directions write into caller memory and never throw on bad input.
/// </remarks>
internal static class RtxPacket
{
    /// <summary>Length of the original-sequence-number field.</summary>
    public const int OsnLength = 2;

    /// <summary>Bytes <see cref="TryWrap"/> writes for <paramref name="original"/>, or −1 when it is not a valid RTP packet.</summary>
    public static int GetWrappedLength(ReadOnlySpan<byte> original) =>
        RtpHeader.TryParse(original, out var header) ? header.HeaderLength + OsnLength + header.PayloadLength : -1;

    /// <summary>
    /// Writes the RTX packet for <paramref name="original"/>: its header with <paramref name="rtxPayloadType"/>,
    /// <paramref name="rtxSequenceNumber"/> and <paramref name="rtxSsrc"/> (padding bit cleared), the OSN, then the payload.
    /// </summary>
    /// <returns>False when <paramref name="original"/> is not RTP or <paramref name="destination"/> is too small.</returns>
    public static bool TryWrap(ReadOnlySpan<byte> original, Span<byte> destination, byte rtxPayloadType, ushort rtxSequenceNumber, uint rtxSsrc,
        out int written)
    {
        written = 0;
        if (!RtpHeader.TryParse(original, out var header))
        {
            return false;
        }

        var length = header.HeaderLength + OsnLength + header.PayloadLength;
        if (destination.Length < length)
        {
            return false;
        }

        original[..header.HeaderLength].CopyTo(destination);
        original.Slice(header.HeaderLength, header.PayloadLength).CopyTo(destination[(header.HeaderLength + OsnLength)..]);
        BinaryPrimitives.WriteUInt16BigEndian(destination[header.HeaderLength..], header.SequenceNumber);
        destination[0] &= 0xDF; // no padding
        destination[1] = (byte)((destination[1] & 0x80) | (rtxPayloadType & 0x7F));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], rtxSequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], rtxSsrc);
        written = length;
        return true;
    }

    /// <summary>
    /// Restores the original packet from an RTX packet: its header with <paramref name="originalPayloadType"/>, the OSN
    /// as sequence number and <paramref name="originalSsrc"/> (padding bit cleared), then the payload after the OSN.
    /// </summary>
    /// <returns>
    /// False when <paramref name="rtx"/> is not RTP, carries no original payload (fewer than 3 payload bytes: padding
    /// probes send an OSN only, or nothing), or <paramref name="destination"/> is too small.
    /// </returns>
    public static bool TryUnwrap(ReadOnlySpan<byte> rtx, Span<byte> destination, byte originalPayloadType, uint originalSsrc, out int written,
        out ushort originalSequenceNumber)
    {
        written = 0;
        originalSequenceNumber = 0;
        if (!RtpHeader.TryParse(rtx, out var header) || header.PayloadLength <= OsnLength)
        {
            return false;
        }

        var payloadLength = header.PayloadLength - OsnLength;
        var length = header.HeaderLength + payloadLength;
        if (destination.Length < length)
        {
            return false;
        }

        originalSequenceNumber = BinaryPrimitives.ReadUInt16BigEndian(rtx[header.HeaderLength..]);
        rtx[..header.HeaderLength].CopyTo(destination);
        rtx.Slice(header.HeaderLength + OsnLength, payloadLength).CopyTo(destination[header.HeaderLength..]);
        destination[0] &= 0xDF;
        destination[1] = (byte)((destination[1] & 0x80) | (originalPayloadType & 0x7F));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], originalSequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], originalSsrc);
        written = length;
        return true;
    }
}
