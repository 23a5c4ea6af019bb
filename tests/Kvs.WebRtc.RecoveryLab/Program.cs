// Recovery lab (docs/recovery.md): an emulator, a master streaming a looping VP8 file and echoing data, and a viewer
// sending a message every 100 ms, all in this process. Once frames and echoes flow, it runs --impair (a shell command,
// e.g. moving the viewer's address) and waits until the viewer's selected candidate pair uses --new-address and frames
// and echoes flow again. Prints one JSON line per phase and a result line; exits 0 when the session recovered in time.
// The master's host candidates are pinned to --master-address; the viewer gathers on every non-loopback interface,
// as a device does, so it sees its address change.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Kvs.WebRtc;
using Kvs.WebRtc.Emulator;
using Kvs.WebRtc.Media;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.Sessions;
using Kvs.WebRtc.Signaling.Auth;
using Microsoft.Extensions.Logging;

string? masterAddress = null, newAddress = null, impair = null;
var recoverSeconds = 45;
var logLevel = LogLevel.Warning;
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--master-address": masterAddress = args[i + 1]; break;
        case "--new-address": newAddress = args[i + 1]; break;
        case "--impair": impair = args[i + 1]; break;
        case "--recover-seconds": recoverSeconds = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--log": logLevel = Enum.Parse<LogLevel>(args[i + 1], ignoreCase: true); break;
        default:
            await Console.Error.WriteLineAsync($"unknown option {args[i]}");
            return 2;
    }
}

if (masterAddress is null || newAddress is null || impair is null)
{
    await Console.Error.WriteLineAsync("usage: Kvs.WebRtc.RecoveryLab --master-address IP --new-address IP --impair CMD [--recover-seconds N] [--log LEVEL]");
    return 2;
}

using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(logLevel)
    .AddFilter("Kvs.WebRtc.Sessions", LogLevel.Information));
using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60 + recoverSeconds));
var ct = timeout.Token;
await using var emulator = await KvsEmulator.StartAsync(new KvsEmulatorOptions { LoggerFactory = loggerFactory }, ct);
var channel = new KvsChannelOptions
{
    Channel = "recovery-lab",
    Region = emulator.Region,
    ServiceUrl = emulator.ServiceUrl,
    Credentials = new StaticCredentialsProvider(emulator.Credentials),
    LoggerFactory = loggerFactory,
};

using var file = MediaFileSource.Open(Path.Combine(AppContext.BaseDirectory, "media", "pattern-320x240.ivf"), new MediaFileSourceOptions { Loop = true });
var video = file.CreateTrack();
await using var master = await MasterSession.StartAsync(new MasterSessionOptions
{
    Channel = channel,
    PeerConfiguration = new RTCConfiguration { IncludeLoopbackCandidates = true, EnableIpv6 = false, HostAddresses = [IPAddress.Parse(masterAddress)] },
    Tracks = [video],
}, ct);
using var echo = master.Messages.Subscribe(m => _ = EchoAsync(master, m));
await using var viewer = await ViewerSession.ConnectAsync(new ViewerSessionOptions
{
    Channel = channel,
    ClientId = "moving-camera",
    PeerConfiguration = new RTCConfiguration { IncludeLoopbackCandidates = false, EnableIpv6 = false },
}, ct);

var streaming = file.PlayAsync(video, ct);
long frames = 0, echoes = 0;
using var counting = viewer.Messages.Subscribe(_ => Interlocked.Increment(ref echoes));
var reading = Task.Run(async () =>
{
    await foreach (var _ in viewer.VideoTrack!.ReadFramesAsync(ct))
    {
        Interlocked.Increment(ref frames);
    }
}, ct);
var sending = Task.Run(async () =>
{
    var payload = new byte[256];
    for (var n = 0; !ct.IsCancellationRequested; n++)
    {
        BitConverter.TryWriteBytes(payload, n);
        await viewer.SendAsync(payload, ct);
        await Task.Delay(100, ct);
    }
}, ct);

string Pair() => viewer.PeerConnection.GetStats().SelectedCandidatePair ?? "-";
void Phase(string name, object? extra = null) =>
    Console.WriteLine(JsonSerializer.Serialize(new { phase = name, frames = Interlocked.Read(ref frames), echoes = Interlocked.Read(ref echoes), pair = Pair(), extra }));

async Task<bool> FlowsAsync(long framesFrom, long echoesFrom, TimeSpan limit)
{
    var started = Stopwatch.GetTimestamp();
    while (Stopwatch.GetElapsedTime(started) < limit)
    {
        if (Interlocked.Read(ref frames) >= framesFrom + 10 && Interlocked.Read(ref echoes) >= echoesFrom + 10)
        {
            return true;
        }

        await Task.Delay(50, ct);
    }

    return false;
}

if (!await FlowsAsync(0, 0, TimeSpan.FromSeconds(20)))
{
    Phase("never-flowed");
    return 1;
}

Phase("flowing");
var impaired = Stopwatch.StartNew();
using (var shell = Process.Start(new ProcessStartInfo("sh") { ArgumentList = { "-c", impair } })!)
{
    await shell.WaitForExitAsync(ct);
    if (shell.ExitCode != 0)
    {
        Phase("impair-failed", shell.ExitCode);
        return 3;
    }
}

Phase("impaired");
var limit = TimeSpan.FromSeconds(recoverSeconds);
while (!Pair().StartsWith(newAddress + ":", StringComparison.Ordinal) && impaired.Elapsed < limit)
{
    await Task.Delay(50, ct);
}

var moved = Pair().StartsWith(newAddress + ":", StringComparison.Ordinal);
var pathBack = impaired.Elapsed.TotalSeconds;
var flowsAgain = moved && await FlowsAsync(Interlocked.Read(ref frames), Interlocked.Read(ref echoes), limit - impaired.Elapsed);
Phase("result", new { recovered = flowsAgain, pathBackSeconds = Math.Round(pathBack, 2), flowingSeconds = Math.Round(impaired.Elapsed.TotalSeconds, 2),
    viewerConnection = viewer.PeerConnection.ConnectionState.ToString(), joined = master.Viewers.Count });
await timeout.CancelAsync();
await Task.WhenAll(streaming, reading, sending).ContinueWith(_ => { }, TaskScheduler.Default);
return flowsAgain && master.Viewers.Count == 1 ? 0 : 1;

static async Task EchoAsync(MasterSession master, KvsPeerMessage message)
{
    try
    {
        await master.SendAsync(message.ClientId, message.Data);
    }
    catch (InvalidOperationException)
    {
        // The viewer's channel is not open (a recovery in progress): the viewer counts what comes back.
    }
}
