using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>A SACK chunk view (RFC 9260 §3.3.4): cumulative TSN, a_rwnd, gap ack blocks and duplicate TSNs.</summary>
internal readonly ref struct SackChunk
{
    private readonly ReadOnlySpan<byte> _gaps;
    private readonly ReadOnlySpan<byte> _duplicates;

    private SackChunk(uint cumulativeTsnAck, uint rwnd, ReadOnlySpan<byte> gaps, ReadOnlySpan<byte> duplicates)
    {
        CumulativeTsnAck = cumulativeTsnAck;
        AdvertisedReceiverWindow = rwnd;
        _gaps = gaps;
        _duplicates = duplicates;
    }

    public uint CumulativeTsnAck { get; }

    public uint AdvertisedReceiverWindow { get; }

    public int GapBlockCount => _gaps.Length / 4;

    public int DuplicateCount => _duplicates.Length / 4;

    /// <summary>Start and end offsets (relative to the cumulative TSN) of gap ack block <paramref name="index"/>.</summary>
    public (ushort Start, ushort End) GetGapBlock(int index) =>
        (BinaryPrimitives.ReadUInt16BigEndian(_gaps[(index * 4)..]), BinaryPrimitives.ReadUInt16BigEndian(_gaps[((index * 4) + 2)..]));

    public uint GetDuplicate(int index) => BinaryPrimitives.ReadUInt32BigEndian(_duplicates[(index * 4)..]);

    public static bool TryParse(ReadOnlySpan<byte> value, out SackChunk sack)
    {
        sack = default;
        if (value.Length < 12)
        {
            return false;
        }

        int gaps = BinaryPrimitives.ReadUInt16BigEndian(value[8..]);
        int dups = BinaryPrimitives.ReadUInt16BigEndian(value[10..]);
        var need = 12 + (gaps * 4) + (dups * 4);
        if (value.Length < need)
        {
            return false;
        }

        sack = new SackChunk(
            BinaryPrimitives.ReadUInt32BigEndian(value),
            BinaryPrimitives.ReadUInt32BigEndian(value[4..]),
            value.Slice(12, gaps * 4),
            value.Slice(12 + (gaps * 4), dups * 4));
        return true;
    }
}
