using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Kvs.WebRtc.PeerConnection;

namespace Kvs.WebRtc.Testing;

/// <summary>
/// Drives any sans-IO datagram core (<see cref="IDatagramCore"/>: DTLS, SCTP, ...) over a real UDP socket on
/// 127.0.0.1, the way the connection loop drives it: feed received datagrams, drain what it wants to send, fire its
/// timer when due. For interop tests against other stacks. The pump runs on the calling thread and is bounded.
/// </summary>
/// <typeparam name="TCore">The core's type, so tests reach its own API through <see cref="Core"/>.</typeparam>
internal sealed class UdpCoreDriver<TCore> : IDisposable
    where TCore : IDatagramCore
{
    private static readonly TimeSpan s_maxWait = TimeSpan.FromMilliseconds(10);

    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly byte[] _receiveBuffer = new byte[65536];
    private readonly byte[] _sendBuffer = new byte[65536];
    private readonly Action? _afterStep;

    /// <summary>Binds a socket to an ephemeral loopback port.</summary>
    /// <param name="core">The core; disposed with the driver when it is <see cref="IDisposable"/>.</param>
    /// <param name="remote">The peer, or null to learn it from the first datagram received (server side).</param>
    /// <param name="afterStep">Runs after each input or timer step (e.g. to drain the core's events).</param>
    public UdpCoreDriver(TCore core, IPEndPoint? remote = null, Action? afterStep = null)
    {
        Core = core;
        Remote = remote;
        _afterStep = afterStep;
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    }

    /// <summary>The driven core.</summary>
    public TCore Core { get; }

    /// <summary>The peer; for a server, learned from the first datagram.</summary>
    public IPEndPoint? Remote { get; private set; }

    /// <summary>The local UDP port.</summary>
    public int LocalPort => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    /// <summary>Monotonic time since the driver was created: the clock the core is driven with.</summary>
    public TimeSpan Now => _clock.Elapsed;

    /// <summary>Datagrams received and fed to the core.</summary>
    public long DatagramsReceived { get; private set; }

    /// <summary>Runs the loop until <paramref name="until"/> holds or <paramref name="timeout"/> passes; returns whether it held.</summary>
    public bool Pump(Func<bool> until, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(until);
        var end = Now + timeout;
        while (Now < end)
        {
            Flush();
            _afterStep?.Invoke();
            if (until())
            {
                return true;
            }

            var wait = s_maxWait;
            if (Core.NextTimeout is { } due && due - Now < wait)
            {
                wait = due - Now;
            }

            if ((wait > TimeSpan.Zero && _socket.Poll((int)Math.Max(1, wait.TotalMicroseconds), SelectMode.SelectRead)) || _socket.Available > 0)
            {
                while (_socket.Available > 0)
                {
                    EndPoint from = new IPEndPoint(IPAddress.Any, 0);
                    var n = _socket.ReceiveFrom(_receiveBuffer, ref from);
                    Remote ??= (IPEndPoint)from;
                    DatagramsReceived++;
                    Core.HandleInput(_receiveBuffer.AsSpan(0, n), Now);
                }
            }

            if (Core.NextTimeout is { } timer && Now >= timer)
            {
                Core.HandleTimeout(Now);
            }
        }

        Flush();
        _afterStep?.Invoke();
        return until();
    }

    /// <summary>Sends everything the core has queued (kept queued while the peer is unknown).</summary>
    public void Flush()
    {
        while (Remote is not null && Core.TryPollTransmit(_sendBuffer, Now, out var n))
        {
            _socket.SendTo(_sendBuffer.AsSpan(0, n), SocketFlags.None, Remote);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _socket.Dispose();
        (Core as IDisposable)?.Dispose();
    }
}
