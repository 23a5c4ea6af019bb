using System.Globalization;

namespace Kvs.WebRtc.NetworkLab;

/// <summary>Command line of the lab: <c>--count N --reverse-count N --max-size BYTES --seed S --timeout SECONDS --log LEVEL --impair-after-connect CMD --media-seconds N --media-bitrate BPS</c>.</summary>
internal sealed record LabOptions
{
    /// <summary>Messages from the offerer to the answerer.</summary>
    public int Count { get; init; } = 2000;

    /// <summary>Messages from the answerer to the offerer, sent at the same time.</summary>
    public int ReverseCount { get; init; } = 200;

    /// <summary>The largest message; about one message in ten is between a quarter of it and it.</summary>
    public int MaxSize { get; init; } = 65_536;

    /// <summary>Seed of the message sizes.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>
    /// A shell command run once both peers are connected and the channel is open (<c>--impair-after-connect CMD</c>),
    /// e.g. the nft rule that starts dropping packets; null to run none.
    /// </summary>
    public string? ImpairAfterConnect { get; init; }

    /// <summary>Log level for stderr logging (<c>--log Debug</c>); null for none.</summary>
    public Microsoft.Extensions.Logging.LogLevel? LogLevel { get; init; }

    /// <summary>Seconds of H.264 video from the offerer to the answerer once the channel is open (<c>--media-seconds N</c>); 0 for none.</summary>
    public int MediaSeconds { get; init; }

    /// <summary>Bitrate of that video (<c>--media-bitrate BPS</c>). Default 4 Mbit/s.</summary>
    public int MediaBitrate { get; init; } = 4_000_000;

    /// <summary>Overall bound for connecting and transferring.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    public static LabOptions Parse(string[] args)
    {
        var options = new LabOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            if (args[i] == "--impair-after-connect")
            {
                options = options with { ImpairAfterConnect = value };
                i++;
                continue;
            }

            if (args[i] == "--log")
            {
                options = options with { LogLevel = Enum.Parse<Microsoft.Extensions.Logging.LogLevel>(value, ignoreCase: true) };
                i++;
                continue;
            }

            var number = int.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--count" => options with { Count = number },
                "--reverse-count" => options with { ReverseCount = number },
                "--max-size" => options with { MaxSize = number },
                "--seed" => options with { Seed = number },
                "--media-seconds" => options with { MediaSeconds = number },
                "--media-bitrate" => options with { MediaBitrate = number },
                "--timeout" => options with { Timeout = TimeSpan.FromSeconds(number) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
            i++;
        }

        if (options.Count < 0 || options.ReverseCount < 0 || options.MaxSize < 16 || options.Timeout <= TimeSpan.Zero || options.MediaSeconds < 0
            || options.MediaBitrate < 100_000)
        {
            throw new ArgumentException("counts must be >= 0, --max-size >= 16 and --timeout > 0");
        }

        return options;
    }
}
