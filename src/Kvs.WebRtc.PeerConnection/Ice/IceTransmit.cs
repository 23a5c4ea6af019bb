using System.Net;

namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>A datagram for the network.</summary>
/// <param name="LocalBase">The local base to send from (a host socket address, or a relayed address).</param>
/// <param name="Destination">The destination.</param>
/// <param name="Data">The bytes; owned by the receiver once polled.</param>
internal readonly record struct IceTransmit(IPEndPoint LocalBase, IPEndPoint Destination, ReadOnlyMemory<byte> Data);
