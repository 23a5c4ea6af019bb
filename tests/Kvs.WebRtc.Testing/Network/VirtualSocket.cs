using System.Net;
using System.Net.Sockets;
using Kvs.WebRtc.PeerConnection.Ice;

namespace Kvs.WebRtc.Testing.Network;

/// <summary>
/// A datagram socket on a <see cref="VirtualHost"/>. Sends enter the network at once; received datagrams are handed to
/// the receiver by the network's delivery (a timer of its <see cref="TimeProvider"/>), inline, one at a time. Datagrams
/// that arrive before <see cref="StartReceiving"/> wait in a small backlog, as in a kernel socket buffer.
/// </summary>
internal sealed class VirtualSocket : IDatagramSocket
{
    internal const int BacklogLimit = 256;

    private readonly VirtualNetwork _network;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenRegistration _registration;

    internal VirtualSocket(VirtualNetwork network, VirtualHost host, IPEndPoint localEndPoint)
    {
        _network = network;
        Host = host;
        LocalEndPoint = localEndPoint;
    }

    /// <inheritdoc />
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The host the socket is bound on.</summary>
    public VirtualHost Host { get; }

    // Guarded by the network lock.
    internal DatagramReceiver? Receiver { get; private set; }

    // Guarded by the network lock: datagrams that arrived before receiving started.
    internal Queue<(IPEndPoint Source, byte[] Data)> Backlog { get; } = new();

    // Guarded by the network lock.
    internal bool Closed { get; private set; }

    /// <inheritdoc />
    public SocketError SendTo(ReadOnlySpan<byte> datagram, SocketAddress destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (destination.Family != LocalEndPoint.AddressFamily)
        {
            return SocketError.AddressFamilyNotSupported;
        }

        return _network.Send(this, (IPEndPoint)LocalEndPoint.Create(destination), datagram);
    }

    /// <inheritdoc />
    public SocketError SendTo(ReadOnlySpan<byte> datagram, IPEndPoint destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return destination.AddressFamily != LocalEndPoint.AddressFamily ? SocketError.AddressFamilyNotSupported : _network.Send(this, destination, datagram);
    }

    /// <inheritdoc />
    /// <remarks>The virtual network has no segmentation offload: senders fall back to one datagram per send.</remarks>
    public bool SupportsSegments => false;

    /// <inheritdoc />
    public bool TrySendSegments(ReadOnlySpan<byte> segments, int segmentSize, SocketAddress destination, out SocketError error)
    {
        error = SocketError.Success;
        return false;
    }

    /// <inheritdoc />
    public Task StartReceiving(DatagramReceiver receiver, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        lock (_network.Gate)
        {
            if (Receiver is not null)
            {
                throw new InvalidOperationException("Receiving has already started.");
            }

            if (!Closed)
            {
                Receiver = receiver;
                _network.RedeliverBacklog(this);
            }
        }

        _registration = cancellationToken.Register(Close);
        if (Closed)
        {
            _stopped.TrySetResult();
        }

        return _stopped.Task;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Close();
        _registration.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"{Host.Name} {LocalEndPoint}";

    private void Close()
    {
        lock (_network.Gate)
        {
            if (Closed)
            {
                return;
            }

            Closed = true;
            Receiver = null;
            Backlog.Clear();
            Host.Unbind(this);
        }

        _stopped.TrySetResult();
    }
}
