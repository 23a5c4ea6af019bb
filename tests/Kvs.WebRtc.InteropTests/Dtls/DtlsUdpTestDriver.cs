using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Kvs.WebRtc.PeerConnection.Dtls;

namespace Kvs.WebRtc.InteropTests.Dtls;

/// <summary>
/// A minimal test-only UDP driver for a <see cref="DtlsConnection"/> on 127.0.0.1: receives datagrams, feeds the
/// sans-IO core, sends what it produces, and fires its timers. The pump runs on the calling thread and is bounded.
/// </summary>
internal sealed class DtlsUdpTestDriver : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly byte[] _buffer = new byte[65536];

    public DtlsUdpTestDriver(DtlsConnection connection, IPEndPoint? remote = null)
    {
        Connection = connection;
        Remote = remote;
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    }

    public DtlsConnection Connection { get; }

    /// <summary>The peer; for a server, learned from the first datagram.</summary>
    public IPEndPoint? Remote { get; private set; }

    public int LocalPort => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    public TimeSpan Now => _clock.Elapsed;

    /// <summary>Runs the loop until <paramref name="until"/> holds or <paramref name="timeout"/> passes; returns whether it held.</summary>
    public bool Pump(Func<bool> until, TimeSpan timeout)
    {
        var end = Now + timeout;
        while (Now < end)
        {
            Flush();
            if (until())
            {
                return true;
            }

            if (_socket.Poll(TimeSpan.FromMilliseconds(20), SelectMode.SelectRead))
            {
                EndPoint from = new IPEndPoint(IPAddress.Any, 0);
                var n = _socket.ReceiveFrom(_buffer, ref from);
                Remote ??= (IPEndPoint)from;
                Connection.HandleDatagram(_buffer.AsSpan(0, n), Now);
            }

            if (Connection.NextTimeout is { } due && Now >= due)
            {
                Connection.HandleTimeout(Now);
            }
        }

        Flush();
        return until();
    }

    public void Flush()
    {
        while (Remote is not null && Connection.TryPollTransmit(_buffer, out var n))
        {
            _socket.SendTo(_buffer.AsSpan(0, n), SocketFlags.None, Remote);
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        Connection.Dispose();
    }
}
