using System.Globalization;
using System.Text.Json;
using Kvs.WebRtc.Testing;

namespace Kvs.WebRtc.InteropTests.Support;

/// <summary>
/// ffmpeg and ffprobe (Debian package <c>ffmpeg</c>) as independent judges of media files: decode a file and report
/// frames and errors, list packets, count frames. Every run is bounded; a missing tool skips the test outside CI and
/// fails it under CI (<see cref="ExternalTool"/>).
/// </summary>
public static class Ffmpeg
{
    /// <summary>Time limit of one ffmpeg/ffprobe run.</summary>
    public static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The ffmpeg executable (skips/fails the test when absent).</summary>
    public static string RequireFfmpeg() => ExternalTool.Require("ffmpeg", "/usr/bin/ffmpeg");

    /// <summary>The ffprobe executable (skips/fails the test when absent).</summary>
    public static string RequireFfprobe() => ExternalTool.Require("ffprobe", "/usr/bin/ffprobe");

    /// <summary>
    /// Decodes every stream of <paramref name="path"/> (<c>ffmpeg -v error -i path</c>, one CRC line per decoded frame
    /// to stdout, as <c>-f null</c> but countable) and reports the decoded frame count and ffmpeg's error lines.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="format">Input format when it cannot be probed (e.g. <c>h264</c>, <c>hevc</c>); <c>mulaw</c> implies 8 kHz mono.</param>
    /// <param name="cancellationToken">Cancels the run (the process is killed).</param>
    public static Task<FfmpegDecodeResult> DecodeAsync(string path, string? format = null, CancellationToken cancellationToken = default) =>
        DecodeAsync(path, InputOptions(format), cancellationToken);

    /// <summary>As <see cref="DecodeAsync(string, string?, CancellationToken)"/> with explicit input options (before <c>-i</c>).</summary>
    public static async Task<FfmpegDecodeResult> DecodeAsync(string path, IReadOnlyList<string> inputOptions, CancellationToken cancellationToken = default)
    {
        var ffmpeg = RequireFfmpeg();
        string[] arguments = ["-hide_banner", "-nostdin", "-v", "error", .. inputOptions, "-i", path, "-f", "framecrc", "-"];
        var (exitCode, stdout, stderr) = await ToolProcess.RunAsync(ffmpeg, arguments, RunTimeout, cancellationToken).ConfigureAwait(false);
        // framecrc: "#tb 0: 1/30" headers, then "stream, dts, pts, duration, size, crc" per decoded frame.
        var frames = 0;
        long firstStreamDuration = 0;
        long timebaseNumerator = 0;
        long timebaseDenominator = 1;
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("#tb 0:", StringComparison.Ordinal))
            {
                var fraction = line[6..].Trim().Split('/');
                timebaseNumerator = long.Parse(fraction[0], CultureInfo.InvariantCulture);
                timebaseDenominator = long.Parse(fraction[1], CultureInfo.InvariantCulture);
            }
            else if (line[0] != '#')
            {
                frames++;
                var columns = line.Split(',', StringSplitOptions.TrimEntries);
                if (columns.Length >= 4 && columns[0] == "0" && long.TryParse(columns[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var duration))
                {
                    firstStreamDuration += duration;
                }
            }
        }

        var decoded = TimeSpan.FromTicks((long)Math.Round((double)firstStreamDuration * timebaseNumerator * TimeSpan.TicksPerSecond / timebaseDenominator));
        var errors = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new FfmpegDecodeResult(exitCode, frames, decoded, errors);
    }

    /// <summary>The packets of the first stream (<c>ffprobe -show_packets</c>).</summary>
    public static async Task<IReadOnlyList<FfprobePacket>> ProbePacketsAsync(string path, string? format = null, CancellationToken cancellationToken = default)
    {
        using var json = await ProbeAsync(path, format, ["-select_streams", "0", "-show_packets", "-show_entries", "packet=size,flags,pts,duration"], cancellationToken).ConfigureAwait(false);
        var packets = new List<FfprobePacket>();
        if (json.RootElement.TryGetProperty("packets", out var array))
        {
            foreach (var packet in array.EnumerateArray())
            {
                packets.Add(new FfprobePacket(
                    Int(packet, "size"),
                    packet.TryGetProperty("flags", out var flags) && flags.GetString()!.Contains('K', StringComparison.Ordinal),
                    LongOrNull(packet, "pts"),
                    LongOrNull(packet, "duration")));
            }
        }

        return packets;
    }

    /// <summary>The first stream with its decoded frame count (<c>ffprobe -count_frames</c>).</summary>
    public static async Task<FfprobeStreamInfo> ProbeStreamAsync(string path, string? format = null, CancellationToken cancellationToken = default)
    {
        using var json = await ProbeAsync(path, format,
            ["-select_streams", "0", "-count_frames", "-show_entries", "stream=codec_name,profile,width,height,nb_read_frames,sample_rate,channels"],
            cancellationToken).ConfigureAwait(false);
        if (!json.RootElement.TryGetProperty("streams", out var streams) || streams.GetArrayLength() == 0)
        {
            throw new InvalidDataException($"ffprobe found no stream in {path}.");
        }

        var s = streams[0];
        return new FfprobeStreamInfo(
            Str(s, "codec_name"), Str(s, "profile"), Int(s, "width"), Int(s, "height"), Int(s, "nb_read_frames"), Int(s, "sample_rate"), Int(s, "channels"));
    }

    /// <summary>A container's duration and the codec of each of its streams, in order (<c>ffprobe -show_format -show_streams</c>).</summary>
    public static async Task<(TimeSpan Duration, IReadOnlyList<string> Codecs)> ProbeContainerAsync(string path, CancellationToken cancellationToken = default)
    {
        using var json = await ProbeAsync(path, null, ["-show_entries", "format=duration:stream=codec_name"], cancellationToken).ConfigureAwait(false);
        var seconds = json.RootElement.TryGetProperty("format", out var format)
            && double.TryParse(Str(format, "duration"), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
        var codecs = new List<string>();
        if (json.RootElement.TryGetProperty("streams", out var streams))
        {
            foreach (var stream in streams.EnumerateArray())
            {
                codecs.Add(Str(stream, "codec_name"));
            }
        }

        return (TimeSpan.FromSeconds(seconds), codecs);
    }

    private static async Task<JsonDocument> ProbeAsync(string path, string? format, IEnumerable<string> what, CancellationToken cancellationToken)
    {
        var ffprobe = RequireFfprobe();
        string[] arguments = ["-hide_banner", "-v", "error", .. InputOptions(format), .. what, "-of", "json", path];
        var (exitCode, stdout, stderr) = await ToolProcess.RunAsync(ffprobe, arguments, RunTimeout, cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"ffprobe exited {exitCode} on {path}: {stderr}");
        }

        return JsonDocument.Parse(stdout);
    }

    private static string[] InputOptions(string? format) => format switch
    {
        null => [],
        "mulaw" => ["-f", "mulaw", "-ar", "8000", "-ac", "1"],
        _ => ["-f", format],
    };

    private static string Str(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;

    private static int Int(JsonElement element, string name) => (int)(LongOrNull(element, name) ?? 0);

    private static long? LongOrNull(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number => value.GetInt64(),
            JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => null,
        };
    }
}
