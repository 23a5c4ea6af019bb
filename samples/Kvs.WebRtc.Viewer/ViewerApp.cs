using System.Diagnostics;
using System.Globalization;
using Kvs.WebRtc.Sessions;

namespace Kvs.WebRtc.Samples.Viewer;

/// <summary>The console viewer, callable in-process (the tests run it next to the console master).</summary>
public static class ViewerApp
{
    /// <summary>Runs the viewer until <paramref name="cancellationToken"/> or <c>--duration</c>.</summary>
    /// <param name="args">The command line (see <see cref="ViewerArguments.Usage"/>).</param>
    /// <param name="input">stdin: chat lines sent on the data channel.</param>
    /// <param name="output">Where status and stats go.</param>
    /// <param name="error">Where errors and logs go.</param>
    /// <param name="cancellationToken">Stops the viewer.</param>
    /// <returns>0 when every requested kind of media arrived, 1 otherwise or on a failure, 2 on a bad command line.</returns>
    public static async Task<int> RunAsync(string[] args, Stream input, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        output = TextWriter.Synchronized(output);
        var (parsed, exitCode) = await SampleCommandLine.ParseAsync(args, ViewerArguments.Parse, a => a.Help, ViewerArguments.Usage, output, error).ConfigureAwait(false);
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
        var recordings = new List<TrackRecording>();
        try
        {
            var channel = SampleChannel.Create(arguments.Channel, arguments.Region, arguments.Local, arguments.Profile, loggerFactory);
            var clock = Stopwatch.StartNew();
            var viewer = await ViewerSession.ConnectAsync(
                new ViewerSessionOptions
                {
                    Channel = channel,
                    ClientId = arguments.ClientId,
                    PeerConfiguration = SampleChannel.Peers(arguments.Local is not null),
                    ReceiveVideo = arguments.Video,
                    ReceiveAudio = arguments.Audio,
                },
                ct).ConfigureAwait(false);
            await using (viewer.ConfigureAwait(false))
            {
                var connectedMs = clock.ElapsedMilliseconds;
                await output.WriteLineAsync($"viewer     {arguments.ClientId} connected after {connectedMs} ms").ConfigureAwait(false);
                using var chat = viewer.Messages.Subscribe(m => output.WriteLine($"master> {m.Text ?? $"<{m.Data.Length} bytes>"}"));
                string? directory = null;
                if (arguments.Record)
                {
                    directory = Path.GetFullPath(arguments.OutputDirectory);
                    Directory.CreateDirectory(directory);
                }

                var running = new List<Task>();
                foreach (var (kind, track) in new[] { ("video", viewer.VideoTrack), ("audio", viewer.AudioTrack) })
                {
                    if (track is null)
                    {
                        continue;
                    }

                    var recording = new TrackRecording(kind, track);
                    recordings.Add(recording);
                    running.Add(recording.RunAsync(directory, ct));
                    _ = recording.FirstFrame.ContinueWith(
                        _ => output.WriteLine($"viewer     first {kind} frame ({recording.Codec?.MimeType}) {clock.ElapsedMilliseconds} ms after connecting started"),
                        CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
                }

                foreach (var text in arguments.Send)
                {
                    await viewer.SendAsync(text, ct).ConfigureAwait(false);
                }

                var chatInput = ChatAsync(viewer, input, ct);
                await StatsAsync(recordings, arguments.StatsInterval, output, ct).ConfigureAwait(false);
                await Task.WhenAll(running).ConfigureAwait(false);
                await chatInput.ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested && recordings.Count == 0)
        {
            await error.WriteLineAsync("viewer     stopped before connecting").ConfigureAwait(false);
            return 1;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or InvalidOperationException or HttpRequestException or UnauthorizedAccessException)
        {
            // A KvsSessionException (an IOException) says why: a refusal (the master's, or the signaling service's at the
            // channel's viewer limit) or a connect timeout.
            await error.WriteLineAsync($"viewer     failed: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        var missing = new List<string>();
        foreach (var recording in recordings)
        {
            await output.WriteLineAsync($"viewer     {recording.Kind}: {recording.Frames} frames ({recording.KeyFrames} key), {recording.Bytes} bytes" +
                (recording.Path is { } path ? $", recorded to {path}" : string.Empty)).ConfigureAwait(false);
            if (recording.Frames == 0)
            {
                missing.Add(recording.Kind);
            }
        }

        if ((arguments.Video && !recordings.Exists(r => r.Kind == "video")) || (arguments.Audio && !recordings.Exists(r => r.Kind == "audio")))
        {
            missing.Add("a requested track (the master offered none)");
        }

        if (missing.Count > 0)
        {
            await error.WriteLineAsync($"viewer     nothing received: {string.Join(", ", missing)}").ConfigureAwait(false);
            return 1;
        }

        return 0;
    }

    private static async Task ChatAsync(ViewerSession viewer, Stream input, CancellationToken ct)
    {
        using var reader = new StreamReader(input, leaveOpen: true);
        try
        {
            while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
            {
                if (line.Length > 0)
                {
                    await viewer.SendAsync(line, ct).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or IOException)
        {
        }
    }

    private static async Task StatsAsync(List<TrackRecording> recordings, TimeSpan interval, TextWriter output, CancellationToken ct)
    {
        var last = recordings.ToDictionary(r => r, _ => (Frames: 0L, Bytes: 0L));
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                var line = "stats     ";
                foreach (var recording in recordings)
                {
                    var (frames, bytes) = (recording.Frames, recording.Bytes);
                    var (lastFrames, lastBytes) = last[recording];
                    line += string.Create(CultureInfo.InvariantCulture,
                        $"  {recording.Kind} {SampleChannel.Rate(frames - lastFrames, interval):0.0} fps {SampleChannel.Rate((bytes - lastBytes) * 8, interval) / 1000:0} kbit/s ({frames} frames)");
                    last[recording] = (frames, bytes);
                }

                await output.WriteLineAsync(line).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
