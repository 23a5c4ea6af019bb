using System.Globalization;
using System.Net;
using Kvs.WebRtc.Benchmarks.Media;
using Kvs.WebRtc.Emulator;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Sessions;
using Kvs.WebRtc.Signaling.Auth;

namespace Kvs.WebRtc.Benchmarks.Load;

/// <summary>
/// Load run (benchmarks/README.md): one <see cref="MasterSession"/> streams a synthetic 4 Mbit/s, 30 fps H.264 stream
/// (<see cref="SyntheticH264Stream"/>) to N <see cref="ViewerSession"/>s on 127.0.0.1, signaled through the in-process
/// emulator; every viewer also sends a 1 KiB data-channel message every 100 ms that the master echoes. Prints a sample
/// line every interval (CPU, memory, GC, received video rate per viewer, echoes) and a summary.
/// Run: <c>dotnet run -c Release --project benchmarks/Kvs.WebRtc.Benchmarks -- load-viewers --viewers 10 --seconds 600</c>.
/// </summary>
internal static class ViewerLoadRun
{
    private static readonly TimeSpan FrameInterval = TimeSpan.FromSeconds(1.0 / SyntheticH264Stream.FramesPerSecond);

    public static async Task<int> RunAsync(TextWriter output, int viewerCount, TimeSpan duration, TimeSpan sampleEvery)
    {
        using var stop = new CancellationTokenSource();
        var ct = stop.Token;
        var emulator = await KvsEmulator.StartAsync(new KvsEmulatorOptions(), ct).ConfigureAwait(false);
        await using var emulatorScope = emulator.ConfigureAwait(false);
        var channel = new KvsChannelOptions
        {
            Channel = "load-" + Guid.NewGuid().ToString("N"),
            Region = emulator.Region,
            ServiceUrl = emulator.ServiceUrl,
            Credentials = new StaticCredentialsProvider(emulator.Credentials),
            UseTurn = false,
        };
        var peers = new RTCConfiguration { IncludeLoopbackCandidates = true, EnableIpv6 = false, HostAddresses = [IPAddress.Loopback] };
        var video = new EncodedFrameTrack(RTCRtpCodec.H264);
        var master = await MasterSession.StartAsync(
            new MasterSessionOptions { Channel = channel, PeerConfiguration = peers, Tracks = [video], MaxViewers = viewerCount }, ct).ConfigureAwait(false);
        await using var masterScope = master.ConfigureAwait(false);
        using var echo = master.Messages.Subscribe(m => _ = EchoAsync(master, m));

        var viewers = new List<ViewerSession>();
        var frames = new long[viewerCount];
        var bytes = new long[viewerCount];
        var echoes = new long[viewerCount];
        var loops = new List<Task>();
        try
        {
            for (var i = 0; i < viewerCount; i++)
            {
                var viewer = await ViewerSession.ConnectAsync(
                    new ViewerSessionOptions { Channel = channel, ClientId = "load-" + i.ToString(CultureInfo.InvariantCulture), PeerConfiguration = peers, ReceiveAudio = false },
                    ct).ConfigureAwait(false);
                viewers.Add(viewer);
                var index = i;
                viewer.Messages.Subscribe(_ => Interlocked.Increment(ref echoes[index]));
                loops.Add(Task.Run(() => ReadAsync(viewer.VideoTrack!, index, frames, bytes, ct), CancellationToken.None));
                loops.Add(Task.Run(() => SendAsync(viewer, ct), CancellationToken.None));
            }

            output.WriteLine($"load-viewers: {viewerCount} viewers x {SyntheticH264Stream.Bitrate / 1e6:0.#} Mbit/s H.264 + 1 KiB data every 100 ms, {duration.TotalSeconds:0} s");
            var sampler = new LoadSampler(output);
            loops.Add(Task.Run(() => WriteAsync(video, ct), CancellationToken.None));
            var lastBytes = 0L;
            var lastEchoes = 0L;
            var lastAt = sampler.Elapsed;
            while (sampler.Elapsed < duration)
            {
                await Task.Delay(sampleEvery, CancellationToken.None).ConfigureAwait(false);
                var totalBytes = bytes.Sum();
                var totalEchoes = echoes.Sum();
                var seconds = (sampler.Elapsed - lastAt).TotalSeconds;
                sampler.Sample(string.Create(CultureInfo.InvariantCulture,
                    $"video {(totalBytes - lastBytes) * 8 / seconds / viewerCount / 1e6:0.00} Mbit/s per viewer  echoes {(totalEchoes - lastEchoes) / seconds:0}/s  " +
                    $"joined {master.Viewers.Count}"));
                (lastBytes, lastEchoes, lastAt) = (totalBytes, totalEchoes, sampler.Elapsed);
            }

            var minFrames = frames.Min();
            sampler.Summary(string.Create(CultureInfo.InvariantCulture,
                $"video {bytes.Sum() * 8 / sampler.Elapsed.TotalSeconds / viewerCount / 1e6:0.00} Mbit/s per viewer on average, frames per viewer min {minFrames} " +
                $"max {frames.Max()}, echoes {echoes.Sum()}, viewers joined at the end {master.Viewers.Count}"));
            return master.Viewers.Count == viewerCount && minFrames > 0 ? 0 : 1;
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            foreach (var viewer in viewers)
            {
                await viewer.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task WriteAsync(EncodedFrameTrack video, CancellationToken ct)
    {
        var gop = SyntheticH264Stream.Gop();
        using var timer = new PeriodicTimer(FrameInterval);
        try
        {
            for (var n = 0L; await timer.WaitForNextTickAsync(ct).ConfigureAwait(false); n++)
            {
                var index = (int)(n % gop.Length);
                await video.WriteFrameAsync(new EncodedFrame(gop[index], FrameInterval * n, index == 0), ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task ReadAsync(RemoteMediaTrack track, int index, long[] frames, long[] bytes, CancellationToken ct)
    {
        try
        {
            await foreach (var frame in track.ReadFramesAsync(ct).ConfigureAwait(false))
            {
                Interlocked.Increment(ref frames[index]);
                Interlocked.Add(ref bytes[index], frame.Data.Length);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task SendAsync(ViewerSession viewer, CancellationToken ct)
    {
        var payload = new byte[1024];
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await viewer.SendAsync(payload, ct).ConfigureAwait(false);
                await Task.Delay(100, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task EchoAsync(MasterSession master, KvsPeerMessage message)
    {
        try
        {
            await master.SendAsync(message.ClientId, message.Data).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // The viewer left.
        }
    }
}
