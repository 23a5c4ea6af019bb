using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Kvs.WebRtc.PeerConnection.Stun;

namespace Kvs.WebRtc.PeerConnection.Tests.Turn;

/// <summary>
/// A scripted TURN server on a 127.0.0.1 UDP socket for driver tests: decodes each request and answers with what
/// <see cref="Respond"/> returns (null = no answer). Raw datagrams (ChannelData, Send indications) are recorded too.
/// </summary>
internal sealed class FakeUdpTurnServer : IAsyncDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private EndPoint? _client;

    public FakeUdpTurnServer()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Respond = DefaultRespond;
        _loop = Task.Run(LoopAsync);
    }

    public ScriptedTurnServer Script { get; } = new();

    public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    public ConcurrentQueue<byte[]> Datagrams { get; } = new();

    public Func<SeenRequest, byte[]?> Respond { get; set; }

    public byte[]? DefaultRespond(SeenRequest request) => request.Method switch
    {
        StunMethod.Allocate when !request.HasIntegrity => Script.Unauthorized(request, "nonce-1"),
        StunMethod.Allocate => Script.AllocateSuccess(request, TimeSpan.FromSeconds(600)),
        StunMethod.Refresh => Script.Success(request, request.Lifetime),
        _ => Script.Success(request),
    };

    /// <summary>Sends raw bytes to the client (e.g. a Data indication).</summary>
    public void SendToClient(byte[] bytes) => _socket.SendTo(bytes, _client ?? throw new InvalidOperationException("no client yet"));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or TimeoutException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        var buffer = new byte[65_536];
        while (!_stop.IsCancellationRequested)
        {
            var result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            _client = result.RemoteEndPoint;
            var bytes = buffer.AsSpan(0, result.ReceivedBytes).ToArray();
            Datagrams.Enqueue(bytes);
            if (!StunMessage.TryParse(bytes, out var message, out _) || message.Class != StunClass.Request)
            {
                continue;
            }

            var request = ScriptedTurnServer.Decode(bytes, Script.Key);
            Requests.Enqueue(request);
            if (Respond(request) is { } response)
            {
                await _socket.SendToAsync(response, SocketFlags.None, result.RemoteEndPoint, _stop.Token);
            }
        }
    }
}
