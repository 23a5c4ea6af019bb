using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Rtcp;

/// <summary>
/// A receiver report, RR (RFC 3550 §6.4.2): the reporter's SSRC and up to 31 report blocks. A view over the packet bytes.
/// </summary>
/// <remarks>
/// <code>
/// |V=2|P|    RC   |   PT=RR=201   |             length            |
/// |                     SSRC of packet sender                     |
/// |                  report block 1 .. RC (24 bytes each)         |
/// </code>
/// </remarks>
internal readonly ref struct RtcpReceiverReport
{
    /// <summary>Size without report blocks.</summary>
    public const int FixedLength = 8;

    private readonly ReadOnlySpan<byte> _blocks;

    private RtcpReceiverReport(uint ssrc, ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> extension)
    {
        Ssrc = ssrc;
        _blocks = blocks;
        ProfileExtension = extension;
    }

    /// <summary>SSRC of the reporter.</summary>
    public uint Ssrc { get; }

    /// <summary>Number of report blocks.</summary>
    public int ReportCount => _blocks.Length / RtcpReportBlock.Size;

    /// <summary>Bytes after the report blocks (profile-specific extensions and any padding).</summary>
    public ReadOnlySpan<byte> ProfileExtension { get; }

    /// <summary>Report block <paramref name="index"/> (0 ≤ index &lt; <see cref="ReportCount"/>).</summary>
    public RtcpReportBlock GetReportBlock(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, ReportCount);
        return RtcpReportBlock.Read(_blocks[(index * RtcpReportBlock.Size)..]);
    }

    /// <summary>Parses an RR packet; false when it is not one or is truncated.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out RtcpReceiverReport report)
    {
        report = default;
        if (!RtcpHeader.TryParse(packet, out var header)
            || header.PacketType != (byte)RtcpPacketType.ReceiverReport
            || header.PacketLength > packet.Length
            || header.PacketLength < FixedLength + (header.Count * RtcpReportBlock.Size))
        {
            return false;
        }

        var blocksEnd = FixedLength + (header.Count * RtcpReportBlock.Size);
        report = new RtcpReceiverReport(BinaryPrimitives.ReadUInt32BigEndian(packet[4..]), packet[FixedLength..blocksEnd], packet[blocksEnd..header.PacketLength]);
        return true;
    }

    /// <summary>Bytes <see cref="Write"/> needs for <paramref name="reportCount"/> blocks.</summary>
    public static int GetSize(int reportCount) => FixedLength + (reportCount * RtcpReportBlock.Size);

    /// <summary>Writes an RR and returns its length. An RR with no blocks is the usual first packet of a compound from a receive-only peer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">More than 31 blocks, or <paramref name="destination"/> is too small.</exception>
    public static int Write(Span<byte> destination, uint ssrc, ReadOnlySpan<RtcpReportBlock> reportBlocks)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(reportBlocks.Length, RtcpReportBlock.MaxCount, nameof(reportBlocks));
        var size = GetSize(reportBlocks.Length);
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, size, nameof(destination));
        RtcpHeader.Write(destination, reportBlocks.Length, RtcpPacketType.ReceiverReport, size);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        for (var i = 0; i < reportBlocks.Length; i++)
        {
            reportBlocks[i].Write(destination[(FixedLength + (i * RtcpReportBlock.Size))..]);
        }

        return size;
    }
}
