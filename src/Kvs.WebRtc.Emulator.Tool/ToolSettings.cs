using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Emulator.Tool;

/// <summary>Command-line settings of the <c>kvs-emulator</c> tool.</summary>
internal sealed class ToolSettings
{
    /// <summary>The documented default key pair of the tool, so shells and profiles can be set up once.</summary>
    public const string DefaultAccessKeyId = "AKIAKVSEMULATORLOCAL";

    /// <summary>The documented default secret of the tool (a local test value, not a real AWS secret).</summary>
    public const string DefaultSecretAccessKey = "kvs-emulator-local-secret-key-for-tests";

    public const string Usage = """
        kvs-emulator: a local Amazon Kinesis Video Streams WebRTC emulator (loopback only).

        Options:
          --port <n>                  TCP port on 127.0.0.1 (default 4566; 0 = pick a free one)
          --tls                       serve https/wss with a generated self-signed certificate
          --cert <file> --key <file>  serve https/wss with this PEM certificate and key (implies --tls)
          --write-cert <file>         write the certificate (PEM) there so clients can trust it
          --host <name>               host name written into returned endpoints (default 127.0.0.1)
          --ipv6                      also listen on [::1]
          --region <region>           emulated region (default us-west-2)
          --access-key-id <id>        accepted access key id (default AKIAKVSEMULATORLOCAL)
          --secret-access-key <key>   its secret (default kvs-emulator-local-secret-key-for-tests)
          --session-token <token>     require this session token with the key pair
          --no-verify                 do not verify SigV4 signatures
          --allow-host-without-port   also accept signatures computed over the host without its port
          --turn-uri <uri>            TURN URI for minted credentials (repeatable, up to 4)
          --turn-secret <secret>      coturn static-auth-secret used to mint TURN credentials
          --log-level <level>         Trace, Debug, Information (default), Warning, Error
          --web                       also serve the browser test page (viewer or master) at http://127.0.0.1:<web-port>/web/
          --web-port <n>              port of the page (default 4567; 0 = pick a free one)
          --web-target <emulator|aws> where the page's channels live: this emulator (default), or real AWS in --region
                                      with the default AWS credential chain (no emulator is started then)
          --js-sdk <path>             the KVS WebRTC JS SDK browser bundle (dist/kvs-webrtc.min.js); default: found in
                                      node_modules/amazon-kinesis-video-streams-webrtc/dist below the current directory
          --recordings <dir>          folder for storage-session recordings (WebRTC ingestion; default: temp folder)
          --help                      show this text
        """;

    public int Port { get; private set; } = 4566;

    public bool UseTls { get; private set; }

    public string? CertificatePath { get; private set; }

    public string? KeyPath { get; private set; }

    public string? WriteCertificatePath { get; private set; }

    public string Host { get; private set; } = "127.0.0.1";

    public bool IPv6 { get; private set; }

    public string Region { get; private set; } = "us-west-2";

    public string AccessKeyId { get; private set; } = DefaultAccessKeyId;

    public string SecretAccessKey { get; private set; } = DefaultSecretAccessKey;

    public string? SessionToken { get; private set; }

    public bool VerifySignatures { get; private set; } = true;

    public bool AllowHostWithoutPort { get; private set; }

    public List<string> TurnUris { get; } = [];

    public string? TurnSecret { get; private set; }

    public LogLevel LogLevel { get; private set; } = LogLevel.Information;

    public bool ShowHelp { get; private set; }

    public bool Web { get; private set; }

    public int WebPort { get; private set; } = 4567;

    public bool WebTargetAws { get; private set; }

    public string? JsSdkPath { get; private set; }
    /// <summary>Where storage-session recordings go (null: the emulator's default in the temp folder).</summary>
    public string? RecordingDirectory { get; private set; }

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> with a readable message on bad input.</summary>
    public static ToolSettings Parse(IReadOnlyList<string> args)
    {
        var settings = new ToolSettings();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{arg} needs a value.");
            switch (arg)
            {
                case "--port":
                    settings.Port = int.TryParse(Next(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535
                        ? port
                        : throw new ArgumentException("--port needs a number from 0 to 65535.");
                    break;
                case "--tls":
                    settings.UseTls = true;
                    break;
                case "--cert":
                    settings.CertificatePath = Next();
                    settings.UseTls = true;
                    break;
                case "--key":
                    settings.KeyPath = Next();
                    settings.UseTls = true;
                    break;
                case "--write-cert":
                    settings.WriteCertificatePath = Next();
                    break;
                case "--host":
                    settings.Host = Next();
                    break;
                case "--ipv6":
                    settings.IPv6 = true;
                    break;
                case "--region":
                    settings.Region = Next();
                    break;
                case "--access-key-id":
                    settings.AccessKeyId = Next();
                    break;
                case "--secret-access-key":
                    settings.SecretAccessKey = Next();
                    break;
                case "--session-token":
                    settings.SessionToken = Next();
                    break;
                case "--no-verify":
                    settings.VerifySignatures = false;
                    break;
                case "--allow-host-without-port":
                    settings.AllowHostWithoutPort = true;
                    break;
                case "--turn-uri":
                    settings.TurnUris.Add(Next());
                    break;
                case "--turn-secret":
                    settings.TurnSecret = Next();
                    break;
                case "--log-level":
                    settings.LogLevel = Enum.TryParse<LogLevel>(Next(), ignoreCase: true, out var level)
                        ? level
                        : throw new ArgumentException("--log-level must be Trace, Debug, Information, Warning or Error.");
                    break;
                case "--web":
                    settings.Web = true;
                    break;
                case "--web-port":
                    settings.WebPort = int.TryParse(Next(), NumberStyles.None, CultureInfo.InvariantCulture, out var webPort) && webPort <= 65535
                        ? webPort
                        : throw new ArgumentException("--web-port needs a number from 0 to 65535.");
                    settings.Web = true;
                    break;
                case "--web-target":
                    settings.WebTargetAws = Next().ToUpperInvariant() switch
                    {
                        "EMULATOR" => false,
                        "AWS" => true,
                        _ => throw new ArgumentException("--web-target must be emulator or aws."),
                    };
                    settings.Web = true;
                    break;
                case "--js-sdk":
                    settings.JsSdkPath = Next();
                    settings.Web = true;
                    break;
                case "--recordings":
                    settings.RecordingDirectory = Next();
                    break;
                case "--help" or "-h" or "-?":
                    settings.ShowHelp = true;
                    break;
                default:
                    throw new ArgumentException($"Unknown option {arg}. Use --help.");
            }
        }

        if ((settings.CertificatePath is null) != (settings.KeyPath is null))
        {
            throw new ArgumentException("--cert and --key go together.");
        }

        if (settings.WriteCertificatePath is not null && !settings.UseTls)
        {
            throw new ArgumentException("--write-cert needs --tls.");
        }

        if (settings.Web && settings.WebPort != 0 && settings.WebPort == settings.Port)
        {
            throw new ArgumentException("--web-port must differ from --port.");
        }

        return settings;
    }
}
