using System.Globalization;
using Kvs.WebRtc.Media;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Samples.Master;

/// <summary>The command line of <c>kvs-master</c>.</summary>
public sealed class MasterArguments
{
    /// <summary>The help text.</summary>
    public const string Usage = """
        kvs-master: a KVS WebRTC master that streams media files to every viewer.

        Usage: kvs-master [options]
          --video PATH|-        video: .h264/.264, .h265/.hevc, .ivf (VP8/VP9), a directory of one-frame files
                                (frame-0001.h264 ...), or - for stdin (with --video-format)
          --video-format F      h264 | h265 | ivf (for stdin or an unusual extension)
          --audio PATH|-        audio: .ogg/.opus (Ogg Opus), a directory of .opus/.alaw/.ulaw frames, or - for stdin
          --no-video, --no-audio  send no video / audio (with --local the test media is the default)
          --fps N               frame rate of Annex-B video and frame directories (default 30)
          --no-loop             stop at the end of the files instead of looping
          --local               run an embedded KVS emulator on loopback (no AWS account; prints the viewer command)
          --port N              the emulator's port with --local (default: any free port)
          --channel NAME        signaling channel (default kvs-sample; created when missing)
          --region REGION       AWS region (default: AWS_REGION, else us-west-2)
          --profile NAME        AWS profile (default: the AWS default credential chain)
          --max-viewers N       viewers at once (default 10)
          --stats SECONDS       stats interval (default 2)
          --duration SECONDS    stop after this long (default: until Ctrl+C)
          --verbose             log at Information level
          -h, --help            this text

        Examples:
          kvs-master --local
          kvs-master --channel my-camera --region eu-west-1 --video camera.h264 --audio mic.ogg
          ffmpeg -re -f lavfi -i testsrc=size=640x480:rate=30 -pix_fmt yuv420p -c:v libx264 -profile:v baseline -g 30 -f h264 - \
            | kvs-master --channel my-camera --video - --video-format h264
        Lines typed on stdin (when it is not the media) are sent to every viewer's data channel; messages from viewers are printed and echoed.
        """;

    /// <summary>Video path, "-" for stdin, or null.</summary>
    public string? Video { get; private set; }

    /// <summary>Format of stdin video.</summary>
    public MediaFileFormat? VideoFormat { get; private set; }

    /// <summary>Audio path, "-" for stdin, or null.</summary>
    public string? Audio { get; private set; }

    /// <summary>Send no video.</summary>
    public bool NoVideo { get; private set; }

    /// <summary>Send no audio.</summary>
    public bool NoAudio { get; private set; }

    /// <summary>Annex-B frame rate.</summary>
    public double FramesPerSecond { get; private set; } = 30;

    /// <summary>Loop the files.</summary>
    public bool Loop { get; private set; } = true;

    /// <summary>Start the embedded emulator.</summary>
    public bool Local { get; private set; }

    /// <summary>The emulator port (0: any).</summary>
    public int Port { get; private set; }

    /// <summary>Channel name.</summary>
    public string Channel { get; private set; } = "kvs-sample";

    /// <summary>AWS region.</summary>
    public string Region { get; private set; } = Environment.GetEnvironmentVariable("AWS_REGION") ?? "us-west-2";

    /// <summary>AWS profile.</summary>
    public string? Profile { get; private set; }

    /// <summary>Most viewers at once.</summary>
    public int MaxViewers { get; private set; } = 10;

    /// <summary>Stats interval.</summary>
    public TimeSpan StatsInterval { get; private set; } = TimeSpan.FromSeconds(2);

    /// <summary>Run time limit, or null.</summary>
    public TimeSpan? Duration { get; private set; }

    /// <summary>Log level.</summary>
    public LogLevel LogLevel { get; private set; } = LogLevel.Warning;

    /// <summary>Show the help.</summary>
    public bool Help { get; private set; }

    /// <summary>Parses the command line.</summary>
    /// <exception cref="ArgumentException">An unknown option or a bad value.</exception>
    public static MasterArguments Parse(IReadOnlyList<string> args)
    {
        var result = new MasterArguments();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            double Number(double min, double max)
            {
                var text = Value();
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
                    ? value
                    : throw new ArgumentException($"{name} {text}: expected a number in [{min}, {max}].");
            }

            switch (name)
            {
                case "--video": result.Video = Value(); break;
                case "--video-format": result.VideoFormat = ParseFormat(Value()); break;
                case "--audio": result.Audio = Value(); break;
                case "--no-video": result.NoVideo = true; break;
                case "--no-audio": result.NoAudio = true; break;
                case "--fps": result.FramesPerSecond = Number(0.1, 1000); break;
                case "--no-loop": result.Loop = false; break;
                case "--local": result.Local = true; break;
                case "--port": result.Port = (int)Number(0, 65535); break;
                case "--channel": result.Channel = Value(); break;
                case "--region": result.Region = Value(); break;
                case "--profile": result.Profile = Value(); break;
                case "--max-viewers": result.MaxViewers = (int)Number(1, 1000); break;
                case "--stats": result.StatsInterval = TimeSpan.FromSeconds(Number(0.1, 3600)); break;
                case "--duration": result.Duration = TimeSpan.FromSeconds(Number(0.1, 1e7)); break;
                case "--verbose": result.LogLevel = LogLevel.Information; break;
                case "-h" or "--help": result.Help = true; break;
                default: throw new ArgumentException($"Unknown option {name} (see --help).");
            }
        }

        if (result.Video == "-" && result.Audio == "-")
        {
            throw new ArgumentException("Only one of --video and --audio can read stdin.");
        }

        if (result.Video == "-" && result.VideoFormat is null)
        {
            throw new ArgumentException("--video - needs --video-format h264|h265|ivf.");
        }

        return result;
    }

    private static MediaFileFormat ParseFormat(string text) => text.ToUpperInvariant() switch
    {
        "H264" => MediaFileFormat.H264AnnexB,
        "H265" or "HEVC" => MediaFileFormat.H265AnnexB,
        "IVF" => MediaFileFormat.Ivf,
        "OGG" or "OPUS" => MediaFileFormat.OggOpus,
        _ => throw new ArgumentException($"Unknown format {text} (h264, h265, ivf, ogg)."),
    };
}
