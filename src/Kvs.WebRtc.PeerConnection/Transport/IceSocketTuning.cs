using System.Collections;
using System.Net.Sockets;
using System.Reflection;
using Kvs.WebRtc.PeerConnection.Ice;

namespace Kvs.WebRtc.PeerConnection.Transport;

/// <summary>
/// Enlarges the kernel buffers of the ICE host sockets. Workaround: <see cref="IceTransport"/> keeps its sockets private
/// and leaves the OS default receive buffer (~208 KiB on Linux), which a data-channel sender on loopback overflows in
/// bursts (dropped datagrams, then SCTP retransmissions and congestion-window cuts). Until IceTransportOptions offers
/// socket buffer sizes, this reaches the sockets by reflection and does nothing if their shape changed.
/// </summary>
internal static class IceSocketTuning
{
    public const int BufferSize = 4 * 1024 * 1024;

    public static int Apply(IceTransport ice)
    {
        var tuned = 0;
        try
        {
            if (typeof(IceTransport).GetField("_sockets", BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(ice) is not IEnumerable sockets)
            {
                return 0;
            }

            // Host sockets are added synchronously inside StartAsync, so the list is stable once it returned.
            var snapshot = sockets.Cast<object>().ToArray();

            foreach (var host in snapshot)
            {
                if (host.GetType().GetProperty("Socket")?.GetValue(host) is Socket socket)
                {
                    socket.ReceiveBufferSize = BufferSize;
                    socket.SendBufferSize = BufferSize;
                    tuned++;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidOperationException or TargetException)
        {
            // Best effort: the default buffers still work, only slower under bursts.
        }

        return tuned;
    }
}
