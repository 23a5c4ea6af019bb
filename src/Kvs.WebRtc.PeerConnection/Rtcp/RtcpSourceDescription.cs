using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Rtcp;

/// <summary>
/// A source description, SDES (RFC 3550 §6.5): SC chunks, each an SSRC/CSRC and a list of items ended by a zero
/// byte and padded to 32 bits. Only CNAME (item 1, §6.5.1) is surfaced; other items are skipped. A view over the packet.
/// </summary>
/// <remarks>
/// <code>
/// |V=2|P|    SC   |  PT=SDES=202  |             length            |
/// |                          SSRC/CSRC_1                          |
/// |    CNAME=1    |     length    | user and domain name        ...
/// |  ...  END=0   |  (zero padding to a 32-bit boundary)          |
/// </code>
/// </remarks>
internal readonly ref struct RtcpSourceDescription
{
    /// <summary>The CNAME item type.</summary>
    public const byte CnameItem = 1;

    private readonly ReadOnlySpan<byte> _chunks;

    private RtcpSourceDescription(int chunkCount, ReadOnlySpan<byte> chunks)
    {
        ChunkCount = chunkCount;
        _chunks = chunks;
    }

    /// <summary>Number of chunks (SC).</summary>
    public int ChunkCount { get; }

    /// <summary>An allocation-free walk over the chunks: (SSRC, CNAME bytes or empty).</summary>
    public RtcpSourceDescriptionReader GetChunks() => new(_chunks, ChunkCount);

    /// <summary>The first chunk that carries a CNAME; false if none does.</summary>
    public bool TryGetCname(out uint ssrc, out ReadOnlySpan<byte> cname)
    {
        var reader = GetChunks();
        while (reader.TryReadNext(out ssrc, out cname))
        {
            if (!cname.IsEmpty)
            {
                return true;
            }
        }

        ssrc = 0;
        cname = default;
        return false;
    }

    /// <summary>Parses an SDES packet, checking every chunk and item fits; false when it is not one or is malformed.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out RtcpSourceDescription description)
    {
        description = default;
        if (!RtcpHeader.TryParse(packet, out var header)
            || header.PacketType != (byte)RtcpPacketType.SourceDescription
            || header.PacketLength > packet.Length)
        {
            return false;
        }

        var chunks = packet[RtcpHeader.Size..header.PacketLength];
        var reader = new RtcpSourceDescriptionReader(chunks, header.Count);
        var read = 0;
        while (reader.TryReadNext(out _, out _))
        {
            read++;
        }

        if (reader.IsMalformed || read != header.Count)
        {
            return false;
        }

        description = new RtcpSourceDescription(header.Count, chunks);
        return true;
    }

    /// <summary>Bytes <see cref="Write(Span{byte}, ReadOnlySpan{uint}, ReadOnlySpan{byte})"/> needs for <paramref name="chunkCount"/> chunks sharing a CNAME of <paramref name="cnameLength"/> bytes.</summary>
    public static int GetSize(int chunkCount, int cnameLength) => RtcpHeader.Size + (chunkCount * ChunkSize(cnameLength));

    /// <summary>
    /// Writes an SDES with one chunk per SSRC in <paramref name="ssrcs"/>, all with the same CNAME (a peer's audio and
    /// video share one), and returns its length.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">No SSRC or more than 31, a CNAME empty or over 255 bytes, or <paramref name="destination"/> too small.</exception>
    public static int Write(Span<byte> destination, ReadOnlySpan<uint> ssrcs, ReadOnlySpan<byte> cname)
    {
        ArgumentOutOfRangeException.ThrowIfZero(ssrcs.Length, nameof(ssrcs));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ssrcs.Length, 31, nameof(ssrcs));
        ArgumentOutOfRangeException.ThrowIfZero(cname.Length, nameof(cname));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cname.Length, 255, nameof(cname));
        var size = GetSize(ssrcs.Length, cname.Length);
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, size, nameof(destination));
        RtcpHeader.Write(destination, ssrcs.Length, RtcpPacketType.SourceDescription, size);
        var offset = RtcpHeader.Size;
        var chunkSize = ChunkSize(cname.Length);
        foreach (var ssrc in ssrcs)
        {
            var chunk = destination.Slice(offset, chunkSize);
            chunk.Clear();
            BinaryPrimitives.WriteUInt32BigEndian(chunk, ssrc);
            chunk[4] = CnameItem;
            chunk[5] = (byte)cname.Length;
            cname.CopyTo(chunk[6..]);
            offset += chunkSize;
        }

        return size;
    }

    /// <summary>Writes an SDES with a single CNAME chunk and returns its length.</summary>
    public static int Write(Span<byte> destination, uint ssrc, ReadOnlySpan<byte> cname) => Write(destination, [ssrc], cname);

    // SSRC + CNAME item + at least one zero byte (END), padded to 32 bits.
    private static int ChunkSize(int cnameLength) => 4 + RtcpHeader.Align(2 + cnameLength + 1);
}
