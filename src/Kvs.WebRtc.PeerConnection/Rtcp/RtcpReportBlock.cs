using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Rtcp;

/// <summary>
/// A reception report block of an SR or RR (RFC 3550 §6.4.1): 24 bytes about one source.
/// </summary>
/// <param name="Ssrc">The source this block reports on.</param>
/// <param name="FractionLost">Lost fraction since the previous report, in 1/256 units.</param>
/// <param name="CumulativeLost">Packets lost since the start, a signed 24-bit value (duplicates can make it negative); clamped on write.</param>
/// <param name="ExtendedHighestSequenceNumber">Cycles in the high 16 bits, highest sequence number in the low 16.</param>
/// <param name="Jitter">Interarrival jitter in timestamp units.</param>
/// <param name="LastSenderReport">The middle 32 bits of the NTP time of the last SR from the source (<see cref="RtcpNtpTime.ToCompact"/>), 0 if none.</param>
/// <param name="DelaySinceLastSenderReport">Delay since that SR in 1/65536 s, 0 if none.</param>
internal readonly record struct RtcpReportBlock(
    uint Ssrc,
    byte FractionLost,
    int CumulativeLost,
    uint ExtendedHighestSequenceNumber,
    uint Jitter,
    uint LastSenderReport,
    uint DelaySinceLastSenderReport)
{
    /// <summary>Size of a block.</summary>
    public const int Size = 24;

    /// <summary>Most blocks one SR or RR carries (the 5-bit RC).</summary>
    public const int MaxCount = 31;

    /// <summary>Reads a block from the first 24 bytes of <paramref name="source"/>.</summary>
    public static RtcpReportBlock Read(ReadOnlySpan<byte> source)
    {
        var lost = (int)(BinaryPrimitives.ReadUInt32BigEndian(source[4..]) & 0xFFFFFF);
        if ((lost & 0x800000) != 0)
        {
            lost -= 0x1000000;
        }

        return new RtcpReportBlock(
            BinaryPrimitives.ReadUInt32BigEndian(source),
            source[4],
            lost,
            BinaryPrimitives.ReadUInt32BigEndian(source[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[12..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[16..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[20..]));
    }

    /// <summary>Writes the block into the first 24 bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination[..Size], Ssrc);
        var lost = Math.Clamp(CumulativeLost, -0x800000, 0x7FFFFF) & 0xFFFFFF;
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ((uint)FractionLost << 24) | (uint)lost);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ExtendedHighestSequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], Jitter);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], LastSenderReport);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], DelaySinceLastSenderReport);
    }
}
