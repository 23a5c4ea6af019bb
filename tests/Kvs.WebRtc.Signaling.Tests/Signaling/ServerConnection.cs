using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;

namespace Kvs.WebRtc.Signaling.Tests.Signaling;

/// <summary>The server side of one accepted WebSocket.</summary>
internal sealed class ServerConnection(WebSocket socket, string rawTarget, string host) : IDisposable
{
    private readonly Channel<string> _received = Channel.CreateUnbounded<string>();
    private readonly TaskCompletionSource<WebSocketCloseStatus?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    public string RawTarget { get; } = rawTarget;

    public string Host { get; } = host;

    /// <summary>The query parameters, percent-decoded once.</summary>
    public IReadOnlyDictionary<string, string> Query { get; } = ParseQuery(rawTarget);

    /// <summary>Completes with the close status the client sent (null when the socket ended without a close frame).</summary>
    public Task<WebSocketCloseStatus?> Closed => _closed.Task;

    public async Task<string> ReceiveAsync() =>
        await _received.Reader.ReadAsync().AsTask().WaitAsync(TestSignalingServer.Timeout);

    public Task SendAsync(string text) => SendRawAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true);

    public async Task SendRawAsync(byte[] bytes, WebSocketMessageType type, bool endOfMessage)
    {
        await _sendLock.WaitAsync();
        try
        {
            await socket.SendAsync(bytes, type, endOfMessage, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public void Abort() => socket.Abort();

    public void Dispose() => _sendLock.Dispose();

    /// <summary>Starts a server-initiated close (the client answers and reconnects).</summary>
    public async Task CloseAsync()
    {
        await _sendLock.WaitAsync();
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "going away", CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    internal async Task RunAsync()
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _closed.TrySetResult(result.CloseStatus);
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        await _sendLock.WaitAsync();
                        try
                        {
                            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                        }
                        finally
                        {
                            _sendLock.Release();
                        }
                    }

                    return;
                }

                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    _received.Writer.TryWrite(Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length));
                    message.SetLength(0);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            _closed.TrySetResult(null);
        }
    }

    private static Dictionary<string, string> ParseQuery(string rawTarget)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var q = rawTarget.IndexOf('?', StringComparison.Ordinal);
        if (q < 0)
        {
            return result;
        }

        foreach (var part in rawTarget[(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(eq < 0 ? part : part[..eq]);
            result[name] = eq < 0 ? string.Empty : Uri.UnescapeDataString(part[(eq + 1)..]);
        }

        return result;
    }
}
