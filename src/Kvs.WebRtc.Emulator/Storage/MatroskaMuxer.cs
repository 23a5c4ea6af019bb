using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Emulator.Storage;

/// <summary>
/// Muxes a finished recording (raw H.264 Annex-B + Ogg Opus) into one Matroska file with an external <c>ffmpeg</c>,
/// streams copied, not re-encoded. The raw H.264 has no timestamps: the video's mean frame rate measured while
/// recording gives them. Bounded: the process is killed after <see cref="Timeout"/>; every failure is logged and leaves
/// the raw files as they are.
/// </summary>
internal static partial class MatroskaMuxer
{
    /// <summary>Longest an ffmpeg run may take.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Resolves the ffmpeg program: an explicit path, empty for "off", null to search the PATH.</summary>
    public static string? Resolve(string? configured)
    {
        if (configured is not null)
        {
            return configured.Length == 0 ? null : configured;
        }

        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in (ReadOnlySpan<string>)["ffmpeg", "ffmpeg.exe"])
            {
                var candidate = Path.Combine(directory, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>Writes <c>&lt;stem&gt;.mkv</c> next to the video file.</summary>
    /// <returns>The Matroska path, or null when there was nothing to mux or ffmpeg failed (logged).</returns>
    public static async Task<string?> MuxAsync(
        string ffmpeg, string videoPath, long videoFrames, double? frameRate, string audioPath, long audioFrames, ILogger logger)
    {
        if (videoFrames == 0 && audioFrames == 0)
        {
            return null;
        }

        var output = Path.ChangeExtension(videoPath, ".mkv");
        var start = new ProcessStartInfo(ffmpeg)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in (ReadOnlySpan<string>)["-nostdin", "-y", "-loglevel", "error"])
        {
            start.ArgumentList.Add(argument);
        }

        var inputs = 0;
        if (videoFrames > 0)
        {
            // Between 1 and 120 fps: a rate outside that is a measurement artefact (e.g. two frames with one timestamp).
            var rate = Math.Clamp(frameRate ?? 30, 1, 120);
            foreach (var argument in (ReadOnlySpan<string>)["-framerate", rate.ToString("0.###", CultureInfo.InvariantCulture), "-f", "h264", "-i", videoPath])
            {
                start.ArgumentList.Add(argument);
            }

            inputs++;
        }

        if (audioFrames > 0)
        {
            start.ArgumentList.Add("-i");
            start.ArgumentList.Add(audioPath);
            inputs++;
        }

        for (var i = 0; i < inputs; i++)
        {
            start.ArgumentList.Add("-map");
            start.ArgumentList.Add(i.ToString(CultureInfo.InvariantCulture));
        }

        foreach (var argument in (ReadOnlySpan<string>)["-c", "copy", output])
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start.");
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(Timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Log.Failed(logger, output, $"ffmpeg did not finish within {Timeout.TotalSeconds:0} s");
                return null;
            }

            var errors = (await stderr.ConfigureAwait(false)).Trim();
            await stdout.ConfigureAwait(false);
            if (process.ExitCode != 0 || !File.Exists(output))
            {
                Log.Failed(logger, output, $"ffmpeg exited with {process.ExitCode}: {Truncate(errors)}");
                return null;
            }

            Log.Muxed(logger, output);
            return output;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            Log.Failed(logger, output, ex.Message);
            return null;
        }
    }

    private static string Truncate(string text) => text.Length <= 400 ? text : text[..400] + "…";

    private static partial class Log
    {
        [LoggerMessage(EventId = 8230, Level = LogLevel.Information, Message = "Recording muxed to {Path}")]
        public static partial void Muxed(ILogger logger, string path);

        [LoggerMessage(EventId = 8231, Level = LogLevel.Warning, Message = "Recording not muxed to {Path} (the raw .h264/.ogg files remain): {Reason}")]
        public static partial void Failed(ILogger logger, string path, string reason);
    }
}
