using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Rtcp;

/// <summary>
/// A generic NACK (RTPFB, FMT 1; RFC 4585 §6.2.1): (PID, BLP) pairs, each naming lost packet PID and, in the bitmask
/// BLP, which of PID+1..PID+16 are lost too. A view over the packet; <see cref="GetLostSequenceNumbers"/> lists them.
/// </summary>
/// <remarks>
/// <code>
/// |V=2|P|  FMT=1  |   PT=205      |          length               |
/// |                  SSRC of packet sender                        |
/// |                  SSRC of media source                         |
/// |            PID                |             BLP               |  (repeated)
/// </code>
/// </remarks>
internal readonly ref struct RtcpGenericNack
{
    private readonly ReadOnlySpan<byte> _items;

    private RtcpGenericNack(uint senderSsrc, uint mediaSsrc, ReadOnlySpan<byte> items)
    {
        SenderSsrc = senderSsrc;
        MediaSsrc = mediaSsrc;
        _items = items;
    }

    /// <summary>SSRC of the packet sender.</summary>
    public uint SenderSsrc { get; }

    /// <summary>SSRC of the media source whose packets are lost.</summary>
    public uint MediaSsrc { get; }

    /// <summary>Number of (PID, BLP) items.</summary>
    public int ItemCount => _items.Length / 4;

    /// <summary>Item <paramref name="index"/>: the packet id and the bitmask of following lost packets.</summary>
    public (ushort PacketId, ushort Bitmask) GetItem(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, ItemCount);
        return (BinaryPrimitives.ReadUInt16BigEndian(_items[(index * 4)..]), BinaryPrimitives.ReadUInt16BigEndian(_items[((index * 4) + 2)..]));
    }

    /// <summary>Every lost sequence number, item by item (at most 17 per item). Allocates nothing.</summary>
    public RtcpNackSequenceEnumerator GetLostSequenceNumbers() => new(_items);

    /// <summary>Parses a generic NACK; false when it is not one, is truncated, or has no item.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out RtcpGenericNack nack)
    {
        nack = default;
        if (!RtcpFeedback.TryParse(packet, RtcpPacketType.TransportFeedback, RtcpFeedbackFormat.GenericNack, RtcpFeedback.CommonLength + 4, out var sender, out var media, out var fci))
        {
            return false;
        }

        nack = new RtcpGenericNack(sender, media, fci[..(fci.Length & ~3)]);
        return true;
    }

    /// <summary>Number of items <see cref="Write"/> produces for <paramref name="lost"/> (any order; best in ascending wrap-aware order).</summary>
    public static int CountItems(ReadOnlySpan<ushort> lost)
    {
        var items = 0;
        ushort pid = 0;
        for (var i = 0; i < lost.Length; i++)
        {
            var offset = (ushort)(lost[i] - pid);
            if (items == 0 || offset > 16)
            {
                pid = lost[i];
                items++;
            }
        }

        return items;
    }

    /// <summary>Bytes <see cref="Write"/> needs for <paramref name="lost"/>.</summary>
    public static int GetSize(ReadOnlySpan<ushort> lost) => RtcpFeedback.CommonLength + (CountItems(lost) * 4);

    /// <summary>
    /// Writes a NACK for the lost sequence numbers <paramref name="lost"/> and returns its length. Sorted input
    /// (ascending, wrap-aware) gives the fewest items; duplicates are harmless.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lost"/> is empty or <paramref name="destination"/> is too small.</exception>
    public static int Write(Span<byte> destination, uint senderSsrc, uint mediaSsrc, ReadOnlySpan<ushort> lost)
    {
        ArgumentOutOfRangeException.ThrowIfZero(lost.Length, nameof(lost));
        var size = GetSize(lost);
        RtcpFeedback.WriteCommon(destination, RtcpPacketType.TransportFeedback, RtcpFeedbackFormat.GenericNack, size, senderSsrc, mediaSsrc);
        var offset = RtcpFeedback.CommonLength - 4;
        ushort pid = 0;
        ushort blp = 0;
        for (var i = 0; i < lost.Length; i++)
        {
            var delta = (ushort)(lost[i] - pid);
            if (offset >= RtcpFeedback.CommonLength && delta is >= 1 and <= 16)
            {
                blp |= (ushort)(1 << (delta - 1));
                BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], blp);
                continue;
            }

            if (offset >= RtcpFeedback.CommonLength && delta == 0)
            {
                continue;
            }

            offset += 4;
            pid = lost[i];
            blp = 0;
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], pid);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], 0);
        }

        return size;
    }
}
