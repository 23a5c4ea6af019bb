using System.Net;
using System.Net.Sockets;

namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>A bound datagram (UDP) socket as <see cref="IceTransport"/> uses it; see <see cref="IDatagramSocketFactory"/>.</summary>
/// <remarks>
/// Thread-safety: sends may be called from any thread, concurrently with receiving and with each other. The receiver
/// is called on one thread at a time per socket (the real socket's dedicated receive thread; a virtual network's
/// delivery) and must be fast: it is the layer below DTLS.
/// </remarks>
internal interface IDatagramSocket : IDisposable
{
    /// <summary>The bound local address and port.</summary>
    IPEndPoint LocalEndPoint { get; }

    /// <summary>Sends one datagram synchronously; never throws for network conditions.</summary>
    /// <param name="datagram">The bytes; copied or sent before the call returns.</param>
    /// <param name="destination">The destination as a serialized address (no per-call conversion on the hot path).</param>
    /// <returns><see cref="SocketError.Success"/>, the error of a lost datagram, or <see cref="SocketError.OperationAborted"/> once disposed.</returns>
    SocketError SendTo(ReadOnlySpan<byte> datagram, SocketAddress destination);

    /// <summary>Sends one datagram synchronously; never throws for network conditions.</summary>
    /// <param name="datagram">The bytes; copied or sent before the call returns.</param>
    /// <param name="destination">The destination.</param>
    /// <returns><see cref="SocketError.Success"/>, the error of a lost datagram, or <see cref="SocketError.OperationAborted"/> once disposed.</returns>
    SocketError SendTo(ReadOnlySpan<byte> datagram, IPEndPoint destination);

    /// <summary>True while <see cref="TrySendSegments"/> may send several datagrams in one call (UDP GSO on Linux).</summary>
    bool SupportsSegments { get; }

    /// <summary>
    /// Sends datagrams laid out back to back in <paramref name="segments"/>, each <paramref name="segmentSize"/> bytes
    /// except the last, which may be shorter, in one call (UDP GSO: the kernel splits them); never throws for network
    /// conditions. At most <see cref="SegmentBatch.MaxSegments"/> datagrams and <see cref="SegmentBatch.MaxBytes"/> bytes.
    /// </summary>
    /// <param name="segments">The datagrams, in order; sent before the call returns.</param>
    /// <param name="segmentSize">The size of every datagram but the last.</param>
    /// <param name="destination">The destination as a serialized address.</param>
    /// <param name="error">When sent: <see cref="SocketError.Success"/> or the error of the lost datagrams.</param>
    /// <returns>False when this socket cannot (or can no longer) send segments: nothing was sent, send them one by one.</returns>
    bool TrySendSegments(ReadOnlySpan<byte> segments, int segmentSize, SocketAddress destination, out SocketError error);

    /// <summary>
    /// Starts delivering received datagrams to <paramref name="receiver"/>, one at a time, until the socket is disposed or
    /// <paramref name="cancellationToken"/> is cancelled. Call once. Returns at once (it never waits for a thread to start).
    /// </summary>
    /// <param name="receiver">Called with each datagram and its source; the span and the address are valid only during the call.</param>
    /// <param name="cancellationToken">Stops receiving.</param>
    /// <returns>Completes when receiving has stopped (the receiver will not be called again).</returns>
    Task StartReceiving(DatagramReceiver receiver, CancellationToken cancellationToken);
}
