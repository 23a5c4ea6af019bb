// Hosted master: the shape of a camera app on a device. Host.CreateApplicationBuilder reads appsettings.json and the
// environment; AddKvsWebRtc binds and validates the "Kvs" section; AddKvsMaster starts the master with the host, keeps
// it reachable through signaling outages, and disconnects every viewer when the host stops (Ctrl+C, SIGTERM).
// Run: dotnet run --project samples/Kvs.WebRtc.HostedMaster             (local: embedded emulator and a demo viewer; exits 0 when the video arrived)
//      dotnet run --project samples/Kvs.WebRtc.HostedMaster -- --aws    (Kinesis Video Streams with the "Kvs" settings and AWS credentials; Ctrl+C stops)
//      add --metrics (or set Metrics:Console=true) to print the Kvs.WebRtc metrics and spans with the OpenTelemetry console exporter (docs/metrics.md)
using System.Net;
using System.Reactive.Linq;
using Kvs.WebRtc;
using Kvs.WebRtc.Emulator;
using Kvs.WebRtc.Hosting;
using Kvs.WebRtc.HostedMaster;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.PeerConnection.Diagnostics;
using Kvs.WebRtc.Sessions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

var local = !args.Contains("--aws");
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args.Where(a => a is not ("--aws" or "--local" or "--metrics")).ToArray(),
    ContentRootPath = AppContext.BaseDirectory, // appsettings.json beside the binary, wherever it is started from
});

// Local: an in-process KVS (control plane and signaling, SigV4 verified with its own key pair); nothing leaves the machine.
await using var emulator = local ? await KvsEmulator.StartAsync() : null;
if (emulator is not null)
{
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Kvs:Region"] = emulator.Region,
        ["Kvs:ServiceUrl"] = emulator.ServiceUrl.ToString(),
        ["Kvs:AccessKeyId"] = emulator.Credentials.AccessKeyId,
        ["Kvs:SecretAccessKey"] = emulator.Credentials.SecretAccessKey,
        ["Kvs:Ice:UseTurn"] = "false",
    });
}

// Both local peers run on this machine: keep their host candidates on 127.0.0.1 (a device gathers on every interface).
var loopback = new RTCConfiguration { IncludeLoopbackCandidates = true, EnableIpv6 = false, HostAddresses = [IPAddress.Loopback] };

// Metrics and traces: the SDK publishes under one meter and one activity source name; any OpenTelemetry exporter
// (OTLP, Prometheus) subscribes the same way. The host's IMeterFactory reaches the sessions through AddKvsWebRtc.
if (args.Contains("--metrics") || builder.Configuration.GetValue<bool>("Metrics:Console"))
{
    builder.Services.AddOpenTelemetry()
        .WithMetrics(metrics => metrics
            .AddMeter(KvsWebRtcDiagnostics.MeterName)
            .AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 2000))
        .WithTracing(tracing => tracing
            .AddSource(KvsWebRtcDiagnostics.ActivitySourceName)
            .AddConsoleExporter());
}

builder.Services.AddSingleton<TestCamera>();
builder.Services.AddHostedService(services => services.GetRequiredService<TestCamera>());
builder.AddKvsWebRtc();
builder.Services.AddKvsMaster()
    .ConfigureSession((services, options) =>
    {
        options.Tracks = [services.GetRequiredService<TestCamera>().Video];
        if (local)
        {
            options.PeerConfiguration = loopback;
        }
    })
    .OnStarted((_, master, _) =>
    {
        // Subscriptions end with the session; this runs again for each session the host starts.
        master.ViewerJoined.Subscribe(v => Console.WriteLine($"master     viewer {v.ClientId} joined"));
        master.ViewerLeft.Subscribe(v => Console.WriteLine($"master     viewer {v.ClientId} left"));
        master.Messages
            .Select(m => Observable.FromAsync(ct => EchoAsync(master, m, ct)))
            .Concat()
            .Subscribe();
        Console.WriteLine($"master     on {master.Channel.Endpoints.ChannelArn}");
        return Task.CompletedTask;
    });

using var host = builder.Build();
if (!local)
{
    await host.RunAsync();
    return 0;
}

await host.StartAsync();
return await RunDemoViewerAsync(host, loopback);

// A viewer on the same channel: it receives two seconds of video and an echo, then the host stops and the viewer sees
// the master close its connection.
static async Task<int> RunDemoViewerAsync(IHost host, RTCConfiguration peers)
{
    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
    var ct = timeout.Token;
    await host.Services.GetRequiredService<KvsMasterAccessor>().WaitForSessionAsync(ct);
    var factory = host.Services.GetRequiredService<KvsChannelFactory>();
    var viewerOptions = factory.CreateViewerSessionOptions("viewer-1");
    viewerOptions.PeerConfiguration = peers;
    await using var viewer = await ViewerSession.ConnectAsync(viewerOptions, ct);
    var echo = viewer.Messages.FirstAsync().RunAsync(ct);
    await viewer.SendAsync("hello", ct);
    Console.WriteLine($"viewer     echo '{(await echo).Text}'");

    var frames = 0;
    await foreach (var _ in viewer.VideoTrack!.ReadFramesAsync(ct))
    {
        if (++frames == 60)
        {
            break;
        }
    }

    Console.WriteLine($"viewer     {frames} video frames received");
    var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    viewer.DataChannel.Closed += (_, _) => closed.TrySetResult();
    await host.StopAsync(ct);
    await closed.Task.WaitAsync(ct);
    Console.WriteLine($"viewer     the master closed the connection on shutdown (data channel {viewer.DataChannel.ReadyState})");
    return viewer.DataChannel.ReadyState == RTCDataChannelState.Closed ? 0 : 1;
}

static async Task EchoAsync(MasterSession master, KvsPeerMessage message, CancellationToken cancellationToken)
{
    try
    {
        if (message.Text is { } text)
        {
            await master.SendAsync(message.ClientId, text, cancellationToken);
        }
        else
        {
            await master.SendAsync(message.ClientId, message.Data, cancellationToken);
        }
    }
    catch (Exception ex) when (ex is KvsSessionException { Error: KvsSessionError.ViewerNotConnected } or InvalidOperationException)
    {
        // The viewer left meanwhile (or its data channel is closing).
    }
}
