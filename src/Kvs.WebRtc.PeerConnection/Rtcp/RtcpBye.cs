using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Rtcp;

/// <summary>
/// A goodbye, BYE (RFC 3550 §6.6): the SSRCs/CSRCs leaving and an optional reason (length byte + UTF-8 text, padded
/// to 32 bits). A view over the packet bytes.
/// </summary>
/// <remarks>
/// <code>
/// |V=2|P|    SC   |   PT=BYE=203  |             length            |
/// |                           SSRC/CSRC                           |
/// :                              ...                              :
/// |     length    |               reason for leaving            ... (opt)
/// </code>
/// </remarks>
internal readonly ref struct RtcpBye
{
    private readonly ReadOnlySpan<byte> _sources;

    private RtcpBye(ReadOnlySpan<byte> sources, ReadOnlySpan<byte> reason)
    {
        _sources = sources;
        Reason = reason;
    }

    /// <summary>Number of sources leaving.</summary>
    public int SourceCount => _sources.Length / 4;

    /// <summary>The reason text bytes (UTF-8), empty when absent.</summary>
    public ReadOnlySpan<byte> Reason { get; }

    /// <summary>Source <paramref name="index"/> (0 ≤ index &lt; <see cref="SourceCount"/>).</summary>
    public uint GetSource(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, SourceCount);
        return BinaryPrimitives.ReadUInt32BigEndian(_sources[(index * 4)..]);
    }

    /// <summary>Parses a BYE packet; false when it is not one, the sources are truncated, or the reason runs past the packet.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out RtcpBye bye)
    {
        bye = default;
        if (!RtcpHeader.TryParse(packet, out var header)
            || header.PacketType != (byte)RtcpPacketType.Bye
            || header.PacketLength > packet.Length
            || header.PacketLength < RtcpHeader.Size + (header.Count * 4))
        {
            return false;
        }

        var sourcesEnd = RtcpHeader.Size + (header.Count * 4);
        var reason = ReadOnlySpan<byte>.Empty;
        if (sourcesEnd < header.PacketLength)
        {
            int length = packet[sourcesEnd];
            if (sourcesEnd + 1 + length > header.PacketLength)
            {
                return false;
            }

            reason = packet.Slice(sourcesEnd + 1, length);
        }

        bye = new RtcpBye(packet[RtcpHeader.Size..sourcesEnd], reason);
        return true;
    }

    /// <summary>Bytes <see cref="Write"/> needs.</summary>
    public static int GetSize(int sourceCount, int reasonLength) =>
        RtcpHeader.Size + (sourceCount * 4) + (reasonLength > 0 ? RtcpHeader.Align(1 + reasonLength) : 0);

    /// <summary>Writes a BYE and returns its length.</summary>
    /// <exception cref="ArgumentOutOfRangeException">More than 31 sources, a reason over 255 bytes, or <paramref name="destination"/> too small.</exception>
    public static int Write(Span<byte> destination, ReadOnlySpan<uint> sources, ReadOnlySpan<byte> reason = default)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sources.Length, 31, nameof(sources));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(reason.Length, 255, nameof(reason));
        var size = GetSize(sources.Length, reason.Length);
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, size, nameof(destination));
        destination[..size].Clear();
        RtcpHeader.Write(destination, sources.Length, RtcpPacketType.Bye, size);
        var offset = RtcpHeader.Size;
        foreach (var source in sources)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], source);
            offset += 4;
        }

        if (!reason.IsEmpty)
        {
            destination[offset] = (byte)reason.Length;
            reason.CopyTo(destination[(offset + 1)..]);
        }

        return size;
    }
}
