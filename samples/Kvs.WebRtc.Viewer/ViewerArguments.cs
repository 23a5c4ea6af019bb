using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Samples.Viewer;

/// <summary>The command line of <c>kvs-viewer</c>.</summary>
public sealed class ViewerArguments
{
    /// <summary>The help text.</summary>
    public const string Usage = """
        kvs-viewer: a KVS WebRTC viewer that records what the master sends and chats over the data channel.

        Usage: kvs-viewer [options]
          --local URL           the local emulator a `kvs-master --local` printed (no AWS account)
          --channel NAME        signaling channel (default kvs-sample)
          --region REGION       AWS region (default: AWS_REGION, else us-west-2)
          --profile NAME        AWS profile (default: the AWS default credential chain)
          --client-id ID        this viewer's client id (default viewer-<random>)
          --out DIR             where video.h264|video.h265|video.ivf and audio.ogg are written (default: current directory)
          --no-video, --no-audio  do not receive video / audio
          --no-record           receive but write no files
          --send TEXT           send TEXT on the data channel once connected (repeatable)
          --stats SECONDS       stats interval (default 2)
          --duration SECONDS    stop after this long (default: until Ctrl+C)
          --verbose             log at Information level
          -h, --help            this text

        Lines typed on stdin are sent on the data channel; messages from the master are printed.
        Play the recording: ffplay video.h264 (or video.ivf), ffplay audio.ogg.
        """;

    /// <summary>The local emulator URL, or null for real AWS.</summary>
    public Uri? Local { get; private set; }

    /// <summary>Channel name.</summary>
    public string Channel { get; private set; } = "kvs-sample";

    /// <summary>AWS region.</summary>
    public string Region { get; private set; } = Environment.GetEnvironmentVariable("AWS_REGION") ?? "us-west-2";

    /// <summary>AWS profile.</summary>
    public string? Profile { get; private set; }

    /// <summary>Client id.</summary>
    public string ClientId { get; private set; } = "viewer-" + Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);

    /// <summary>Output directory.</summary>
    public string OutputDirectory { get; private set; } = ".";

    /// <summary>Receive video.</summary>
    public bool Video { get; private set; } = true;

    /// <summary>Receive audio.</summary>
    public bool Audio { get; private set; } = true;

    /// <summary>Write files.</summary>
    public bool Record { get; private set; } = true;

    /// <summary>Messages to send once connected.</summary>
    public IReadOnlyList<string> Send => _send;

    /// <summary>Stats interval.</summary>
    public TimeSpan StatsInterval { get; private set; } = TimeSpan.FromSeconds(2);

    /// <summary>Run time limit, or null.</summary>
    public TimeSpan? Duration { get; private set; }

    /// <summary>Log level.</summary>
    public LogLevel LogLevel { get; private set; } = LogLevel.Warning;

    /// <summary>Show the help.</summary>
    public bool Help { get; private set; }

    private readonly List<string> _send = [];

    /// <summary>Parses the command line.</summary>
    /// <exception cref="ArgumentException">An unknown option or a bad value.</exception>
    public static ViewerArguments Parse(IReadOnlyList<string> args)
    {
        var result = new ViewerArguments();
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
                case "--local":
                    var url = Value();
                    result.Local = Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri : throw new ArgumentException($"--local {url}: not a URL.");
                    break;
                case "--channel": result.Channel = Value(); break;
                case "--region": result.Region = Value(); break;
                case "--profile": result.Profile = Value(); break;
                case "--client-id": result.ClientId = Value(); break;
                case "--out": result.OutputDirectory = Value(); break;
                case "--no-video": result.Video = false; break;
                case "--no-audio": result.Audio = false; break;
                case "--no-record": result.Record = false; break;
                case "--send": result._send.Add(Value()); break;
                case "--stats": result.StatsInterval = TimeSpan.FromSeconds(Number(0.1, 3600)); break;
                case "--duration": result.Duration = TimeSpan.FromSeconds(Number(0.1, 1e7)); break;
                case "--verbose": result.LogLevel = LogLevel.Information; break;
                case "-h" or "--help": result.Help = true; break;
                default: throw new ArgumentException($"Unknown option {name} (see --help).");
            }
        }

        return result;
    }
}
