namespace Kvs.WebRtc.Testing.Network;

/// <summary>A snapshot of the counters of a link (or of the whole network).</summary>
/// <param name="Sent">Packets offered to the link (duplicates not counted).</param>
/// <param name="Delivered">Packets that left the link (a duplicate counts again); for the network: handed to a socket.</param>
/// <param name="Duplicated">Extra copies made by duplication.</param>
/// <param name="Reordered">Packets held back by explicit reordering.</param>
/// <param name="DroppedByReason">Drops by reason (index: <see cref="DropReason"/>).</param>
public sealed record LinkCounters(long Sent, long Delivered, long Duplicated, long Reordered, IReadOnlyList<long> DroppedByReason)
{
    /// <summary>All drops.</summary>
    public long Dropped => DroppedByReason.Sum();

    /// <summary>Drops for one reason.</summary>
    public long DroppedBy(DropReason reason) => DroppedByReason[(int)reason];
}
