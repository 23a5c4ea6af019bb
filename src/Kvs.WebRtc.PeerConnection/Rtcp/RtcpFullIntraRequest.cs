using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Rtcp;

/// <summary>
/// A full intra request, FIR (PSFB, FMT 4; RFC 5104 §4.3.1): entries of (SSRC, sequence number, 3 reserved bytes).
/// The media SSRC field is unused (0). A view over the packet bytes.
/// </summary>
/// <remarks>
/// <code>
/// |V=2|P|  FMT=4  |   PT=206      |          length               |
/// |                  SSRC of packet sender                        |
/// |                  SSRC of media source (0)                     |
/// |                              SSRC                             |  (repeated)
/// | Seq nr.       |    Reserved = 0                               |
/// </code>
/// </remarks>
internal readonly ref struct RtcpFullIntraRequest
{
    /// <summary>Size of one entry.</summary>
    public const int EntrySize = 8;

    private readonly ReadOnlySpan<byte> _entries;

    private RtcpFullIntraRequest(uint senderSsrc, uint mediaSsrc, ReadOnlySpan<byte> entries)
    {
        SenderSsrc = senderSsrc;
        MediaSsrc = mediaSsrc;
        _entries = entries;
    }

    /// <summary>SSRC of the packet sender.</summary>
    public uint SenderSsrc { get; }

    /// <summary>The media source field (0 per RFC 5104; some senders fill it).</summary>
    public uint MediaSsrc { get; }

    /// <summary>Number of entries.</summary>
    public int EntryCount => _entries.Length / EntrySize;

    /// <summary>Entry <paramref name="index"/>.</summary>
    public RtcpFirEntry GetEntry(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, EntryCount);
        var entry = _entries[(index * EntrySize)..];
        return new RtcpFirEntry(BinaryPrimitives.ReadUInt32BigEndian(entry), entry[4]);
    }

    /// <summary>Parses a FIR; false when it is not one, is truncated, or has no entry.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out RtcpFullIntraRequest fir)
    {
        fir = default;
        if (!RtcpFeedback.TryParse(packet, RtcpPacketType.PayloadSpecificFeedback, RtcpFeedbackFormat.FullIntraRequest, RtcpFeedback.CommonLength + EntrySize, out var sender, out var media, out var fci))
        {
            return false;
        }

        fir = new RtcpFullIntraRequest(sender, media, fci[..(fci.Length / EntrySize * EntrySize)]);
        return true;
    }

    /// <summary>Bytes <see cref="Write"/> needs.</summary>
    public static int GetSize(int entryCount) => RtcpFeedback.CommonLength + (entryCount * EntrySize);

    /// <summary>Writes a FIR and returns its length.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No entry, or <paramref name="destination"/> is too small.</exception>
    public static int Write(Span<byte> destination, uint senderSsrc, ReadOnlySpan<RtcpFirEntry> entries)
    {
        ArgumentOutOfRangeException.ThrowIfZero(entries.Length, nameof(entries));
        var size = GetSize(entries.Length);
        RtcpFeedback.WriteCommon(destination, RtcpPacketType.PayloadSpecificFeedback, RtcpFeedbackFormat.FullIntraRequest, size, senderSsrc, 0);
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = destination.Slice(RtcpFeedback.CommonLength + (i * EntrySize), EntrySize);
            BinaryPrimitives.WriteUInt32BigEndian(entry, entries[i].Ssrc);
            BinaryPrimitives.WriteUInt32BigEndian(entry[4..], (uint)entries[i].SequenceNumber << 24);
        }

        return size;
    }
}
