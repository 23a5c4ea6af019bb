using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Kvs.WebRtc.Emulator.Signaling;
using Kvs.WebRtc.Signaling.Auth;
using Kvs.WebRtc.Signaling.ControlPlane;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Emulator.Tests;

/// <summary>Shared helpers of the emulator tests (raw WebSocket peers, presigning, waiting for hub events, log capture).</summary>
internal static class CoreTestSupport
{
    /// <summary>Upper bound of every wait in these tests.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static KinesisVideoClient CreateClient(KvsEmulator emulator, AwsCredentialsSnapshot? credentials = null, TimeProvider? timeProvider = null, HttpClient? httpClient = null) =>
        new(new KinesisVideoClientOptions
        {
            Region = emulator.Region,
            Credentials = new StaticCredentialsProvider(credentials ?? emulator.Credentials),
            ServiceUrl = emulator.ServiceUrl,
            TimeProvider = timeProvider,
            HttpClient = httpClient,
            MaxErrorRetries = 0,
        });

    public static KinesisVideoSignalingClient CreateSignalingClient(KvsEmulator emulator, TimeProvider? timeProvider = null) =>
        new(new KinesisVideoClientOptions
        {
            Region = emulator.Region,
            Credentials = new StaticCredentialsProvider(emulator.Credentials),
            ServiceUrl = emulator.ServiceUrl,
            TimeProvider = timeProvider,
            MaxErrorRetries = 0,
        });

    /// <summary>A presigned ConnectAsMaster/ConnectAsViewer URL for the emulator's endpoint of the channel.</summary>
    public static Uri Presign(KvsEmulator emulator, string channelArn, KvsEmulatorRole role, string? clientId = null, TimeProvider? timeProvider = null,
        AwsCredentialsSnapshot? credentials = null, DateTimeOffset? signingTime = null, bool includeArn = true)
    {
        var query = new List<KeyValuePair<string, string>>();
        if (includeArn)
        {
            query.Add(new("X-Amz-ChannelARN", channelArn));
        }

        if (clientId is not null)
        {
            query.Add(new("X-Amz-ClientId", clientId));
        }

        var signer = new SigV4Signer(timeProvider);
        var url = signer.PresignUrl(emulator.GetSignalingEndpoint(channelArn, role).AbsoluteUri, query, credentials ?? emulator.Credentials, emulator.Region, signingTime: signingTime);
        return new Uri(url);
    }

    /// <summary>POSTs a header-signed rest-json request (bypassing the SDK client) and returns the raw response.</summary>
    public static async Task<HttpResponseMessage> PostSignedAsync(KvsEmulator emulator, string path, string body, TimeProvider? timeProvider = null)
    {
        using var http = new HttpClient();
        var bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(emulator.ServiceUrl, path.TrimStart('/')))
        {
            Content = new ByteArrayContent(bytes),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        new SigV4Signer(timeProvider).SignRequest(request, bytes, emulator.Credentials, emulator.Region);
        var response = await http.SendAsync(request).WaitAsync(Timeout);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    public static string Base64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json));

    public static string Frame(string action, string payload, string? recipient = null, string? correlationId = null)
    {
        var members = new List<string> { $"\"action\":\"{action}\"", $"\"messagePayload\":\"{payload}\"" };
        if (recipient is not null)
        {
            members.Add($"\"recipientClientId\":\"{recipient}\"");
        }

        if (correlationId is not null)
        {
            members.Add($"\"correlationId\":\"{correlationId}\"");
        }

        return "{" + string.Join(",", members) + "}";
    }

    /// <summary>Completes when the hub reports a processed frame matching <paramref name="predicate"/>.</summary>
    public static Task<FrameProcessedEvent> WaitForFrameAsync(KvsEmulator emulator, Func<FrameProcessedEvent, bool>? predicate = null)
    {
        var completion = new TaskCompletionSource<FrameProcessedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(FrameProcessedEvent e)
        {
            if (predicate is null || predicate(e))
            {
                completion.TrySetResult(e);
            }
        }

        emulator.FrameProcessed += Handler;
        _ = completion.Task.ContinueWith(_ => emulator.FrameProcessed -= Handler, TaskScheduler.Default);
        return completion.Task.WaitAsync(Timeout);
    }
}

/// <summary>A raw <see cref="ClientWebSocket"/> peer, independent of the SDK's SignalingClient.</summary>
internal sealed class CorePeer : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;

    private CorePeer(ClientWebSocket socket) => _socket = socket;

    public ClientWebSocket Socket => _socket;

    public static async Task<CorePeer> ConnectAsync(Uri uri, Action<ClientWebSocketOptions>? configure = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        configure?.Invoke(socket.Options);
        using var cts = new CancellationTokenSource(CoreTestSupport.Timeout);
        try
        {
            await socket.ConnectAsync(uri, cts.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new CorePeer(socket);
    }

    /// <summary>Tries to connect and returns the HTTP status of a refused upgrade (101 when it was accepted).</summary>
    public static async Task<int> GetUpgradeStatusAsync(Uri uri)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        using var cts = new CancellationTokenSource(CoreTestSupport.Timeout);
        try
        {
            await socket.ConnectAsync(uri, cts.Token);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
            return 101;
        }
        catch (WebSocketException)
        {
            return (int)socket.HttpStatusCode;
        }
    }

    public Task SendAsync(string text) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None).WaitAsync(CoreTestSupport.Timeout);

    public Task SendBinaryAsync(byte[] data) =>
        _socket.SendAsync(data, WebSocketMessageType.Binary, true, CancellationToken.None).WaitAsync(CoreTestSupport.Timeout);

    /// <summary>Receives one text message; throws when the socket closes instead.</summary>
    public async Task<string> ReceiveTextAsync()
    {
        var (type, text) = await ReceiveAsync();
        if (type != WebSocketMessageType.Text)
        {
            throw new InvalidOperationException($"Expected a text frame, got {type} (close status {_socket.CloseStatus}).");
        }

        return text;
    }

    public async Task<JsonElement> ReceiveJsonAsync()
    {
        using var document = JsonDocument.Parse(await ReceiveTextAsync());
        return document.RootElement.Clone();
    }

    /// <summary>Reads until the server's close frame; returns its status, or null when the connection was dropped.</summary>
    public async Task<WebSocketCloseStatus?> ReceiveCloseAsync()
    {
        try
        {
            for (var i = 0; i < 100; i++)
            {
                var (type, _) = await ReceiveAsync();
                if (type == WebSocketMessageType.Close)
                {
                    return _socket.CloseStatus;
                }
            }

            throw new InvalidOperationException("No close frame after 100 messages.");
        }
        catch (WebSocketException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // Already gone.
            }
        }

        _socket.Dispose();
    }

    private async Task<(WebSocketMessageType Type, string Text)> ReceiveAsync()
    {
        using var cts = new CancellationTokenSource(CoreTestSupport.Timeout);
        var buffer = new byte[8192];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                if (_socket.State == WebSocketState.CloseReceived)
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
                }

                return (WebSocketMessageType.Close, string.Empty);
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, Encoding.UTF8.GetString(message.ToArray()));
            }
        }
    }
}

/// <summary>Collects every formatted log line (and exception text) so tests can check that no secret is logged.</summary>
internal sealed class CoreCapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public string AllText => string.Join("\n", _lines);

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(CoreCapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._lines.Enqueue($"{logLevel} {category}[{eventId.Id}] {formatter(state, exception)} {exception}");
    }
}
