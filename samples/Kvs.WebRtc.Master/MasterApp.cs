using System.Globalization;
using System.Reactive.Linq;
using Kvs.WebRtc.Emulator;
using Kvs.WebRtc.Media;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Sessions;

namespace Kvs.WebRtc.Samples.Master;

/// <summary>The console master, callable in-process (the tests run it next to the console viewer).</summary>
public static class MasterApp
{
    /// <summary>The line printed once the master is on the channel (tests wait for it).</summary>
    public const string ReadyLine = "master     ready";

    /// <summary>Runs the master until <paramref name="cancellationToken"/>, <c>--duration</c>, or the end of non-looping media.</summary>
    /// <param name="args">The command line (see <see cref="MasterArguments.Usage"/>).</param>
    /// <param name="input">stdin: media with <c>--video -</c>/<c>--audio -</c>, otherwise chat lines sent to every viewer.</param>
    /// <param name="output">Where status and stats go.</param>
    /// <param name="error">Where errors and logs go.</param>
    /// <param name="cancellationToken">Stops the master.</param>
    /// <returns>0 on a clean stop, 1 on a failure, 2 on a bad command line.</returns>
    public static async Task<int> RunAsync(string[] args, Stream input, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        output = TextWriter.Synchronized(output);
        var (parsed, exitCode) = await SampleCommandLine.ParseAsync(args, MasterArguments.Parse, a => a.Help, MasterArguments.Usage, output, error).ConfigureAwait(false);
        if (parsed is not { } arguments)
        {
            return exitCode!.Value;
        }

        using var loggerFactory = SampleCommandLine.CreateLoggerFactory(arguments.LogLevel);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (arguments.Duration is { } duration)
        {
            stop.CancelAfter(duration);
        }

        var ct = stop.Token;
        KvsEmulator? emulator = null;
        MediaFileSource? video = null;
        MediaFileSource? audio = null;
        try
        {
            Uri? serviceUrl = null;
            if (arguments.Local)
            {
                emulator = await KvsEmulator.StartAsync(
                    new KvsEmulatorOptions { Port = arguments.Port, Region = arguments.Region, DefaultCredentials = SampleChannel.LocalCredentials, LoggerFactory = loggerFactory },
                    ct).ConfigureAwait(false);
                serviceUrl = emulator.ServiceUrl;
                await output.WriteLineAsync($"emulator   {serviceUrl} ({emulator.Region}), loopback only").ConfigureAwait(false);
            }

            var sourceOptions = new MediaFileSourceOptions { FramesPerSecond = arguments.FramesPerSecond, Loop = arguments.Loop };
            var defaultMedia = Path.Combine(AppContext.BaseDirectory, "media");
            video = await OpenAsync(arguments.NoVideo ? null : arguments.Video ?? (arguments.Local ? Path.Combine(defaultMedia, "pattern-320x240.h264") : null),
                arguments.VideoFormat ?? MediaFileFormat.H264AnnexB, input, sourceOptions, ct).ConfigureAwait(false);
            audio = await OpenAsync(arguments.NoAudio ? null : arguments.Audio ?? (arguments.Local ? Path.Combine(defaultMedia, "tone-48k.ogg") : null),
                MediaFileFormat.OggOpus, input, sourceOptions, ct).ConfigureAwait(false);
            if (video is null && audio is null)
            {
                await output.WriteLineAsync("master     no --video or --audio: data channel only").ConfigureAwait(false);
            }

            var videoTrack = video?.CreateTrack("video");
            var audioTrack = audio?.CreateTrack("audio");
            foreach (var (source, track) in new[] { (video, videoTrack), (audio, audioTrack) })
            {
                if (source is not null && track is not null)
                {
                    await output.WriteLineAsync($"source     {source.Name}: {track.Codec.MimeType}" +
                        (source.FrameCount is { } count ? $", {count} frames{(arguments.Loop ? ", looping" : string.Empty)}" : ", stream")).ConfigureAwait(false);
                }
            }

            var channel = SampleChannel.Create(arguments.Channel, arguments.Region, serviceUrl, arguments.Profile, loggerFactory);
            LocalMediaTrack[] tracks = [.. new LocalMediaTrack?[] { videoTrack, audioTrack }.OfType<LocalMediaTrack>()];
            var master = await MasterSession.StartAsync(
                new MasterSessionOptions { Channel = channel, PeerConfiguration = SampleChannel.Peers(arguments.Local), Tracks = tracks, MaxViewers = arguments.MaxViewers },
                ct).ConfigureAwait(false);
            await using (master.ConfigureAwait(false))
            {
                using var joined = master.ViewerJoined.Subscribe(v => output.WriteLine($"master     viewer {v.ClientId} joined"));
                using var left = master.ViewerLeft.Subscribe(v => output.WriteLine($"master     viewer {v.ClientId} left"));
                using var chat = master.Messages.Subscribe(m =>
                {
                    var text = m.Text ?? $"<{m.Data.Length} bytes>";
                    output.WriteLine($"{m.ClientId}> {text}");
                    _ = EchoAsync(master, m, ct);
                });
                await output.WriteLineAsync($"{ReadyLine} on {master.Channel.Endpoints.ChannelArn}").ConfigureAwait(false);
                if (serviceUrl is not null)
                {
                    await output.WriteLineAsync($"viewer     kvs-viewer --local {serviceUrl} --channel {arguments.Channel} --region {arguments.Region}").ConfigureAwait(false);
                }

                var playing = new List<Task>();
                if (video is not null)
                {
                    playing.Add(video.PlayAsync(videoTrack!, ct));
                }

                if (audio is not null)
                {
                    playing.Add(audio.PlayAsync(audioTrack!, ct));
                }

                var chatInput = arguments.Video != "-" && arguments.Audio != "-" ? ChatAsync(master, input, ct) : Task.CompletedTask;
                var stats = StatsAsync(master, video, audio, arguments.StatsInterval, output, ct);
                var media = playing.Count > 0 ? Task.WhenAll(playing) : Task.Delay(Timeout.Infinite, ct);
                try
                {
                    await media.WaitAsync(ct).ConfigureAwait(false);
                    await output.WriteLineAsync("master     the media ended").ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                }

                await stop.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(chatInput, stats).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
                await output.WriteLineAsync($"master     stopped: {video?.FramesWritten ?? 0} video and {audio?.FramesWritten ?? 0} audio frames sent, " +
                    $"{video?.KeyFrameReplays ?? 0} key frame replays").ConfigureAwait(false);
            }

            return 0;
        }
        catch (MediaFormatException ex)
        {
            await error.WriteLineAsync($"master     bad media: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or InvalidOperationException or HttpRequestException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"master     failed: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested || arguments.Duration is not null)
        {
            return 0;
        }
        finally
        {
            video?.Dispose();
            audio?.Dispose();
            if (emulator is not null)
            {
                await emulator.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<MediaFileSource?> OpenAsync(string? path, MediaFileFormat stdinFormat, Stream input, MediaFileSourceOptions options, CancellationToken ct)
    {
        if (path is null)
        {
            return null;
        }

        if (path == "-")
        {
            return await MediaFileSource.FromStreamAsync(input, stdinFormat, options, "stdin", ct).ConfigureAwait(false);
        }

        return MediaFileSource.Open(path, options);
    }

    private static async Task EchoAsync(MasterSession master, KvsPeerMessage message, CancellationToken ct)
    {
        try
        {
            if (message.Text is { } text)
            {
                await master.SendAsync(message.ClientId, "echo: " + text, ct).ConfigureAwait(false);
            }
            else
            {
                await master.SendAsync(message.ClientId, message.Data, ct).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or IOException or ArgumentException)
        {
            // The viewer left meanwhile, or the master is stopping.
        }
    }

    private static async Task ChatAsync(MasterSession master, Stream input, CancellationToken ct)
    {
        using var reader = new StreamReader(input, leaveOpen: true);
        try
        {
            while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
            {
                if (line.Length > 0)
                {
                    await master.BroadcastAsync(line, ct).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task StatsAsync(MasterSession master, MediaFileSource? video, MediaFileSource? audio, TimeSpan interval, TextWriter output, CancellationToken ct)
    {
        long videoFrames = 0, videoBytes = 0, audioFrames = 0, audioBytes = 0;
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                var line = string.Create(CultureInfo.InvariantCulture, $"stats      viewers {master.Viewers.Count}");
                if (video is not null)
                {
                    var (frames, bytes) = (video.FramesWritten, video.BytesWritten);
                    line += string.Create(CultureInfo.InvariantCulture,
                        $"  video {SampleChannel.Rate(frames - videoFrames, interval):0.0} fps {SampleChannel.Rate((bytes - videoBytes) * 8, interval) / 1000:0} kbit/s");
                    (videoFrames, videoBytes) = (frames, bytes);
                }

                if (audio is not null)
                {
                    var (frames, bytes) = (audio.FramesWritten, audio.BytesWritten);
                    line += string.Create(CultureInfo.InvariantCulture,
                        $"  audio {SampleChannel.Rate(frames - audioFrames, interval):0} pkt/s {SampleChannel.Rate((bytes - audioBytes) * 8, interval) / 1000:0} kbit/s");
                    (audioFrames, audioBytes) = (frames, bytes);
                }

                await output.WriteLineAsync(line).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
