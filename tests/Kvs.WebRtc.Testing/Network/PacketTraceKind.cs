namespace Kvs.WebRtc.Testing.Network;

/// <summary>What happened to a packet, in a <see cref="PacketTraceEntry"/>.</summary>
public enum PacketTraceKind
{
    /// <summary>A socket sent it.</summary>
    Sent,

    /// <summary>It was handed to the destination socket.</summary>
    Delivered,

    /// <summary>It was dropped (see <see cref="PacketTraceEntry.Reason"/>).</summary>
    Dropped,
}
