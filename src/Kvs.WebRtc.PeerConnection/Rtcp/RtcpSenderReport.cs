using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Rtcp;

/// <summary>
/// A sender report, SR (RFC 3550 §6.4.1): sender SSRC, NTP and RTP timestamps of the same instant, packet and octet
/// counts, then up to 31 report blocks and an optional profile-specific extension. A view over the packet bytes.
/// </summary>
/// <remarks>
/// <code>
/// |V=2|P|    RC   |   PT=SR=200   |             length            |
/// |                         SSRC of sender                        |
/// |              NTP timestamp, most significant word             |
/// |             NTP timestamp, least significant word             |
/// |                         RTP timestamp                         |
/// |                     sender's packet count                     |
/// |                      sender's octet count                     |
/// |                  report block 1 .. RC (24 bytes each)         |
/// </code>
/// </remarks>
internal readonly ref struct RtcpSenderReport
{
    /// <summary>Size without report blocks.</summary>
    public const int FixedLength = 28;

    private readonly ReadOnlySpan<byte> _blocks;

    private RtcpSenderReport(ReadOnlySpan<byte> packet, int reportCount, int length)
    {
        Ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        NtpTimestamp = BinaryPrimitives.ReadUInt64BigEndian(packet[8..]);
        RtpTimestamp = BinaryPrimitives.ReadUInt32BigEndian(packet[16..]);
        PacketCount = BinaryPrimitives.ReadUInt32BigEndian(packet[20..]);
        OctetCount = BinaryPrimitives.ReadUInt32BigEndian(packet[24..]);
        _blocks = packet.Slice(FixedLength, reportCount * RtcpReportBlock.Size);
        ProfileExtension = packet[(FixedLength + _blocks.Length)..length];
    }

    /// <summary>SSRC of the sender.</summary>
    public uint Ssrc { get; }

    /// <summary>64-bit NTP wall-clock time (<see cref="RtcpNtpTime"/>).</summary>
    public ulong NtpTimestamp { get; }

    /// <summary>The RTP timestamp of the same instant.</summary>
    public uint RtpTimestamp { get; }

    /// <summary>Packets sent since the start.</summary>
    public uint PacketCount { get; }

    /// <summary>Payload octets sent since the start.</summary>
    public uint OctetCount { get; }

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

    /// <summary>Parses an SR packet (as returned by <see cref="RtcpCompoundReader"/>); false when it is not one or is truncated.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out RtcpSenderReport report)
    {
        report = default;
        if (!RtcpHeader.TryParse(packet, out var header)
            || header.PacketType != (byte)RtcpPacketType.SenderReport
            || header.PacketLength > packet.Length
            || header.PacketLength < FixedLength + (header.Count * RtcpReportBlock.Size))
        {
            return false;
        }

        report = new RtcpSenderReport(packet, header.Count, header.PacketLength);
        return true;
    }

    /// <summary>Bytes <see cref="Write"/> needs for <paramref name="reportCount"/> blocks.</summary>
    public static int GetSize(int reportCount) => FixedLength + (reportCount * RtcpReportBlock.Size);

    /// <summary>Writes an SR and returns its length.</summary>
    /// <exception cref="ArgumentOutOfRangeException">More than 31 blocks, or <paramref name="destination"/> is too small.</exception>
    public static int Write(Span<byte> destination, uint ssrc, ulong ntpTimestamp, uint rtpTimestamp, uint packetCount, uint octetCount, ReadOnlySpan<RtcpReportBlock> reportBlocks)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(reportBlocks.Length, RtcpReportBlock.MaxCount, nameof(reportBlocks));
        var size = GetSize(reportBlocks.Length);
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, size, nameof(destination));
        RtcpHeader.Write(destination, reportBlocks.Length, RtcpPacketType.SenderReport, size);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], ntpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], rtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], packetCount);
        BinaryPrimitives.WriteUInt32BigEndian(destination[24..], octetCount);
        for (var i = 0; i < reportBlocks.Length; i++)
        {
            reportBlocks[i].Write(destination[(FixedLength + (i * RtcpReportBlock.Size))..]);
        }

        return size;
    }
}
