using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Rtp;

/// <summary>
/// Writes an RTP header (RFC 3550 §5.1) with optional CSRCs and an RFC 8285 header-extension block into caller memory:
/// <see cref="GetHeaderSize"/> first, then <see cref="Write"/>. The payload follows at the returned offset. Allocates nothing.
/// </summary>
/// <remarks>
/// The one-byte form (profile 0xBEDE, RFC 8285 §4.2) is chosen when every id is 1–14 and every value 1–16 bytes,
/// else the two-byte form (profile 0x1000, §4.3). The block is padded with zero bytes to a 32-bit boundary.
/// The P bit is never set here: padding is the packetizer's business.
/// </remarks>
internal static class RtpHeaderWriter
{
    /// <summary>Bytes <see cref="Write"/> needs for <paramref name="csrcCount"/> CSRCs and these extensions.</summary>
    public static int GetHeaderSize(int csrcCount, scoped in RtpHeaderExtensions extensions)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(csrcCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(csrcCount, 15);
        return RtpHeader.FixedHeaderLength + (csrcCount * 4) + extensions.GetBlockSize();
    }

    /// <summary>Writes the header and returns its length (the payload offset).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The payload type is above 127, more than 15 CSRCs, or <paramref name="destination"/> is too small.</exception>
    public static int Write(
        Span<byte> destination,
        bool marker,
        byte payloadType,
        ushort sequenceNumber,
        uint timestamp,
        uint ssrc,
        ReadOnlySpan<uint> csrcs,
        scoped in RtpHeaderExtensions extensions)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadType, (byte)127);
        var size = GetHeaderSize(csrcs.Length, extensions);
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, size, nameof(destination));

        var hasExtensions = extensions.Count > 0;
        destination[0] = (byte)(0x80 | (hasExtensions ? 0x10 : 0) | csrcs.Length);
        destination[1] = (byte)((marker ? 0x80 : 0) | payloadType);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ssrc);
        var offset = RtpHeader.FixedHeaderLength;
        foreach (var csrc in csrcs)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], csrc);
            offset += 4;
        }

        if (!hasExtensions)
        {
            return offset;
        }

        var oneByte = extensions.FitsOneByteForm;
        var blockEnd = size;
        BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], oneByte ? RtpHeader.OneByteExtensionProfile : RtpHeader.TwoByteExtensionProfile);
        BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], (ushort)((blockEnd - offset - 4) / 4));
        offset += 4;
        for (var i = 0; i < extensions.Count; i++)
        {
            var value = extensions.GetValue(i);
            if (oneByte)
            {
                destination[offset++] = (byte)((extensions.GetId(i) << 4) | (value.Length - 1));
            }
            else
            {
                destination[offset++] = (byte)extensions.GetId(i);
                destination[offset++] = (byte)value.Length;
            }

            value.CopyTo(destination[offset..]);
            offset += value.Length;
        }

        destination[offset..blockEnd].Clear();
        return blockEnd;
    }
}
