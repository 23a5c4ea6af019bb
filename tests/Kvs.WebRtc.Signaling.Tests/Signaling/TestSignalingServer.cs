using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Signaling.Tests.Signaling;

/// <summary>
/// A minimal WebSocket server on 127.0.0.1 (Kestrel) for SignalingClient tests: records the raw request target and
/// Host of each upgrade, can hold or refuse upgrades, and hands each accepted socket to the test.
/// </summary>
internal sealed class TestSignalingServer : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private readonly WebApplication _app;
    private readonly Channel<ServerConnection> _connections = Channel.CreateUnbounded<ServerConnection>();
    private readonly Channel<string> _attempts = Channel.CreateUnbounded<string>();
    private readonly object _gate = new();
    private TaskCompletionSource _upgradeGate = CompletedGate();
    private int? _rejectStatus;

    private TestSignalingServer(WebApplication app)
    {
        _app = app;
    }

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Text frames sent to every accepted connection right after the upgrade (like messages the service buffered).</summary>
    public IReadOnlyList<string> InitialFrames { get; set; } = [];

    /// <summary>When set, every upgrade is answered with this HTTP status instead of 101.</summary>
    public int? RejectStatus
    {
        get
        {
            lock (_gate)
            {
                return _rejectStatus;
            }
        }
        set
        {
            lock (_gate)
            {
                _rejectStatus = value;
            }
        }
    }

    /// <summary>The <c>x-amzn-ErrorType</c> header sent with <see cref="RejectStatus"/>, if any.</summary>
    public string? RejectErrorType { get; set; }

    public static async Task<TestSignalingServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new TestSignalingServer(app);
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        server.Endpoint = new Uri(address.Replace("http://", "ws://", StringComparison.Ordinal) + "/");
        return server;
    }

    /// <summary>Makes later upgrades wait until <see cref="ReleaseUpgrades"/>.</summary>
    public void HoldUpgrades()
    {
        lock (_gate)
        {
            if (_upgradeGate.Task.IsCompleted)
            {
                _upgradeGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    public void ReleaseUpgrades()
    {
        lock (_gate)
        {
            _upgradeGate.TrySetResult();
        }
    }

    /// <summary>The next accepted WebSocket connection.</summary>
    public async Task<ServerConnection> NextConnectionAsync() =>
        await _connections.Reader.ReadAsync().AsTask().WaitAsync(Timeout);

    /// <summary>The raw request target of the next upgrade request (accepted, held or refused).</summary>
    public async Task<string> NextAttemptAsync() =>
        await _attempts.Reader.ReadAsync().AsTask().WaitAsync(Timeout);

    public async ValueTask DisposeAsync()
    {
        ReleaseUpgrades();
        await _app.StopAsync(CancellationToken.None).WaitAsync(Timeout);
        await _app.DisposeAsync();
    }

    private static TaskCompletionSource CompletedGate()
    {
        var gate = new TaskCompletionSource();
        gate.SetResult();
        return gate;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        _attempts.Writer.TryWrite(rawTarget);
        Task gate;
        lock (_gate)
        {
            gate = _upgradeGate.Task;
        }

        await gate.WaitAsync(context.RequestAborted);
        if (RejectStatus is { } status)
        {
            context.Response.StatusCode = status;
            if (RejectErrorType is { } errorType)
            {
                context.Response.Headers["x-amzn-ErrorType"] = errorType;
            }

            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        using var connection = new ServerConnection(socket, rawTarget, context.Request.Host.Value ?? string.Empty);
        foreach (var frame in InitialFrames)
        {
            await connection.SendAsync(frame);
        }

        _connections.Writer.TryWrite(connection);
        await connection.RunAsync();
    }
}
