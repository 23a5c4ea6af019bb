// Quick start: a master streams a test video to a viewer and echoes its data-channel messages, peer-to-peer over
// WebRTC, with signaling through an embedded local KVS emulator. No AWS account needed: the emulator verifies SigV4
// exactly like KVS, with its own key pair.
// Run: dotnet run --project samples/Kvs.WebRtc.QuickStart      (exits 0 when the video arrived and every message came back)
using System.Diagnostics;
using System.Globalization;
using System.Reactive.Linq;
using Kvs.WebRtc;
using Kvs.WebRtc.Emulator;
using Kvs.WebRtc.Media;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Sessions;
using Kvs.WebRtc.Signaling.Auth;
using Microsoft.Extensions.Logging;

const int MessageCount = 1000;
using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
var ct = timeout.Token;

await using var emulator = await KvsEmulator.StartAsync(new KvsEmulatorOptions { LoggerFactory = loggerFactory }, ct);
Console.WriteLine($"emulator   {emulator.ServiceUrl} ({emulator.Region})");

// Against real KVS, drop ServiceUrl and Credentials: the regional endpoint and the AWS default chain are used.
var channel = new KvsChannelOptions
{
    Channel = "quick-start",
    Region = emulator.Region,
    ServiceUrl = emulator.ServiceUrl,
    Credentials = new StaticCredentialsProvider(emulator.Credentials),
    LoggerFactory = loggerFactory,
};

// Both peers run on this machine: keep their host candidates on 127.0.0.1 (real devices gather on every interface).
var peers = new RTCConfiguration { IncludeLoopbackCandidates = true, EnableIpv6 = false, HostAddresses = [System.Net.IPAddress.Loopback] };

// The camera: a VP8 track the master sends to every viewer. Real devices write what their encoder produces
// (H.264 access units, VP8 frames, Opus packets); here a file source plays a small test file in real time.
using var file = MediaFileSource.Open(Path.Combine(AppContext.BaseDirectory, "media", "pattern-320x240.ivf"), new MediaFileSourceOptions { Loop = false });
var frameCount = file.FrameCount!.Value;
var video = file.CreateTrack();

// The master (a camera, a robot, a server) sends the video and echoes whatever a viewer sends. Each echo is awaited: SendAsync waits while
// the viewer's send buffer is full (back-pressure), so a slow viewer slows its own echoes down and the master's memory
// stays flat; Concat keeps one viewer's echoes in order, GroupBy lets viewers proceed independently.
await using var master = await MasterSession.StartAsync(new MasterSessionOptions { Channel = channel, PeerConfiguration = peers, Tracks = [video] }, ct);
using var joined = master.ViewerJoined.Subscribe(v => Console.WriteLine($"master     viewer {v.ClientId} joined"));
using var echo = master.Messages
    .GroupBy(m => m.ClientId)
    .SelectMany(fromViewer => fromViewer.Select(m => Observable.FromAsync(token => EchoAsync(master, m, token))).Concat())
    .Subscribe();
Console.WriteLine($"master     on {master.Channel.Endpoints.ChannelArn}");

// The viewer offers to receive video and audio and opens a data channel; ConnectAsync returns once it is connected.
// Its Timeline records each step from the ConnectAsync call: offer, answer, ICE, DTLS, first RTP packet, first key frame.
await using var viewer = await ViewerSession.ConnectAsync(new ViewerSessionOptions { Channel = channel, ClientId = "viewer-1", PeerConfiguration = peers }, ct);
var connected = viewer.Timeline;
Console.WriteLine($"viewer     connected, data channel '{viewer.DataChannel.Label}' open: answer {Ms(connected.AnswerReceived)}, " +
    $"ICE {Ms(connected.IceConnected)}, DTLS {Ms(connected.DtlsConnected)} after ConnectAsync");

// The viewer reads whole frames (a real app decodes or records them); the master streams the file in real time.
var received = ReceiveAsync(viewer.VideoTrack!, frameCount, ct);
var streaming = file.PlayAsync(video, ct);
var stopwatch = Stopwatch.StartNew();

var echoed = 0;
var allBack = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
using var counting = viewer.Messages.Subscribe(_ =>
{
    if (Interlocked.Increment(ref echoed) == MessageCount)
    {
        allBack.TrySetResult();
    }
});

stopwatch.Restart();
var payload = new byte[1024];
for (var i = 0; i < MessageCount; i++)
{
    BitConverter.TryWriteBytes(payload, i);
    await viewer.SendAsync(payload, ct);
}

try
{
    await allBack.Task.WaitAsync(ct);
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine($"Only {echoed} of {MessageCount} messages came back within the time limit.");
    return 1;
}

Console.WriteLine($"viewer     {MessageCount} x 1 KiB sent and echoed back in {stopwatch.ElapsedMilliseconds} ms");
await streaming;
var (count, keyFrames, bytes, seconds) = await received;
var timeline = viewer.Timeline; // the master starts streaming once the viewer is connected: the first frame follows
Console.WriteLine($"viewer     first frame {Ms(timeline.FirstKeyFrame)} after ConnectAsync (first RTP {Ms(timeline.FirstRtpPacket)}); " +
    $"{count} of {frameCount} frames ({keyFrames} key frames), {count / seconds:0.0} fps, {bytes * 8 / seconds / 1000:0} kbit/s");
if (count < frameCount * 95 / 100)
{
    Console.Error.WriteLine($"Only {count} of {frameCount} video frames arrived.");
    return 1;
}

var stats = viewer.PeerConnection.GetStats();
Console.WriteLine($"viewer     pair {stats.SelectedCandidatePair}, {stats.DtlsCipher}, {stats.BytesSent} bytes sent, {stats.BytesReceived} received");
Console.WriteLine("done: a master streamed video and data to a viewer peer-to-peer, signaled through the local emulator");
return 0;

static string Ms(TimeSpan? value) => value is { } v ? v.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms" : "-";

static async Task<(int Count, int KeyFrames, long Bytes, double Seconds)> ReceiveAsync(
    RemoteMediaTrack track, int expected, CancellationToken cancellationToken)
{
    int count = 0, keyFrames = 0;
    long bytes = 0;
    var clock = new Stopwatch();
    using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    try
    {
        idle.CancelAfter(TimeSpan.FromSeconds(10));
        await foreach (var frame in track.ReadFramesAsync(idle.Token))
        {
            if (count++ == 0)
            {
                clock.Start();
            }

            keyFrames += frame.IsKeyFrame ? 1 : 0;
            bytes += frame.Data.Length;
            idle.CancelAfter(TimeSpan.FromSeconds(2)); // the stream ended when nothing comes for 2 s
            if (count == expected)
            {
                break;
            }
        }
    }
    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
    {
    }

    return (count, keyFrames, bytes, Math.Max(clock.Elapsed.TotalSeconds, 0.001));
}

static async Task EchoAsync(MasterSession master, KvsPeerMessage message, CancellationToken cancellationToken)
{
    try
    {
        await master.SendAsync(message.ClientId, message.Data, cancellationToken);
    }
    catch (Exception ex) when (ex is KvsSessionException { Error: KvsSessionError.ViewerNotConnected } or InvalidOperationException)
    {
        // The viewer left meanwhile (or its data channel is closing).
    }
}
