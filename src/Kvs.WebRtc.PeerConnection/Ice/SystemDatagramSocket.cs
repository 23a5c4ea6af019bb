using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>
/// A kernel UDP socket (made by <see cref="SystemDatagramSocketFactory"/>) with one dedicated receive thread: blocking
/// receives into one reused buffer, each datagram handed to the receiver inline before the next is read.
/// </summary>
/// <remarks>
/// No async state machine, epoll hand-off or thread-pool hop per datagram: the socket buffer absorbs bursts while the
/// receiver (ICE demux, then DTLS, SCTP) runs. Receive threads are reused across sockets (see <c>ReceiveThreads</c>).
/// On Linux, <see cref="TrySendSegments"/> uses UDP GSO (the socket-level <c>UDP_SEGMENT</c> size, changed only under the
/// send lock, and cleared before a longer single datagram would be split); once the kernel refuses it, never again.
/// </remarks>
internal sealed partial class SystemDatagramSocket : IDatagramSocket
{
    /// <summary>Bound of one blocking receive, so a receive thread notices cancellation even if closing the socket did not
    /// wake it (on Linux closing does wake it; an idle socket costs one timeout exception per period).</summary>
    internal const int ReceivePollMilliseconds = 1000;

    /// <summary>Bound of one blocking send (a full SO_SNDBUF); in practice UDP sends complete at once.</summary>
    internal const int SendTimeoutMilliseconds = 1000;

    // The largest UDP payload: a datagram is never truncated (RTP and DTLS stay well below the MTU anyway).
    private const int ReceiveBufferSize = 65536;

    // Linux UDP GSO: setsockopt(SOL_UDP, UDP_SEGMENT, size).
    private const int SolUdp = 17;
    private const int UdpSegment = 103;

    private readonly Socket _socket;
    private readonly ILogger _logger;

    // Guards the socket-level segment size against concurrent sends: a single datagram longer than the size set for a
    // batch would otherwise be split.
    private readonly object _sendGate = new();
    private int _segmentSize;
    private bool _segmentsProven;
    private volatile bool _segmentsUnsupported = !OperatingSystem.IsLinux();

    internal SystemDatagramSocket(Socket socket, IPEndPoint localEndPoint, ILogger logger)
    {
        _socket = socket;
        LocalEndPoint = localEndPoint;
        _logger = logger;
    }

    /// <inheritdoc />
    public IPEndPoint LocalEndPoint { get; }

    /// <inheritdoc />
    public bool SupportsSegments => !_segmentsUnsupported;

    /// <inheritdoc />
    public SocketError SendTo(ReadOnlySpan<byte> datagram, SocketAddress destination)
    {
        lock (_sendGate)
        {
            if (_segmentSize != 0 && datagram.Length > _segmentSize && !TrySetSegmentSizeLocked(0))
            {
                // Never let a single datagram leave split in segments.
                _segmentsUnsupported = true;
                return SocketError.OperationAborted;
            }

            var error = Send(datagram, destination);
            if (error != SocketError.Success && error != SocketError.OperationAborted && _segmentSize != 0)
            {
                // The socket-level segment size may be what the kernel refuses (e.g. no checksum offload): stop using it.
                DisableSegmentsLocked();
                error = Send(datagram, destination);
            }

            return error;
        }
    }

    /// <inheritdoc />
    public SocketError SendTo(ReadOnlySpan<byte> datagram, IPEndPoint destination) => SendTo(datagram, destination.Serialize());

    /// <inheritdoc />
    public bool TrySendSegments(ReadOnlySpan<byte> segments, int segmentSize, SocketAddress destination, out SocketError error)
    {
        error = SocketError.Success;
        if (_segmentsUnsupported || !SegmentBatch.Fits(segments.Length, segmentSize))
        {
            return false;
        }

        if (segments.Length <= segmentSize)
        {
            error = SendTo(segments, destination);
            return true;
        }

        lock (_sendGate)
        {
            if (_segmentsUnsupported)
            {
                return false;
            }

            if (_segmentSize != segmentSize && !TrySetSegmentSizeLocked(segmentSize))
            {
                DisableSegmentsLocked();
                return false;
            }

            error = Send(segments, destination);
            if (error is SocketError.Success or SocketError.OperationAborted)
            {
                _segmentsProven = true;
                return true;
            }

            // A refusal (EINVAL, EIO without checksum offload, EOPNOTSUPP) drops the whole send: fall back for good. Other
            // errors after GSO has worked once are lost datagrams, as for single sends.
            if (!_segmentsProven || error is SocketError.InvalidArgument or SocketError.OperationNotSupported or SocketError.SocketError
                or SocketError.MessageSize or SocketError.ProtocolOption)
            {
                Log.SegmentsDisabled(_logger, LocalEndPoint, error);
                DisableSegmentsLocked();
                return false;
            }

            return true;
        }
    }

    private SocketError Send(ReadOnlySpan<byte> datagram, SocketAddress destination)
    {
        try
        {
            _socket.SendTo(datagram, SocketFlags.None, destination);
            return SocketError.Success;
        }
        catch (SocketException ex)
        {
            return ex.SocketErrorCode;
        }
        catch (ObjectDisposedException)
        {
            return SocketError.OperationAborted;
        }
    }

    // Sets the socket-level UDP_SEGMENT size: every later send longer than it leaves as segments of that size.
    private bool TrySetSegmentSizeLocked(int segmentSize)
    {
        Span<byte> value = stackalloc byte[sizeof(int)];
        BitConverter.TryWriteBytes(value, segmentSize);
        try
        {
            _socket.SetRawSocketOption(SolUdp, UdpSegment, value);
            _segmentSize = segmentSize;
            return true;
        }
        catch (SocketException ex)
        {
            Log.SegmentsDisabled(_logger, LocalEndPoint, ex.SocketErrorCode);
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    private void DisableSegmentsLocked()
    {
        _segmentsUnsupported = true;
        if (_segmentSize != 0)
        {
            TrySetSegmentSizeLocked(0);
            _segmentSize = 0;
        }
    }

    /// <inheritdoc />
    public Task StartReceiving(DatagramReceiver receiver, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(receiver);

        // Starting a new thread waits until it runs, which on a loaded machine takes a scheduling slot: do it from the
        // pool so the caller (setLocalDescription) does not wait; datagrams queue in the socket meanwhile.
        return Task.Run(() => StartThread(receiver, cancellationToken), CancellationToken.None);
    }

    /// <inheritdoc />
    public void Dispose() => _socket.Dispose();

    private Task StartThread(DatagramReceiver receiver, CancellationToken cancellationToken)
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ReceiveThreads.Run(() =>
        {
            try
            {
                ReceiveLoop(receiver, cancellationToken);
            }
#pragma warning disable CA1031 // an unhandled exception on a dedicated thread would end the process
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.ReceiveThreadFailed(_logger, LocalEndPoint, ex);
            }
            finally
            {
                stopped.TrySetResult();
            }
        });
        return stopped.Task;
    }

    private void ReceiveLoop(DatagramReceiver receiver, CancellationToken cancellationToken)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(ReceiveBufferSize);
        var address = new SocketAddress(LocalEndPoint.AddressFamily);
        while (!cancellationToken.IsCancellationRequested)
        {
            int received;
            try
            {
                received = _socket.ReceiveFrom(buffer, SocketFlags.None, address);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                // TimedOut is the bounded poll; others (e.g. ICMP port unreachable surfacing as ConnectionReset) are
                // per-datagram conditions: keep reading.
                if (ex.SocketErrorCode is not (SocketError.TimedOut or SocketError.WouldBlock))
                {
                    Log.ReceiveError(_logger, LocalEndPoint, ex.SocketErrorCode);
                }

                continue;
            }

            if (received == 0)
            {
                continue;
            }

            // The receiver catches its own exceptions (a throwing handler must not stop the socket).
            receiver(buffer.AsSpan(0, received), address);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2101, LogLevel.Debug, "ICE receive error on {Base}: {Error}")]
        public static partial void ReceiveError(ILogger logger, IPEndPoint @base, SocketError error);

        [LoggerMessage(2115, LogLevel.Warning, "ICE receive thread on {Base} stopped unexpectedly")]
        public static partial void ReceiveThreadFailed(ILogger logger, IPEndPoint @base, Exception exception);

        [LoggerMessage(2116, LogLevel.Debug, "UDP segmentation (GSO) off on {Base}: {Error}; datagrams are sent one by one")]
        public static partial void SegmentsDisabled(ILogger logger, IPEndPoint @base, SocketError error);
    }
}
