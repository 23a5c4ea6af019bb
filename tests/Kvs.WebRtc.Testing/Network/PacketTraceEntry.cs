using System.Net;

namespace Kvs.WebRtc.Testing.Network;

/// <summary>One recorded packet event of a <see cref="VirtualNetwork"/> (value equality: compare whole traces).</summary>
/// <param name="Time">Network time of the event (since the network was created).</param>
/// <param name="Kind">What happened.</param>
/// <param name="Source">The source as the packet carries it at that point (after NAT translation for deliveries).</param>
/// <param name="Destination">The destination (after NAT translation for deliveries).</param>
/// <param name="Length">Payload bytes.</param>
/// <param name="Reason">The drop reason for <see cref="PacketTraceKind.Dropped"/>.</param>
public readonly record struct PacketTraceEntry(TimeSpan Time, PacketTraceKind Kind, IPEndPoint Source, IPEndPoint Destination, int Length, DropReason? Reason);
