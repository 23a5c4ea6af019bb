using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>
/// The default <see cref="IDatagramSocketFactory"/>: kernel UDP sockets with large buffers and a dedicated receive
/// thread each, and host addresses from the machine's network interfaces.
/// </summary>
/// <param name="receiveBufferSize">SO_RCVBUF requested per socket in bytes; 0 keeps the OS default (see <see cref="IceTransportOptions.SocketReceiveBufferSize"/>).</param>
/// <param name="sendBufferSize">SO_SNDBUF requested per socket in bytes; 0 keeps the OS default.</param>
/// <param name="logger">Logs bind-time and receive-thread conditions; null logs nothing.</param>
internal sealed partial class SystemDatagramSocketFactory(int receiveBufferSize, int sendBufferSize, ILogger? logger = null) : IDatagramSocketFactory
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>The requested SO_RCVBUF in bytes (0: OS default).</summary>
    public int ReceiveBufferSize { get; } = receiveBufferSize >= 0 ? receiveBufferSize : throw new ArgumentOutOfRangeException(nameof(receiveBufferSize));

    /// <summary>The requested SO_SNDBUF in bytes (0: OS default).</summary>
    public int SendBufferSize { get; } = sendBufferSize >= 0 ? sendBufferSize : throw new ArgumentOutOfRangeException(nameof(sendBufferSize));

    /// <inheritdoc />
    public IReadOnlyList<IPAddress> GetHostAddresses(HostAddressFilter filter)
    {
        var result = new List<IPAddress>();
        NetworkInterface[] interfaces;
        try
        {
            interfaces = NetworkInterface.GetAllNetworkInterfaces();
        }
        catch (NetworkInformationException ex)
        {
            Log.InterfacesUnavailable(_logger, ex);
            return result;
        }

        foreach (var nic in interfaces)
        {
            var loopback = nic.NetworkInterfaceType == NetworkInterfaceType.Loopback;
            // Linux reports "lo" as Unknown rather than Up.
            if (nic.OperationalStatus != OperationalStatus.Up && !(loopback && nic.OperationalStatus == OperationalStatus.Unknown))
            {
                continue;
            }

            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                var address = unicast.Address;
                if (IPAddress.IsLoopback(address) ? !filter.IncludeLoopback : loopback)
                {
                    continue;
                }

                if (address.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    if (!filter.IncludeIPv6 || (address.IsIPv6LinkLocal && !filter.IncludeLinkLocalIPv6) || address.IsIPv6Multicast)
                    {
                        continue;
                    }
                }
                else if (address.AddressFamily != AddressFamily.InterNetwork || IsIPv4LinkLocal(address))
                {
                    continue;
                }

                if (!result.Contains(address))
                {
                    result.Add(address);
                }
            }
        }

        return result;
    }

    /// <inheritdoc />
    public IDatagramSocket Bind(IPEndPoint localEndPoint)
    {
        ArgumentNullException.ThrowIfNull(localEndPoint);
        var socket = new Socket(localEndPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (localEndPoint.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = false;
            }

            socket.Bind(localEndPoint);
            var bound = (IPEndPoint)socket.LocalEndPoint!;
            Configure(socket, bound);
            var result = new SystemDatagramSocket(socket, bound, _logger);
            socket = null;
            return result;
        }
        finally
        {
            socket?.Dispose();
        }
    }

    private static bool IsIPv4LinkLocal(IPAddress address)
    {
        Span<byte> b = stackalloc byte[4];
        return address.TryWriteBytes(b, out _) && b[0] == 169 && b[1] == 254;
    }

    private void Configure(Socket socket, IPEndPoint bound)
    {
        try
        {
            if (ReceiveBufferSize > 0)
            {
                socket.ReceiveBufferSize = ReceiveBufferSize;
            }

            if (SendBufferSize > 0)
            {
                socket.SendBufferSize = SendBufferSize;
            }
        }
        catch (SocketException ex)
        {
            // Best effort: the default buffers still work, only with more drops under bursts.
            Log.BufferSizeFailed(_logger, bound, ex.SocketErrorCode);
        }

        socket.ReceiveTimeout = SystemDatagramSocket.ReceivePollMilliseconds;

        // Sends are synchronous (see IceTransport.SendAsync): bound them, so a stuck interface cannot hold a caller (or
        // the lock of the layer above) indefinitely; a timed-out send is a lost datagram.
        socket.SendTimeout = SystemDatagramSocket.SendTimeoutMilliseconds;
    }

    private static partial class Log
    {
        [LoggerMessage(2112, LogLevel.Warning, "ICE could not list network interfaces")]
        public static partial void InterfacesUnavailable(ILogger logger, Exception exception);

        [LoggerMessage(2114, LogLevel.Debug, "ICE could not set socket buffer sizes on {Base}: {Error}")]
        public static partial void BufferSizeFailed(ILogger logger, IPEndPoint @base, SocketError error);
    }
}
