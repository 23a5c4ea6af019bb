using System.Net;

namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>Receives one datagram from an <see cref="IDatagramSocket"/>.</summary>
/// <param name="datagram">The bytes; valid only during the call.</param>
/// <param name="source">The sender's address; valid only during the call (the socket reuses it).</param>
internal delegate void DatagramReceiver(ReadOnlySpan<byte> datagram, SocketAddress source);
