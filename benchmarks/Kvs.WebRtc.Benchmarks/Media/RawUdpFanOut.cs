using System.Net;
using System.Net.Sockets;

namespace Kvs.WebRtc.Benchmarks.Media;

/// <summary>
/// The network floor of a fan-out: N sending UDP sockets on 127.0.0.1, each to its own receiving socket drained by a
/// dedicated thread (as our ICE receive threads do), no WebRTC at all. Optionally the senders use UDP GSO
/// (Linux <c>UDP_SEGMENT</c>): one send of k equal-size datagrams back to back leaves as k datagrams.
/// </summary>
internal sealed class RawUdpFanOut : IDisposable
{
    private const int SolUdp = 17;
    private const int UdpSegment = 103;

    private readonly Socket[] _senders;
    private readonly Socket[] _receivers;
    private readonly SocketAddress[] _destinations;
    private readonly Thread[] _drains;
    private long _received;

    /// <summary>Binds the sockets and starts the drains.</summary>
    /// <param name="count">Number of sender/receiver pairs.</param>
    /// <param name="segmentSize">When positive, the senders' UDP GSO segment size; <see cref="GsoEnabled"/> tells if the kernel took it.</param>
    public RawUdpFanOut(int count, int segmentSize = 0)
    {
        _senders = new Socket[count];
        _receivers = new Socket[count];
        _destinations = new SocketAddress[count];
        _drains = new Thread[count];
        GsoEnabled = segmentSize > 0;
        for (var i = 0; i < count; i++)
        {
            _receivers[i] = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 4 * 1024 * 1024 };
            _receivers[i].Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _destinations[i] = _receivers[i].LocalEndPoint!.Serialize();
            _senders[i] = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            _senders[i].Bind(new IPEndPoint(IPAddress.Loopback, 0));
            if (segmentSize > 0)
            {
                try
                {
                    _senders[i].SetRawSocketOption(SolUdp, UdpSegment, BitConverter.GetBytes(segmentSize));
                }
                catch (SocketException)
                {
                    GsoEnabled = false;
                }
            }

            var receiver = _receivers[i];
            _drains[i] = new Thread(() => Drain(receiver)) { IsBackground = true, Name = "raw UDP drain" };
            _drains[i].Start();
        }
    }

    /// <summary>True when every sender accepted the GSO segment size.</summary>
    public bool GsoEnabled { get; }

    /// <summary>Datagrams received by all drains.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Sends one datagram (or, with GSO, a run of equal-size datagrams) to receiver <paramref name="index"/>.</summary>
    public void Send(int index, ReadOnlySpan<byte> datagram) => _senders[index].SendTo(datagram, SocketFlags.None, _destinations[index]);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var socket in _senders.Concat(_receivers))
        {
            socket.Dispose();
        }

        foreach (var thread in _drains)
        {
            thread.Join(TimeSpan.FromSeconds(5));
        }
    }

    private void Drain(Socket socket)
    {
        var buffer = new byte[65536];
        try
        {
            while (true)
            {
                if (socket.Receive(buffer) > 0)
                {
                    Interlocked.Increment(ref _received);
                }
            }
        }
        catch (SocketException)
        {
            // Closed.
        }
        catch (ObjectDisposedException)
        {
            // Closed.
        }
    }
}
