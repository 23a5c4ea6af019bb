using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Kvs.WebRtc.PeerConnection.Sctp;

namespace Kvs.WebRtc.InteropTests.Sctp;

/// <summary>Drives one <see cref="SctpAssociation"/> over a UDP socket on 127.0.0.1 (one SCTP packet per datagram).</summary>
internal sealed class SctpUdpTestDriver : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly byte[] _receiveBuffer = new byte[65536];
    private readonly byte[] _sendBuffer = new byte[2048];
    private EndPoint? _remote;

    public SctpUdpTestDriver(IPEndPoint? remote = null)
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _remote = remote;
        Association = new SctpAssociation(new SctpAssociationOptions(), Now);
    }

    public SctpAssociation Association { get; }

    public TimeSpan Now => _watch.Elapsed;

    public int LocalPort => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    public List<SctpEvent> Events { get; } = [];

    public bool Pump(Func<bool> until, TimeSpan timeout)
    {
        var end = Now + timeout;
        while (Now < end)
        {
            Flush();
            while (Association.TryPollEvent(out var e))
            {
                Events.Add(e);
            }

            if (until())
            {
                return true;
            }

            var wait = TimeSpan.FromMilliseconds(10);
            if (Association.NextTimeout is { } deadline && deadline - Now < wait)
            {
                wait = deadline - Now;
            }

            if (wait > TimeSpan.Zero && _socket.Poll((int)Math.Max(1, wait.TotalMicroseconds), SelectMode.SelectRead) || _socket.Available > 0)
            {
                while (_socket.Available > 0)
                {
                    EndPoint from = new IPEndPoint(IPAddress.Any, 0);
                    var n = _socket.ReceiveFrom(_receiveBuffer, ref from);
                    _remote ??= from;
                    Association.HandleInput(_receiveBuffer.AsSpan(0, n), Now);
                }
            }

            if (Association.NextTimeout <= Now)
            {
                Association.HandleTimeout(Now);
            }
        }

        return until();
    }

    public void Flush()
    {
        while (Association.TryPollTransmit(_sendBuffer, Now, out var length))
        {
            if (_remote is not null)
            {
                _socket.SendTo(_sendBuffer.AsSpan(0, length), SocketFlags.None, _remote);
            }
        }
    }

    public void Dispose() => _socket.Dispose();
}
